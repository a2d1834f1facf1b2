"""Graph views: draw a computation graph, step through its forward and backward passes.

    >>> from tinygrad_res import viz
    >>> loss = viz.residual_mlp_example()              # or any scalar Tensor
    >>> g = viz.draw_graph(loss)                       # a graphviz.Digraph (inline in Jupyter)
    >>> viz.render(g, "out/graph.svg")                 # dot, else graphviz-pure
    PosixPath('out/graph.svg')
    >>> steps = list(viz.trace_backward(loss))         # plain data, one step per op
    >>> print(viz.format_backward_step(steps[0]))      # doctest: +ELLIPSIS
    step 1: backward through mean -> loss (in loss)
      grad arriving at loss: 1
    ...
    >>> viz.save_stepper(loss, "out/stepper.html")     # one self-contained page
    PosixPath('out/stepper.html')

`draw_graph`, `GraphView` and `save_stepper` need the graphviz Python package; they are
imported on first use so that `viz.scope` (used by nets while building graphs) needs nothing.
"""
from .example import residual_mlp_example
from .inline import Stepper, show_stepper
from .naming import name_modules
from .renderer import RendererNotFound, find_renderer, pipe, render
from .scope import ScopeFrame, current_scope, scope, scope_of
from .summary import format_array
from .text import format_backward_step, format_forward_step, print_trace
from .trace import (BackwardStep, ForwardStep, GradientSent, TensorRef, gradients_after,
                    trace_backward, trace_forward)

_NEED_GRAPHVIZ = {"draw_graph": "graph", "GraphView": "graph", "COLOURS": "graph",
                  "save_stepper": "stepper", "stepper_html": "stepper"}

__all__ = ["draw_graph", "GraphView", "COLOURS", "render", "pipe", "find_renderer",
           "RendererNotFound", "scope", "scope_of", "current_scope", "ScopeFrame",
           "trace_backward", "trace_forward", "gradients_after", "BackwardStep", "ForwardStep",
           "GradientSent", "TensorRef", "format_backward_step", "format_forward_step",
           "print_trace", "format_array", "save_stepper", "stepper_html", "name_modules",
           "residual_mlp_example"]


def __getattr__(name: str):
    if name in _NEED_GRAPHVIZ:
        from importlib import import_module
        return getattr(import_module(f".{_NEED_GRAPHVIZ[name]}", __name__), name)
    raise AttributeError(f"module 'tinygrad_res.viz' has no attribute {name!r}")
