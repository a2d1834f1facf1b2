"""autograd.py: grad() leaves .grad alone; jacobian(fn, x), rows from backward, checked against
finite differences, hand-derived Jacobians and PyTorch."""
import numpy as np
import pytest

import tinygrad_res
from tinygrad_res import Tensor, jacobian, numerical_grad


def finite_difference_jacobian(fn, x: np.ndarray) -> np.ndarray:
    """Row k is the finite-difference gradient of output entry k (no backward code involved)."""
    leaf = Tensor(x, requires_grad=True)
    out_shape = fn(Tensor(x)).shape
    rows = np.zeros(out_shape + x.shape)
    for k in np.ndindex(*out_shape):
        seed = np.zeros(out_shape)
        seed[k] = 1.0
        rows[k] = numerical_grad(fn, leaf, grad_output=seed)[0]
    return rows


def residual_block(w1: np.ndarray, w2: np.ndarray):
    return lambda t: t + ((t @ Tensor(w1).T).relu() @ Tensor(w2).T).relu()


@pytest.mark.parametrize("fn", [
    lambda t: t.tanh() * t.sum(),
    lambda t: (t.reshape(2, 3) @ t.reshape(3, 2)).exp(),
    lambda t: t.softmax(axis=-1),
    lambda t: (t * t).sum(),
], ids=["tanh_times_sum", "matmul_of_itself", "softmax", "scalar"])
def test_matches_finite_differences(fn, rng):
    x = rng.standard_normal(6)
    np.testing.assert_allclose(jacobian(fn, x), finite_difference_jacobian(fn, x),
                               rtol=1e-6, atol=1e-8)


def test_residual_block_is_identity_plus_branch(rng):
    """Seed 002's closed form: I + diag(z2 > 0) W2 diag(z1 > 0) W1."""
    w1, w2, x = 0.3 * rng.standard_normal((8, 8)), 0.3 * rng.standard_normal((8, 8)), \
        rng.standard_normal(8)
    z1 = w1 @ x
    z2 = w2 @ np.maximum(z1, 0)
    closed = np.eye(8) + np.diag(z2 > 0) @ w2 @ np.diag(z1 > 0) @ w1
    np.testing.assert_allclose(jacobian(residual_block(w1, w2), x), closed, rtol=0, atol=1e-14)


def test_shape_is_output_shape_then_input_shape(rng):
    x = rng.standard_normal((2, 3))
    assert jacobian(lambda t: t.sum(axis=0), x).shape == (3, 2, 3)
    assert jacobian(lambda t: t.sum(), x).shape == (2, 3)


def test_leaves_the_callers_tensor_alone():
    x = Tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(jacobian(lambda t: 3 * t, x), 3 * np.eye(2))
    assert x.grad is None


def test_output_not_depending_on_x_gives_zeros():
    np.testing.assert_array_equal(jacobian(lambda t: Tensor([1.0, 2.0]), [0.0, 0.0, 0.0]),
                                  np.zeros((2, 3)))


def test_float32_input_gives_float32_jacobian():
    x = Tensor(np.ones(3, dtype=np.float32))
    assert jacobian(lambda t: t * 2, x).dtype == np.float32


def test_fn_must_return_a_tensor():
    with pytest.raises(TypeError, match="jacobian: fn must return a Tensor, got ndarray"):
        jacobian(lambda t: t.data, [1.0])


def test_matches_torch(torch, rng):
    w1, w2, x = rng.standard_normal((5, 4)), rng.standard_normal((3, 5)), rng.standard_normal(4)
    ours = jacobian(lambda t: ((t @ Tensor(w1).T).tanh() @ Tensor(w2).T).sigmoid(), x)
    theirs = torch.autograd.functional.jacobian(
        lambda t: torch.sigmoid(torch.tanh(t @ torch.tensor(w1).T) @ torch.tensor(w2).T),
        torch.tensor(x))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-14)


def test_grad_function_leaves_dot_grad_untouched():
    x = Tensor([1.0, 2.0], requires_grad=True)
    unused = Tensor([3.0], requires_grad=True)
    x.grad = np.array([100.0, 100.0])
    h = x * x
    gx, gh, gu = tinygrad_res.grad((h * 3.0).sum(), [x, h, unused], materialize_grads=True)
    np.testing.assert_array_equal(gx, [6.0, 12.0])
    np.testing.assert_array_equal(gh, [3.0, 3.0])
    np.testing.assert_array_equal(gu, [0.0])
    np.testing.assert_array_equal(x.grad, [100.0, 100.0])
    assert h.grad is None and unused.grad is None


def test_grad_function_with_grad_output():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (gx,) = tinygrad_res.grad(x * 4.0, [x], np.array([1.0, 0.5]))
    np.testing.assert_array_equal(gx, [4.0, 2.0])


def test_grad_refuses_what_torch_autograd_grad_refuses(torch):
    x, unused = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="grad: input 1 was not used to compute the output"):
        tinygrad_res.grad(y, [x, unused])  # zeros would hide a cut graph (x.data used, say)
    gx, gu = tinygrad_res.grad(y, [x, unused], allow_unused=True)
    assert gu is None
    with pytest.raises(RuntimeError, match="grad: input 0 does not require grad"):
        tinygrad_res.grad(y, [Tensor([1.0])])
    tx, tu = torch.tensor([1.0, 2.0], requires_grad=True), torch.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        torch.autograd.grad((tx * tx).sum(), [tx, tu])
    assert torch.autograd.grad((tx * tx).sum(), [tx, tu], allow_unused=True)[1] is None


def test_grad_takes_one_tensor_as_its_inputs_as_torch(torch):
    x = Tensor([1.0, 2.0], requires_grad=True)
    # a Tensor iterates over its rows: taken as a list of inputs, each row would be unused
    (gx,) = tinygrad_res.grad((x * x).sum(), x)
    np.testing.assert_array_equal(gx, [2.0, 4.0])
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(torch.autograd.grad((t * t).sum(), t)[0].numpy(), gx)
