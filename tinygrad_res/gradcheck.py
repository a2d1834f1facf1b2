"""Finite differences: the independent reference every backward is checked against.

For a function f and an input x, the central difference (f(x + eps) - f(x - eps)) / (2 eps)
approximates df/dx with an error of order eps^2, without using any backward code.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .autograd import grad as autograd_grad
from .autograd import jacobian_rows
from .grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Analytic (backward) and numeric (finite-difference) gradients disagree."""


def _checked_inputs(op: str, inputs) -> list:
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}: input {i} is a {type(x).__name__}, expected a Tensor")
        if x.requires_grad and x.dtype != np.float64:
            raise TypeError(f"{op}: input {i} is {x.dtype}; finite differences need float64 "
                            f"(make it with Tensor(..., dtype=np.float64))")
    wanted = [i for i, x in enumerate(inputs) if x.requires_grad]
    if not wanted:
        raise ValueError(f"{op}: no input has requires_grad=True, nothing to check")
    return wanted


def _evaluate(fn: Callable, inputs) -> np.ndarray:
    with no_grad():
        out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    return out.data.astype(np.float64)


def _directional(fn, inputs, x: Tensor, direction: np.ndarray, eps: float) -> np.ndarray:
    """(f(x + eps d) - f(x - eps d)) / (2 eps); x holds its own array again afterwards."""
    original = x.data
    try:
        x.data = original + eps * direction
        plus = _evaluate(fn, inputs)
        x.data = original - eps * direction
        minus = _evaluate(fn, inputs)
    finally:
        x.data = original
    return (plus - minus) / (2 * eps)


def numerical_jacobian(fn: Callable, inputs, x: Tensor, eps: float = 1e-6) -> np.ndarray:
    """d fn(*inputs) / d x by central differences, of shape output.shape + x.shape: two
    evaluations of fn per entry of x, no backward code at all."""
    result = np.zeros(_evaluate(fn, inputs).shape + x.shape)
    for j in np.ndindex(*x.shape):
        direction = np.zeros(x.shape)
        direction[j] = 1.0
        result[(Ellipsis,) + j] = _directional(fn, inputs, x, direction, eps)
    return result


def numerical_grad(fn: Callable, *inputs: Tensor, eps: float = 1e-6,
                   grad_output: Optional[np.ndarray] = None) -> list:
    """Finite-difference gradients of sum(grad_output * fn(*inputs)) w.r.t. each input.

    `grad_output` defaults to ones, so for a scalar fn this is its gradient: what
    `fn(*inputs).backward()` puts in each `.grad`. Inputs without requires_grad get None.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> numerical_grad(lambda t: (t * t).sum(), x)[0].round(6)
    array([2., 4.])
    """
    wanted = _checked_inputs("numerical_grad", inputs)
    grads = [None] * len(inputs)
    for i in wanted:
        x = inputs[i]
        jac = numerical_jacobian(fn, inputs, x, eps)
        if grad_output is not None:  # weigh each output entry; trailing axes for x's entries
            jac = jac * np.expand_dims(np.asarray(grad_output, dtype=np.float64),
                                       tuple(range(-x.ndim, 0)))
        grads[i] = jac.sum(axis=tuple(range(jac.ndim - x.ndim)))
    return grads


def _input_label(inputs, i: int) -> str:
    name = inputs[i].name
    return f"input {i}" + (f" ({name!r})" if name else "") + f" of shape {inputs[i].shape}"


