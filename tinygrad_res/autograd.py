"""Reverse-mode differentiation over the recorded graph.

`backprop(root, seed)` walks the graph from the output back to the leaves, in reverse
topological order, so that each node's gradient is complete (every path into it summed) before
it is passed on to the node's inputs. The order is built with an explicit stack, not recursion:
a chain of 10,000 ops works.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from .function import _check_finite, _state, unbroadcast


def topological_order(root) -> list:
    """Every node that `root` depends on and that requires grad, inputs before outputs."""
    # BEGIN TASK 3.1
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        fn = node._fn
        if fn is not None:
            for parent in fn.parents:
                if parent.requires_grad and parent not in visited:
                    if parent._fn is None:  # a leaf has no inputs: it can go straight in
                        visited.add(parent)
                        order.append(parent)
                    else:
                        stack.append((parent, False))
    return order
    # END TASK 3.1


def backprop(root, seed: np.ndarray) -> Iterator[tuple]:
    """Yield `(node, gradient of root w.r.t. node)` for each node, output first.

    A node used by several ops (the skip connection) receives the sum of their contributions:
    the gradients are accumulated in `pending` until the node's turn comes. A leaf's gradient
    is an array of its own (an optimizer may change it in place); other nodes' gradients may
    share memory with their neighbours'.
    """
    pending = {root: seed}
    anomaly = _state.anomaly  # read once: it is a per-thread lookup
    for node in reversed(topological_order(root)):
        grad = pending.pop(node, None)
        if grad is None:
            continue
        yield node, grad
        fn = node._fn
        if fn is None:
            continue
        # BEGIN TASK 3.2
        input_grads = fn.backward(grad)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        # END TASK 3.2
        if anomaly and hasattr(fn, "created_at"):
            _check_finite(fn, input_grads, "backward")
        for parent, parent_grad in zip(fn.parents, input_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            # a gradient is an array of its tensor's shape and dtype (float32 stays float32);
            # most already are, and checking is cheaper than converting
            data = parent.data
            if parent_grad.shape != data.shape:
                parent_grad = unbroadcast(parent_grad, data.shape)
            if type(parent_grad) is not np.ndarray or parent_grad.dtype != data.dtype:
                parent_grad = np.asarray(parent_grad, dtype=data.dtype)
            # a leaf's gradient must not be another node's: copy one the op passed through
            # unchanged (an add) or a view into another array; new arrays are kept as they are
            if parent._fn is None and (parent_grad is grad or parent_grad.base is not None):
                parent_grad = parent_grad.copy()
            # BEGIN TASK 3.2
            previous = pending.get(parent)
            pending[parent] = parent_grad if previous is None else previous + parent_grad
            # END TASK 3.2


def seed_gradient(root, grad) -> np.ndarray:
    """The gradient backward starts from: 1 for a scalar output, else the given `grad`."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad: no input of its graph was created "
            "with requires_grad=True (or it was computed under no_grad())")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: grad can be implied only for a scalar output, got shape "
                f"{root.shape}; pass grad= with that shape")
        return np.ones_like(root.data)
    grad = np.array(getattr(grad, "data", grad), dtype=root.dtype)  # a copy: ours to hand on
    if grad.shape != root.shape:
        raise ValueError(
            f"backward: grad has shape {grad.shape} but the output has shape {root.shape}")
    return grad


def grad(output, inputs: Sequence, grad_output=None) -> list:
    """Gradients of `output` w.r.t. each of `inputs`, without touching any `.grad`.

    Like `torch.autograd.grad`. An input that `output` does not depend on gets zeros.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> grad((x * x).sum(), [x])
    [array([2., 4.])]
    """
    wanted, found = set(inputs), {}
    for node, node_grad in backprop(output, seed_gradient(output, grad_output)):
        if node in wanted:
            found[node] = node_grad
    return [found[t] if t in found else np.zeros_like(t.data) for t in inputs]
