"""The machinery every op shares: `Function.apply` records an op in the graph, `backprop` walks
the graph back and fills every `.grad`.

An op is a subclass of `Function`: a docstring line with its forward and local derivatives, a
name, a rule in words, and two methods on numpy arrays:

    class LeakyReLU(Function):
        '''z = a where a > 0, else slope * a   dz/da = 1 where a > 0, else slope'''
        name = "leaky_relu"
        rule = "pass grad where input > 0, grad times the slope elsewhere"

        def forward(self, a, negative_slope=0.01):
            self.negative_slope = negative_slope
            self.save_for_backward(a)
            return np.where(a > 0, a, a * negative_slope)

        def backward(self, grad_output):
            (a,) = self.saved
            return np.where(a > 0, grad_output, grad_output * self.negative_slope)

`LeakyReLU.apply(x)` runs `forward` on `x.data` and returns the output as a Tensor whose
`grad_fn` is the op, with `(x,)` as its `parents` (`x * y` is `Mul.apply(x, y)`, and so on).
`backprop(loss)` visits the ops from the loss back to the inputs, hands each op's `backward`
the gradient of its output, and adds what it returns into the gradients of the op's inputs.
"""
from __future__ import annotations

import re
from typing import Callable, Optional

import numpy as np

from .anomaly_mode import caller_outside_engine, check_finite
from .grad_mode import state
from .inplace import CHANGES, check_unchanged

# 'z = a * b   dz/da = b   dz/db = a': the forward, then the derivatives, three spaces or a line
# break apart, in the first paragraph of an op's docstring
FORMULA_SEPARATOR = re.compile(r" {3,}|\n")
FORWARD_PART = re.compile(r"^z(\[[^]]*\])? = \S")  # z = ..., or z[n, o] = ...
DERIVATIVE_PART = re.compile(r"^dz/d\w+")


class Function:
    """Base class of every differentiable op; a subclass fulfils this contract.

    Class attributes, read by the graph views and checked when the class is defined:
        docstring  its first paragraph is the formula: the forward, then the local derivatives,
               three spaces or a line break apart: 'z = a * b   dz/da = b   dz/db = a'
        name   the op's name in the graph and in `Tensor.op`: 'mul'
        rule   the backward in words: 'each input gets the gradient times the other input'

    forward(*arrays, **options) -> array
        The output, from the inputs' numpy arrays. Input arrays (or views of them) and the
        output that backward needs are kept with `save_for_backward(...)` (read back as
        `self.saved`): backprop checks that nothing kept there was changed in place since.
        Other values (shapes, options) may be attributes of `self`.
    backward(grad_output) -> one gradient per input (a tuple; a lone array for one input)
        grad_output is d(loss)/d(output), shaped like the output. Each gradient has the output's
        (broadcast) shape or the input's own: `unbroadcast` sums it down to the input's shape,
        here, once, for every op. None stands for an input that needs no gradient
        (`needs_input_grad` says which do).
    """

    name = "function"
    rule = ""
    registry: dict = {}  # class name -> class of every op defined (ops/__init__.py exports them)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_op_class(cls)
        Function.registry[cls.__name__] = cls

    @classmethod
    def formula(cls) -> tuple:
        """('z = a * b', ['dz/da = b', 'dz/db = a']): the docstring's first paragraph, parted."""
        forward, *derivatives = formula_parts(cls.__doc__)
        return forward, derivatives

    def save_for_backward(self, *values) -> None:
        self.saved = values

    def forward(self, *arrays, **options) -> np.ndarray:
        raise NotImplementedError(f"{self.name}: forward is not implemented")

    def backward(self, grad_output: np.ndarray):
        raise NotImplementedError(f"{self.name}: backward is not implemented")

    @property
    def needs_input_grad(self) -> tuple:
        """For each input, whether it needs a gradient: backward may skip the others."""
        return tuple([t._requires_grad for t in self.parents])  # the flag, not its property

    @classmethod
    def apply(cls, *inputs: "Tensor", **options) -> "Tensor":
        """Run the op on Tensors and record it in the graph if any input needs a gradient."""
        fn = cls()
        try:
            data = fn.forward(*[t.data for t in inputs], **options)
        except ValueError as error:  # numpy's message names neither the op nor the shapes
            if "broadcast" not in str(error):
                raise
            shapes = " with ".join(str(t.shape) for t in inputs)
            raise ValueError(f"{cls.name}: cannot broadcast {shapes}") from None
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        if state.grad_enabled:
            for t in inputs:
                if t._requires_grad:  # backward will reach this op: record it (the flag itself:
                    # the requires_grad property costs a call, and this runs for every op)
                    fn.parents, fn.scope, fn.changes = inputs, state.scope, CHANGES.count
                    if state.anomaly:
                        fn.created_at = caller_outside_engine()
                        check_finite(fn, (data,), "forward")
                    return Tensor._from_op(data, fn)
        return Tensor._from_op(data, None)  # no input needs a gradient: a constant


def check_op_class(cls: type) -> None:
    """TypeError unless an op class has a name, a rule, and a docstring in the formula form."""
    problems = []
    if "name" not in cls.__dict__ or not re.fullmatch(r"[a-z][a-z0-9_]*", str(cls.name)):
        problems.append("set name = '<snake_case name>'")
    if not isinstance(cls.__dict__.get("rule"), str) or not cls.rule.strip():
        problems.append("set rule = '<what backward does with the gradient, in words>'")
    parts = formula_parts(cls.__doc__)
    if len(parts) < 2 or not FORWARD_PART.match(parts[0]) or \
            not all(DERIVATIVE_PART.match(part) for part in parts[1:]):
        problems.append("start the docstring with 'z = <forward>   dz/da = <derivative>   ...' "
                        "(parts three spaces or a line break apart)")
    if problems:
        raise TypeError(f"op {cls.__name__}: " + "; ".join(problems))


