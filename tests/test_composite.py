"""composite.py: ops made of ops (logsumexp, flatten, unsqueeze, squeeze, silu, relu6).

Their gradients against finite differences and PyTorch are rows of tests/op_table.py; here:
PyTorch's shapes for every argument, the errors, the graph they record, and dtypes.
"""
import re
import warnings

import numpy as np
import pytest

from tinygrad_res import Tensor, composite, gradcheck

SHAPE = (2, 1, 3, 1)
RESHAPES = [
    ("flatten", ()), ("flatten", (1,)), ("flatten", (0, 1)), ("flatten", (-2, -1)),
    ("flatten", (1, 1)), ("flatten", (2,)),
    ("unsqueeze", (0,)), ("unsqueeze", (4,)), ("unsqueeze", (-1,)), ("unsqueeze", (-5,)),
    ("squeeze", ()), ("squeeze", (1,)), ("squeeze", (0,)), ("squeeze", (-1,)),
    ("squeeze", ((1, 3),)), ("squeeze", ([0, 1],)),
]


@pytest.mark.parametrize("name, args", RESHAPES, ids=[f"{n}{a}" for n, a in RESHAPES])
def test_shapes_and_values_as_pytorch(torch, name, args):
    data = np.arange(6.0).reshape(SHAPE)
    ours = getattr(Tensor(data), name)(*args)
    expected = getattr(torch.tensor(data), name)(*args)
    assert ours.shape == tuple(expected.shape)
    np.testing.assert_array_equal(ours.data, expected.numpy())


@pytest.mark.parametrize("name, args", [("flatten", ()), ("flatten", (0, -1)), ("unsqueeze", (0,)),
                                        ("unsqueeze", (-1,)), ("squeeze", ()), ("squeeze", (0,))])
def test_a_0d_tensor_as_pytorch(torch, name, args):
    assert getattr(Tensor(5.0), name)(*args).shape == \
        tuple(getattr(torch.tensor(5.0), name)(*args).shape)


def test_reshaping_composites_record_one_reshape_and_pass_gradients_back(rng):
    x = Tensor(rng.standard_normal(SHAPE), requires_grad=True)
    for out in [x.flatten(1, 2), x.unsqueeze(2), x.squeeze()]:
        assert out.op == "reshape" and out.parents == (x,)
    assert gradcheck(lambda t: t.squeeze(1).unsqueeze(0).flatten(), x)


def test_errors_name_the_function_and_the_dim():
    x = Tensor(np.zeros(SHAPE))
    with pytest.raises(ValueError, match=re.escape(
            "flatten: start_dim 2 comes after end_dim 1 for shape (2, 1, 3, 1)")):
        x.flatten(2, 1)
    with pytest.raises(ValueError, match="flatten: start_dim -1 comes after end_dim 0"):
        x.flatten(-1, 0)
    with pytest.raises(IndexError, match=re.escape(
            "flatten: dim 4 is out of range for a tensor with 4 dims (expected -4 to 3)")):
        x.flatten(4)
    with pytest.raises(IndexError, match=re.escape("unsqueeze: dim 5 is out of range for a "
                                                   "tensor with 4 dims (expected -5 to 4)")):
        x.unsqueeze(5)
    with pytest.raises(TypeError, match=re.escape("unsqueeze: a dim must be an int, got (0, 1)")):
        x.unsqueeze((0, 1))
    with pytest.raises(ValueError, match="squeeze: dim \\(1, -3\\) names a dim more than once"):
        x.squeeze((1, -3))
    with pytest.raises(IndexError, match="squeeze: dim 4 is out of range"):
        x.squeeze(4)


def test_logsumexp_of_a_0d_tensor_and_with_keepdim(torch, rng):
    assert Tensor(3.0).logsumexp(0).item() == 3.0
    data = rng.standard_normal((2, 3, 4))
    ours = Tensor(data).logsumexp((0, 2), keepdim=True)
    np.testing.assert_allclose(ours.data, torch.tensor(data).logsumexp((0, 2), keepdim=True))


def test_logsumexp_is_exact_with_infinities_and_over_a_size_0_dim():
    # the shift by the maximum must not turn inf - inf into nan
    out = Tensor([[np.inf, 1.0], [-np.inf, -np.inf], [-np.inf, 0.0]]).logsumexp(1)
    np.testing.assert_array_equal(out.data, [np.inf, -np.inf, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no warning for the log of an empty sum
        empty = Tensor(np.zeros((2, 0))).logsumexp(dim=1)
    np.testing.assert_array_equal(empty.data, [-np.inf, -np.inf])


@pytest.mark.parametrize("name", ["logsumexp", "flatten", "unsqueeze", "squeeze", "silu",
                                  "relu6"])
def test_float32_stays_float32(rng, name):
    x = Tensor(rng.standard_normal((3, 1)).astype(np.float32), requires_grad=True)
    out = getattr(composite, name)(x, 1) if name in ("logsumexp", "unsqueeze") else \
        getattr(composite, name)(x)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert x.grad.dtype == np.float32


def test_silu_is_x_times_sigmoid_and_stays_finite_for_large_inputs():
    with np.errstate(over="raise", invalid="raise"):
        out = Tensor([-800.0, 0.0, 800.0]).silu()
    np.testing.assert_array_equal(out.data, [-0.0, 0.0, 800.0])


def test_relu6_is_hardtanh_from_0_to_6():
    x = Tensor([-1.0, 0.0, 3.0, 6.0, 7.0], requires_grad=True)
    y = x.relu6()
    assert y.op == "hardtanh"
    y.backward(np.ones(5))
    np.testing.assert_array_equal(y.data, [0.0, 0.0, 3.0, 6.0, 6.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0, 0.0, 0.0])  # 0 at both ends
