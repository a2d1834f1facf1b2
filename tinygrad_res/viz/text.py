"""The steps of a trace as plain text, for the terminal (python -m tinygrad_res.viz)."""
from __future__ import annotations

import sys
from typing import Iterable, Optional, TextIO

from .summary import format_array, format_shape
from .trace import BackwardStep, ForwardStep, GradientSent



def describe_sent(sent: GradientSent) -> list:
    """Lines saying what one input receives, with the accumulation when it is a second share."""
    name = sent.to.name
    if sent.contribution is None:
        return [f"  {name}: constant, needs no gradient"]
    via = " (via the skip connection)" if sent.via_skip else ""
    lines = [f"  -> {name}{via}: {format_array(sent.contribution)}"]
    if sent.broadcast_from is not None:
        lines.append(f"     summed from {format_shape(sent.broadcast_from)} to "
                     f"{format_shape(sent.to.shape)}: {name} was broadcast in the forward pass")
    if sent.accumulated:
        lines.append(f"     {name} already had {format_array(sent.previous)}")
        lines.append(f"     {name} now has     {format_array(sent.total)}  (sum of both paths)")
    return lines


def format_backward_step(step: BackwardStep, total: int = 0) -> str:
    """A few lines explaining one backward step."""
    of = f"/{total}" if total else ""
    lines = [f"step {step.index + 1}{of}: backward through {step.op} -> {step.output.name}"
             f"{step.where}",
             f"  grad arriving at {step.output.name}: {format_array(step.grad_output)}",
             f"  rule: {step.rule}"]
    if step.formula:
        lines.append(f"  local derivative: {step.formula}")
    lines.append("  sends:")
    for sent in step.sent:
        lines.extend("  " + line for line in describe_sent(sent))
    return "\n".join(lines)


def format_forward_step(step: ForwardStep, total: int = 0) -> str:
    """A few lines explaining one forward step."""
    of = f"/{total}" if total else ""
    lines = [f"step {step.index + 1}{of}: {step.op} -> {step.output.name}{step.where}",
             f"  computes: {step.formula}"]
    for ref, value in zip(step.inputs, step.input_values):
        lines.append(f"  in  {ref.name} {format_shape(ref.shape)}: {format_array(value)}")
    lines.append(f"  out {step.output.name} {format_shape(step.output.shape)}: "
                 f"{format_array(step.value)}")
    return "\n".join(lines)


def print_trace(steps: Iterable, file: Optional[TextIO] = None) -> None:
    """Print forward or backward steps, one block each."""
    file = file or sys.stdout
    steps = list(steps)
    for step in steps:
        describe = format_backward_step if isinstance(step, BackwardStep) else format_forward_step
        print(describe(step, len(steps)), file=file)
        print(file=file)
