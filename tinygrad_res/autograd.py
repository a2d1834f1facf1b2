"""Gradients without touching `.grad`: `grad` (torch.autograd.grad) and `jacobian`.

Reverse mode gives one row of a Jacobian per backward pass: seeding backward with the unit
vector e_k returns e_k^T J, the gradient of output entry k with respect to each input.
Stacking those rows for every k gives J. This is how seed 002's block Jacobian
I + diag(relu') W2 diag(relu') W1 is measured rather than derived, and what `gradcheck`
compares with finite differences.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .function import backprop
from .tensor import Tensor


def grad(outputs: Tensor, inputs, grad_outputs=None, retain_graph=None,
         create_graph: bool = False, allow_unused=None, materialize_grads: bool = False) -> list:
    """Gradients of `outputs` w.r.t. each of `inputs` (a Tensor or a sequence of them), without
    touching any `.grad`: torch.autograd.grad for one output.

    As in PyTorch, an input that `outputs` does not depend on is a RuntimeError, unless
    `allow_unused=True` (its gradient is None) or `materialize_grads=True` (zeros); so is an
    input that does not require grad. The graph is always kept (`retain_graph` is ignored);
    `create_graph=True` is not supported. Returns a list, one array (or None) per input.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> grad((x * x).sum(), [x])
    [array([2., 4.])]
    """
    if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
        outputs = outputs[0]
    if not isinstance(outputs, Tensor):
        raise TypeError(f"grad: takes one output Tensor, got {type(outputs).__name__}")
    if create_graph:
        raise NotImplementedError("grad: create_graph=True is not supported")
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad (or is not a Tensor): "
                               f"no gradient can reach it")
    found = backprop(outputs, grad_outputs, write_grad=False)
    unused = [i for i, t in enumerate(inputs) if t not in found]
    if unused and not (allow_unused or materialize_grads):
        raise RuntimeError(f"grad: input {unused[0]} was not used to compute the output (its "
                           f"gradient would be zero everywhere); pass allow_unused=True for "
                           f"None, or materialize_grads=True for zeros")
    return [found[t] if t in found else np.zeros_like(t.data) if materialize_grads else None
            for t in inputs]


def jacobian_rows(output: Tensor, inputs: Sequence[Tensor]) -> list:
    """d output / d input for each input, shape output.shape + input.shape: one backward pass per
    output entry, each seeded with a unit vector."""
    result = [np.zeros(output.shape + t.shape, dtype=t.dtype) for t in inputs]
    if not output.requires_grad:
        return result
    for k in np.ndindex(*output.shape):
        seed = np.zeros(output.shape, dtype=output.dtype)
        seed[k] = 1.0
        for rows, row in zip(result, grad(output, inputs, seed, materialize_grads=True)):
            rows[k] = row
    return result


def jacobian(fn: Callable, x) -> np.ndarray:
    """d fn(x) / d x as an array of shape fn(x).shape + x.shape (torch.autograd.functional's
    jacobian, for one input).

    `x` is a Tensor or anything Tensor() accepts. The function runs on a fresh leaf copy of
    `x`, so `x.grad` and `x`'s own graph are left alone. An output that does not depend on
    `x` gives zeros.

    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> jacobian(lambda t: Tensor(A) @ t, np.array([1.0, -1.0]))
    array([[1., 2.],
           [3., 4.]])
    """
    if isinstance(x, Tensor):
        leaf = Tensor(x.data, requires_grad=True, dtype=x.dtype)
    else:
        leaf = Tensor(x, requires_grad=True)
    out = fn(leaf)
    if not isinstance(out, Tensor):
        raise TypeError(f"jacobian: fn must return a Tensor, got {type(out).__name__}")
    return jacobian_rows(out, [leaf])[0]