def gradcheck(fn: Callable, *inputs: Tensor, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, fast: bool = False, seed: int = 0) -> bool:
    """Check backward against central finite differences; True, or raise GradcheckError.

    The full check compares every entry of the Jacobian d fn / d input. `fast=True` compares
    only v^T J u for random u and v, one number per input, as PyTorch's fast mode does: one
    backward and two evaluations per input, so large inputs check in milliseconds.

    >>> x = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    >>> gradcheck(lambda t: t.tanh().sum(axis=1), x)
    True
    """
    wanted = _checked_inputs("gradcheck", inputs)
    out = fn(*inputs)
    if not isinstance(out, Tensor) or not out.requires_grad:
        raise ValueError("gradcheck: fn's output does not depend on any input that requires grad")
    tensors = [inputs[i] for i in wanted]
    if fast:
        return _fast_check(fn, inputs, wanted, out, eps, atol, rtol, seed)
    for i, analytic in zip(wanted, jacobian_rows(out, tensors)):
        numeric = numerical_jacobian(fn, inputs, inputs[i], eps)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if excess.size and excess.max() > 0:
            # plain ints: numpy 2 would print its own integers as np.int64(2)
            worst = tuple(int(n) for n in np.unravel_index(np.argmax(excess), excess.shape))
            k, j = worst[:out.ndim], worst[out.ndim:]
            raise GradcheckError(
                f"gradcheck: {_input_label(inputs, i)}, worst at entry {j} (output entry {k}): "
                f"analytic {analytic[worst]:.10g}, numeric {numeric[worst]:.10g}")
    return True


def _fast_check(fn, inputs, wanted, out, eps, atol, rtol, seed) -> bool:
    """gradcheck(fast=True): v^T J u by one backward and by two evaluations, per input."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(out.shape)
    analytic = autograd_grad(out, [inputs[i] for i in wanted], v, materialize_grads=True)
    for i, g in zip(wanted, analytic):
        u = rng.standard_normal(inputs[i].shape)
        a = float((g * u).sum())
        n = float((_directional(fn, inputs, inputs[i], u, eps) * v).sum())
        if abs(a - n) > atol + rtol * abs(n):
            raise GradcheckError(
                f"gradcheck (fast): {_input_label(inputs, i)}: v^T J u is {a:.10g} by "
                f"backward but {n:.10g} by finite differences")
    return True


def gradcheck_op(fn: Callable, *inputs: Tensor, eps: float = 1e-6, atol: float = 1e-5,
                 rtol: float = 1e-3, trials: int = 2, seed: int = 0) -> bool:
    """Check one op's backward on its own: True, or raise GradcheckError.

    `fn` applies exactly one op to the inputs (numbers and arrays may take part as
    constants), as `lambda a, b: a * b` or `lambda x: x.sum(axis=0)`. The op's `backward` is
    called directly, with random output gradients g, and each gradient it returns is compared
    to finite differences of sum(g * fn(*inputs)). No graph is walked and nothing is summed
    down: this check needs only the op itself, so the ops of assignments 1 and 2 can be
    checked before the graph walk of assignment 3 exists (`gradcheck` walks the graph).

    A gradient may have its input's shape, or the broadcast shape the op computed with (the
    graph walk sums it down, `unbroadcast`): then it is compared to the gradient for the input
    broadcast to that shape before the op. Where the op computes something else with the
    broadcast input (a vector in matmul would become a matrix), it is compared along random
    directions u of the input instead: the gradient times u broadcast, against finite
    differences along u.

    >>> a = Tensor(np.arange(1.0, 4.0), requires_grad=True)
    >>> gradcheck_op(lambda a, b: a * b, a, Tensor([[1.0], [2.0]], requires_grad=True))
    True
    """
    wanted = _checked_inputs("gradcheck_op", inputs)
    out = fn(*inputs)
    op = getattr(out, "grad_fn", None)
    if op is None:
        raise ValueError("gradcheck_op: fn's output was made by no op that needs a gradient")
    strays = [p for p in op.parents if p.requires_grad and not any(p is x for x in inputs)]
    if strays:
        raise ValueError(f"gradcheck_op: fn applies more than one op: an input of "
                         f"{op.name} was made by {strays[0].op}; check each op on its own, or "
                         f"the whole function with gradcheck")
    slots = {i: _slot(op, inputs, i) for i in wanted}
    rng = np.random.default_rng(seed)
    numeric = {}
    for _ in range(trials):
        g = rng.standard_normal(out.shape).astype(out.dtype)
        given = op.backward(g)
        given = given if isinstance(given, tuple) else (given,)
        if len(given) != len(op.parents):
            raise GradcheckError(f"gradcheck_op: {op.name}.backward returned {len(given)} "
                                 f"gradient(s) for its {len(op.parents)} input(s)")
        for i in wanted:
            analytic = given[slots[i]]
            if analytic is None:
                raise GradcheckError(f"gradcheck_op: {op.name}.backward returned None for "
                                     f"{_input_label(inputs, i)}, which requires grad")
            analytic = np.asarray(analytic)
            if analytic.shape not in numeric.setdefault(i, {}):
                numeric[i][analytic.shape] = _jacobian_for(fn, inputs, i, analytic.shape, op,
                                                           out.shape, eps)
            jac = numeric[i][analytic.shape]
            if jac is None:
                _check_along_directions(fn, inputs, i, analytic, g, op, rng, eps, atol, rtol)
                continue
            expected = np.tensordot(g.astype(np.float64), jac, axes=out.ndim)
            excess = np.abs(analytic - expected) - (atol + rtol * np.abs(expected))
            if excess.size and excess.max() > 0:
                worst = tuple(int(n) for n in np.unravel_index(np.argmax(excess), excess.shape))
                raise GradcheckError(
                    f"gradcheck_op: {op.name}.backward, {_input_label(inputs, i)}, worst at "
                    f"entry {worst} of its gradient (shape {analytic.shape}): analytic "
                    f"{analytic[worst]:.10g}, numeric {expected[worst]:.10g}")
    return True


def _slot(op, inputs, i: int) -> int:
    """Which of the op's inputs is inputs[i]: fn must pass it to the op, once."""
    uses = [k for k, p in enumerate(op.parents) if p is inputs[i]]
    if len(uses) != 1:
        raise ValueError(f"gradcheck_op: {_input_label(inputs, i)} is an input of {op.name} "
                         f"{len(uses)} times; pass each tensor once (a * b, not a * a)")
    return uses[0]


