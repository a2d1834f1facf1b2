"""Step-by-step traces of the forward and the backward pass, as plain data.

Each step is a dataclass holding numpy arrays and strings, so the text view (text.py), the
HTML stepper (stepper.py) and a notebook all show the same thing.

    >>> from tinygrad_res.viz import residual_mlp_example
    >>> steps = list(trace_backward(residual_mlp_example()))
    >>> steps[0].op, steps[0].grad_output          # the first step starts from d loss / d loss = 1
    ('mean', array(1.))
    >>> [s.to.name for s in steps[-1].sent]       # the last: block 1's linear
    ['x', 'W1', 'b1']

Tensor ids ('t4') and op ids ('op4') are the node ids of `draw_graph` for the same output.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np

from ..function import backprop, fit_gradient
from .walk import GraphIndex, Names


@dataclass(frozen=True)
class TensorRef:
    """Which tensor a step talks about: its node id, display name and shape."""
    id: str
    name: str
    shape: tuple


@dataclass(frozen=True, eq=False)
class GradientSent:
    """What one backward step sends to one input.

    `contribution` is this op's share of the input's gradient (None for a constant, which needs
    none). When the input already had a share from an op handled earlier, `previous` holds it
    and `total` = previous + contribution: the accumulation of a tensor used twice.
    """
    to: TensorRef
    contribution: Optional[np.ndarray]
    previous: Optional[np.ndarray]
    total: Optional[np.ndarray]
    via_skip: bool = False               # sent along the short path of a skip connection
    broadcast_from: Optional[tuple] = None  # shape before unbroadcast summed it down

    @property
    def accumulated(self) -> bool:
        return self.previous is not None


@dataclass(frozen=True, eq=False)
class BackwardStep:
    """One op of the backward pass: the gradient arriving at its output, sent to its inputs."""
    index: int
    op: str
    op_id: str
    output: TensorRef
    grad_output: np.ndarray
    rule: str            # in words: 'relu: pass grad where input > 0, zero elsewhere'
    formula: str         # the op's local derivatives: 'dz/da = 1 where a > 0, else 0'
    sent: tuple
    scope: Optional[str] = None

    @property
    def where(self) -> str:
        """' (in ResMLP/block2)' for an op recorded inside a viz.scope, else ''."""
        return f" (in {self.scope})" if self.scope else ""


@dataclass(frozen=True, eq=False)
class ForwardStep:
    """One op of the forward pass: inputs in, output out."""
    index: int
    op: str
    op_id: str
    output: TensorRef
    inputs: tuple        # TensorRef per input
    input_values: tuple  # the input arrays, in the same order
    value: np.ndarray
    formula: str         # 'z = a * b'
    scope: Optional[str] = None

    where = BackwardStep.where


def _ref(index: GraphIndex, tensor) -> TensorRef:
    return TensorRef(index.tensor_id(tensor), index.name(tensor), tuple(tensor.shape))


def _scope_name(tensor) -> Optional[str]:
    frame = tensor.grad_fn.scope
    return None if frame is None else "/".join(frame.path)


def op_text(fn) -> dict:
    """What the views say about an op (its class, or an op recorded in a graph): what it
    computes, its backward rule in words, and its local derivatives, one per line.

    >>> from tinygrad_res.ops import Mul
    >>> op_text(Mul)["derivative"]
    'dz/da = b\\ndz/db = a'
    """
    forward, derivatives = fn.formula()
    return {"computes": forward, "rule": f"{fn.name}: {fn.rule}",
            "derivative": "\n".join(derivatives)}


def trace_forward(root, names: Names = None) -> Iterator[ForwardStep]:
    """One step per op that `root` depends on, in the order they ran.

    The values are those stored in the graph: a parameter changed in place since (an
    optimizer step) shows its new value. `names` labels tensors as in `draw_graph`.
    """
    index = GraphIndex(root, names)
    for number, t in enumerate(index.ops()):
        yield ForwardStep(number, t.op, index.op_id(t), _ref(index, t),
                          tuple(_ref(index, p) for p in t.parents),
                          tuple(p.data for p in t.parents), t.data, op_text(t.grad_fn)["computes"],
                          _scope_name(t))


def trace_backward(loss, grad=None, names: Names = None) -> Iterator[BackwardStep]:
    """One step per op in the order backward() handles them, output first.

    The steps come from the engine's own `backprop`, which reports what each op's backward
    returned, but no `.grad` is written: watching is not training. `grad` seeds a non-scalar
    output, as in `backward(grad)`; `names` labels tensors as in `draw_graph`.

    >>> from tinygrad_res.viz import residual_mlp_example
    >>> for step in trace_backward(residual_mlp_example()):
    ...     print(step.op, [sent.to.name for sent in step.sent])      # doctest: +ELLIPSIS
    mean ['sq']
    pow ['diff']
    ...
    """
    if not getattr(loss, "requires_grad", False):
        raise RuntimeError("trace_backward: this tensor does not require grad, so it has no "
                           "backward pass: create an input with requires_grad=True")
    index = GraphIndex(loss, names)
    skips = index.skip_slots()
    steps, received = [], {}  # received: the gradient each tensor has collected so far

    def record(node, node_grad, input_grads) -> None:
        fn, sent = node.grad_fn, []
        received.setdefault(id(node), node_grad)
        for slot, (parent, raw) in enumerate(zip(fn.parents, input_grads)):
            if raw is None or not parent.requires_grad:
                sent.append(GradientSent(_ref(index, parent), None, None, None))
                continue
            contribution = fit_gradient(raw, parent, node_grad)
            previous = received.get(id(parent))
            total = contribution if previous is None else previous + contribution
            received[id(parent)] = total
            sent.append(GradientSent(
                _ref(index, parent), contribution, previous, total,
                via_skip=(id(node), slot) in skips,
                broadcast_from=None if np.shape(raw) == parent.shape else tuple(np.shape(raw))))
        text = op_text(fn)
        steps.append(BackwardStep(len(steps), fn.name, index.op_id(node), _ref(index, node),
                                  node_grad, text["rule"], text["derivative"].replace("\n", "   "),
                                  tuple(sent), _scope_name(node)))

    backprop(loss, grad, write_grad=False, on_step=record)
    yield from steps


def gradients_after(steps) -> dict:
    """Tensor id -> the gradient it holds after the given backward steps (the last frame).

    After all steps this equals what `loss.backward()` puts in each `.grad` (starting from None).
    """
    steps = list(steps)
    if not steps:
        return {}
    grads = {steps[0].output.id: steps[0].grad_output}
    for step in steps:
        for sent in step.sent:
            if sent.total is not None:
                grads[sent.to.id] = sent.total
    return grads