def formula_parts(doc) -> list:
    """The parts of a docstring's first paragraph: ['z = a * b', 'dz/da = b', 'dz/db = a']."""
    paragraph = re.split(r"\n\s*\n", (doc or "").strip())[0]
    return [part.strip() for part in FORMULA_SEPARATOR.split(paragraph) if part.strip()]


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` down to `shape`, undoing numpy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of size 1, so the
    input's gradient is the sum of the output gradient over those axes.

    >>> unbroadcast(np.ones((4, 3)), (3,))
    array([4., 4., 4.])
    """
    if grad.shape == shape:
        return grad
    # BEGIN TASK 2.1
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return np.asarray(grad)
    # END TASK 2.1


def fit_gradient(grad: np.ndarray, tensor: "Tensor", grad_output: np.ndarray) -> np.ndarray:
    """An op's gradient for input `tensor`, made fit to be added into the tensor's gradient.

    - shape: an input broadcast in the forward pass gets a gradient of the output's shape;
      `unbroadcast` sums it back to the input's shape.
    - dtype: numpy may promote (float32 data times a float64 number); the gradient of a float32
      tensor stays float32.
    - memory: a leaf keeps its gradient, and an optimizer may change it in place, so it must not
      be an array another tensor holds too: an op that passes `grad_output` on unchanged (add) or
      as a view (reshape) gets a copy. Other tensors' gradients are for reading and may share.
    Most gradients already fit; checking is cheaper than converting.
    """
    data = tensor.data
    if grad.shape != data.shape:
        grad = unbroadcast(grad, data.shape)
    if type(grad) is not np.ndarray or grad.dtype != data.dtype:
        grad = np.asarray(grad, dtype=data.dtype)
    if tensor.grad_fn is None and (grad is grad_output or grad.base is not None):
        grad = grad.copy()
    return grad


def topological_order(root: "Tensor") -> list:
    """Every tensor `root` was computed from, and root, each once; a tensor comes after all the
    tensors it was computed from (its op's inputs).

    With an explicit stack instead of recursion: a chain of 10,000 ops works.

    >>> from tinygrad_res import Tensor
    >>> x = Tensor([1.0], requires_grad=True, name="x")
    >>> y = x * 2.0                   # the number 2.0 becomes a constant tensor (no op, no name)
    >>> [t.op or t.name for t in topological_order(y + x)]
    ['x', None, 'mul', 'add']
    """
    # BEGIN TASK 3.1
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:  # every input of its op is in `order` already
            order.append(tensor)
        elif tensor not in visited:
            visited.add(tensor)
            stack.append((tensor, True))  # popped again once its inputs are done
            if tensor.grad_fn is not None:  # made by an op: the op's inputs come first
                for parent in reversed(tensor.grad_fn.parents):  # first input listed first
                    if parent not in visited:
                        stack.append((parent, False))
    return order
    # END TASK 3.1


def backprop(root: "Tensor", grad=None, write_grad: bool = True,
             on_step: Optional[Callable] = None) -> dict:
    """Fill `.grad` of every tensor `root` depends on that requires grad: d root / d tensor.

    A tensor's gradient is the sum of what every op that used it sends back, so the ops are
    visited in reverse topological order: when a tensor's turn comes, every op using it has
    sent its share. `grad` seeds a non-scalar root, as in `root.backward(grad)`.
    Returns {tensor: its gradient from this call}. `write_grad=False` leaves every `.grad`
    alone (autograd.grad, the graph views); `on_step(tensor, grad, input_grads)` is called after
    each op's backward with what it returned (the graph views trace the steps with it).
    """
    grads = {root: seed_gradient(root, grad)}
    anomaly = state.anomaly  # read once: a per-thread lookup
    for tensor in reversed(topological_order(root)):
        grad = grads.get(tensor)
        if grad is None:  # a constant, or no op sent it anything
            continue
        if write_grad:  # gradients accumulate across backward calls until zero_grad()
            tensor.grad = grad if tensor.grad is None else tensor.grad + grad
        fn = tensor.grad_fn
        if fn is None:  # a leaf: nothing further back
            continue
        if fn.changes != CHANGES.count:  # something was changed in place since fn ran
            check_unchanged(fn, tensor)
        # BEGIN TASK 3.2
        input_grads = fn.backward(grad)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        for parent, parent_grad in zip(fn.parents, input_grads):
            if parent_grad is None or not parent._requires_grad:  # (the requires_grad flag)
                continue
            parent_grad = fit_gradient(parent_grad, parent, grad)
            previous = grads.get(parent)
            grads[parent] = parent_grad if previous is None else previous + parent_grad
        # END TASK 3.2
        if anomaly and hasattr(fn, "created_at"):
            check_finite(fn, input_grads, "backward")
        if on_step is not None:
            on_step(tensor, grad, input_grads)
    return grads


def seed_gradient(root: "Tensor", grad) -> np.ndarray:
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


from .tensor import Tensor  # noqa: E402  (tensor.py imports the ops, which import this module)
