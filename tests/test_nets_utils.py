"""clip_grad_norm_: by hand, and PyTorch's semantics for every norm type, dtype and edge case."""
import math

import numpy as np
import pytest

from nets.utils import clip_grad_norm_
from tinygrad_res import Tensor


def with_grads(*grads, dtype=np.float64):
    params = []
    for g in grads:
        p = Tensor(np.zeros(np.shape(g)), requires_grad=True, dtype=dtype)
        p.grad = None if g is None else np.array(g, dtype=dtype)
        params.append(p)
    return params


@pytest.mark.task_5_3
def test_by_hand_the_gradients_are_scaled_together_in_place():
    params = with_grads([3.0, 4.0], [[12.0]])            # joint norm sqrt(9 + 16 + 144) = 13
    arrays = [p.grad for p in params]
    total = clip_grad_norm_(params, max_norm=6.5)
    assert isinstance(total, Tensor) and total.item() == 13.0 and not total.requires_grad
    factor = 6.5 / (13.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad, [3.0 * factor, 4.0 * factor], rtol=1e-15)
    np.testing.assert_allclose(params[1].grad, [[12.0 * factor]], rtol=1e-15)
    assert all(p.grad is a for p, a in zip(params, arrays))     # the same arrays, changed


@pytest.mark.task_5_3
def test_gradients_within_max_norm_are_left_alone_and_none_is_skipped():
    params = with_grads([0.3, 0.4], None)
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5, rel=1e-15)
    np.testing.assert_array_equal(params[0].grad, [0.3, 0.4])
    assert params[1].grad is None
    assert clip_grad_norm_(with_grads(None), 1.0).item() == 0.0       # nothing to clip: 0
    single = with_grads([6.0, 8.0])[0]
    assert clip_grad_norm_(single, 5.0, norm_type="inf").item() == 8.0  # a Tensor, not a list


@pytest.mark.task_5_3
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf", 0, -math.inf, -1.0, 0.5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_torch_for_every_norm_type(torch, rng, norm_type, dtype):
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5) * 10, np.array([0.0, 2.0])]
    for max_norm in (0.5, 1e6):                            # clipped, and left alone
        ours = with_grads(*grads, None, dtype=dtype)
        theirs = []
        for g in grads:
            p = torch.zeros(g.shape, dtype=getattr(torch, np.dtype(dtype).name),
                            requires_grad=True)
            p.grad = torch.tensor(g.astype(dtype))
            theirs.append(p)
        theirs.append(torch.zeros(2, requires_grad=True))   # no grad, as ours[-1]
        total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
        expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
        rtol = 1e-12 if dtype == np.float64 else 1e-5
        assert total.dtype == dtype
        np.testing.assert_allclose(total.item(), expected.item(), rtol=rtol)
        for p, t in zip(ours[:-1], theirs[:-1]):
            np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=rtol, atol=1e-30)


@pytest.mark.task_5_3
def test_a_non_finite_norm_gives_nan_gradients_as_in_torch_or_an_error(torch):
    for bad, expected in ((math.nan, [math.nan, math.nan]), (math.inf, [math.nan, 0.0])):
        params = with_grads([bad, 1.0])
        assert not math.isfinite(clip_grad_norm_(params, 1.0).item())
        np.testing.assert_array_equal(params[0].grad, expected)
        p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor([bad, 1.0], dtype=torch.float64)
        torch.nn.utils.clip_grad_norm_([p], 1.0)
        np.testing.assert_array_equal(p.grad.numpy(), expected)
    params = with_grads([math.inf, 1.0])
    with pytest.raises(RuntimeError, match="the total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite .inf., so it cannot be "
                                           "clipped"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert params[0].grad[0] == math.inf                    # refused: nothing was scaled


def test_bad_arguments_are_clear_errors():
    params = with_grads([1.0])
    for bad in (-1.0, math.nan, "1", None, True):
        with pytest.raises(ValueError, match="clip_grad_norm_: max_norm must be a number >= 0"):
            clip_grad_norm_(params, bad)
    with pytest.raises(ValueError, match="norm_type must be a number or 'inf', got 'two'"):
        clip_grad_norm_(params, 1.0, norm_type="two")
    with pytest.raises(TypeError, match="clip_grad_norm_: parameter 0 is a ndarray"):
        clip_grad_norm_([np.ones(2)], 1.0)
