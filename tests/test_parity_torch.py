"""Forward values and gradients of every op against PyTorch, in float64.

A case is (expression, torch expression or SAME, input shapes or arrays). Most expressions read
the same in both libraries (SAME); the others take the torch module first. Both sides get the
same inputs and the same random output gradient; outputs and input gradients must agree.
"""
import numpy as np
import pytest

from tinygrad_res import Tensor, concat, linear, maximum, stack, where

SAME = None
MASK = np.array([[True, False, True, True], [False, False, True, False], [True] * 4])
COND = np.array([[True], [False], [True]])
TIES = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0], [0.0, 5.0, -5.0, 5.0]])


def matmul(a, b):
    return a @ b


CASES = {
    "add broadcast": (lambda a, b: a + b, SAME, (3, 4), (4,)),
    "sub broadcast": (lambda a, b: a - b, SAME, (3, 1), (1, 4)),
    "mul outer": (lambda a, b: a * b, SAME, (3, 1), (1, 4)),
    "mul scalar": (lambda a, b: a * b, SAME, (), (3, 4)),
    "div broadcast": (lambda a, b: a / (b * b + 1.0), SAME, (2, 3, 4), (3, 1)),
    "neg and numbers": (lambda a: 2.0 - (-a) * 3.0 / 4.0 + 1.0 / (a * a + 1.0), SAME, (3, 4)),
    "pow number": (lambda a: (a * a + 0.5) ** 1.5 + a ** 3 + a ** -2, SAME, (3, 4)),
    "number ** tensor": (lambda a: 2.0 ** a, SAME, (3, 4)),
    "tensor ** tensor": (lambda a, b: (a * a + 0.5) ** b, SAME, (3, 4), (4,)),
    "pow 0 at zero": (lambda a: a ** 0 + a ** 2, SAME, np.array([0.0, 1.5])),
    "zero base": (lambda a, b: a ** b, SAME, np.array([0.0, 0.0, 2.0]), np.array([2.0, 0.0, 1.5])),
    "vec@vec": (matmul, SAME, (4,), (4,)),
    "mat@vec": (matmul, SAME, (3, 4), (4,)),
    "vec@mat": (matmul, SAME, (4,), (4, 2)),
    "mat@mat": (matmul, SAME, (3, 4), (4, 2)),
    "batched broadcast matmul": (matmul, SAME, (2, 1, 3, 4), (5, 4, 2)),
    "vec@batch": (matmul, SAME, (4,), (2, 4, 3)),
    "linear": (linear, lambda t, x, w, b: t.nn.functional.linear(x, w, b), (2, 3, 4), (5, 4), (5,)),
    "linear no bias": (linear, lambda t, x, w: t.nn.functional.linear(x, w), (3, 4), (5, 4)),
    "exp log": (lambda a: a.exp() + (a * a + 0.1).log(), SAME, (3, 4)),
    "relu with zeros": (lambda a: a.relu(), SAME, np.array([-1.0, 0.0, 2.0])),
    "tanh": (lambda a: a.tanh(), SAME, (3, 4)),
    "sigmoid large": (lambda a: a.sigmoid(), SAME,
                      np.array([-800.0, -30.0, 0.0, 0.3, 30.0, 800.0])),
    "sqrt": (lambda a: (a * a + 0.1).sqrt(), SAME, (3, 4)),
    "abs with zeros": (lambda a: a.abs(), SAME, np.array([-2.0, 0.0, 0.0, 3.0])),
    "sum tuple axis": (lambda a: a.sum(axis=(0, -1), keepdims=True),
                       lambda t, a: a.sum(dim=(0, -1), keepdim=True), (2, 3, 4)),
    "mean axis": (lambda a: a.mean(axis=1), lambda t, a: a.mean(dim=1), (2, 3, 4)),
    "mean all": (lambda a: a.mean(), SAME, (2, 3)),
    # torch.amax, like our max, shares the gradient evenly between tied maxima
    "max ties axis": (lambda a: a.max(axis=1), lambda t, a: a.amax(dim=1), TIES),
    "max ties all": (lambda a: a.max(), lambda t, a: a.amax(), TIES),
    "max ties tuple keepdims": (lambda a: a.max(axis=(0, 1), keepdims=True),
                                lambda t, a: a.amax(dim=(0, 1), keepdim=True), TIES),
    "maximum ties": (maximum, lambda t, a, b: t.maximum(a, b),
                     TIES, np.array([2.0, 3.0, 0.0, 5.0])),
    "softmax": (lambda a: a.softmax(axis=0), lambda t, a: a.softmax(dim=0), (3, 4)),
    "log_softmax large": (lambda a: (a * 500.0).log_softmax(axis=-1),
                          lambda t, a: (a * 500.0).log_softmax(dim=-1), (3, 4)),
    "reshape transpose T": (lambda a: a.reshape(4, -1).transpose(1, 0).T.transpose(0, 1),
                            SAME, (2, 3, 2)),
    "transpose 3-d": (lambda a: a.transpose(0, 2), SAME, (2, 3, 4)),
    "transpose negative": (lambda a: a.transpose(-1, -2), SAME, (2, 3, 4)),
    "permute": (lambda a: a.permute(2, 0, 1), SAME, (2, 3, 4)),
    "getitem repeated": (lambda a: a[[0, 2, 0, 0]], SAME, (3, 4)),
    "getitem mixed": (lambda a: a[1:, [3, 3, 0]], SAME, (3, 4)),
    "getitem negative": (lambda a: a[-1, ::2], SAME, (3, 4)),
    "getitem mask": (lambda a: a[MASK], lambda t, a: a[t.tensor(MASK)], (3, 4)),
    "concat": (lambda a, b: concat([a, b, a], axis=1), lambda t, a, b: t.cat([a, b, a], dim=1),
               (2, 3), (2, 1)),
    "stack": (lambda a, b: stack([a, b], axis=-1), lambda t, a, b: t.stack([a, b], dim=-1),
              (2, 3), (2, 3)),
    "where": (lambda a, b: where(COND, a, b), lambda t, a, b: t.where(t.tensor(COND), a, b),
              (3, 4), (4,)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_forward_and_gradients_match_torch(torch, name):
    ours_fn, torch_fn, *specs = CASES[name]
    if torch_fn is SAME:
        torch_fn = lambda t, *xs: ours_fn(*xs)  # noqa: E731
    rng = np.random.default_rng(sum(map(ord, name)))
    arrays = [rng.standard_normal(s) if isinstance(s, tuple) else s for s in specs]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, expected = ours_fn(*ours), torch_fn(torch, *theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    grad_output = rng.standard_normal(out.shape)
    out.backward(grad_output)
    expected.backward(torch.tensor(grad_output))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name}: gradient of input {i}")