def _jacobian_for(fn, inputs, i: int, shape: tuple, op, out_shape: tuple, eps: float):
    """The numerical Jacobian w.r.t. inputs[i], or w.r.t. it broadcast to `shape` first;
    None when the op refuses the broadcast input or computes another output shape with it."""
    x = inputs[i]
    if shape == x.shape:
        return numerical_jacobian(fn, inputs, x, eps)
    try:
        broadcast = np.broadcast_shapes(x.shape, shape) == shape
    except ValueError:
        broadcast = False
    if not broadcast:
        raise GradcheckError(f"gradcheck_op: {op.name}.backward returned a gradient of shape "
                             f"{shape} for {_input_label(inputs, i)}: it must have the "
                             f"input's shape or a shape the input broadcasts to")
    stretched = Tensor(np.broadcast_to(x.data, shape).copy(), requires_grad=True)
    others = list(inputs)
    others[i] = stretched
    try:
        jac = numerical_jacobian(fn, others, stretched, eps)
    except ValueError:  # fn ran on the inputs as given: the op refuses the broadcast one
        return None
    return jac if jac.shape == tuple(out_shape) + tuple(shape) else None


def _check_along_directions(fn, inputs, i: int, analytic: np.ndarray, g: np.ndarray, op, rng,
                            eps: float, atol: float, rtol: float, directions: int = 3) -> None:
    """Compare a gradient of a broadcast shape with finite differences along random u:
    the op's input moved by u is moved by u broadcast where the op computed, so
    sum(analytic * broadcast(u)) must be sum(g * (f(x + eps u) - f(x - eps u)) / (2 eps))."""
    x = inputs[i]
    for _ in range(directions):
        u = rng.standard_normal(x.shape)
        a = float((analytic * np.broadcast_to(u, analytic.shape)).sum())
        n = float((_directional(fn, inputs, x, u, eps) * g).sum())
        if abs(a - n) > atol + rtol * abs(n):
            raise GradcheckError(
                f"gradcheck_op: {op.name}.backward, {_input_label(inputs, i)}, its gradient of "
                f"shape {analytic.shape} along a random direction: {a:.10g} by backward but "
                f"{n:.10g} by finite differences")
