"""detect_anomaly() names the op, the pass and the user's line that made the first NaN/Inf."""
import inspect
import os

import numpy as np
import pytest

from tinygrad_res import AnomalyError, Tensor, detect_anomaly

THIS_FILE = os.path.basename(__file__)


def next_line() -> int:
    """The line number just after the caller's line."""
    return inspect.currentframe().f_back.f_lineno + 1


def test_forward_nan_names_op_pass_and_line():
    x = Tensor([1.0, -1.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        line = next_line()
        x.log()
    message = str(info.value)
    assert message.startswith("log: its output holds NaN in the forward pass")
    assert f"{THIS_FILE}:{line}" in message


def test_backward_inf_names_op_pass_and_line():
    # sqrt(0) = 0 is fine in the forward pass; its derivative 1 / (2 sqrt(0)) is not
    x = Tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        line = next_line()
        y = x.sqrt()
        loss = (y * 3.0).sum()
        with pytest.raises(AnomalyError) as info:
            loss.backward()
    message = str(info.value)
    assert message.startswith("sqrt: the gradient for input 0 holds Inf in the backward pass")
    assert f"{THIS_FILE}:{line}" in message


def test_only_the_first_bad_op_is_named():
    x = Tensor([-1.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError, match="^log: "):
        x.log().exp().sum()


def test_clean_graph_passes_and_mode_ends_with_the_block():
    x = Tensor([1.0, 4.0], requires_grad=True)
    with detect_anomaly():
        x.sqrt().log().sum().backward()
    np.testing.assert_allclose(x.grad, 1 / (2 * x.data))
    # outside the block the same bad computations just produce NaN and Inf
    x.grad = None
    with np.errstate(invalid="ignore", divide="ignore"):
        y = Tensor([1.0, -1.0], requires_grad=True).log()
        Tensor([0.0], requires_grad=True).sqrt().sum().backward()
    assert np.isnan(y.data[1])
