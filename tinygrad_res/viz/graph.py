"""draw_graph: a tensor's computation graph as a graphviz.Digraph.

Tensors are record nodes (name, shape, data, and grad once backward has run), ops are small
ovals between them, skip connections are thick red edges, and ops recorded inside
`viz.scope(...)` blocks sit in grey boxes. The result renders with `render()` and shows
inline in Jupyter.
"""
from __future__ import annotations

import re
from typing import Optional

import numpy as np

try:
    import graphviz
except ImportError:  # the engine itself needs only numpy
    raise ImportError("tinygrad_res.viz.draw_graph needs the graphviz Python package: "
                      "pip install graphviz (or pip install -e .[viz])") from None

from ..tensor import Tensor
from .layout import ClusterSpec, Layout, build_layout
from .walk import Names
from .renderer import pipe
from .summary import format_array, format_shape

COLOURS = {
    "parameter": "#cfe2f3",     # leaf that needs a gradient (weights, biases): blue
    "constant": "#eeeeee",      # leaf without gradient (data, targets, numbers): grey
    "intermediate": "#fff2cc",  # output of an op: yellow
    "output": "#d9ead3",        # the tensor the graph was drawn from (the loss): green
    "op": "#fce5cd",            # an op: orange
    "skip_add": "#f4cccc",      # an add that closes a skip connection: red tint
    "collapsed": "#e4dcf5",     # a whole block drawn as one node: lavender
    "cluster": "#f6f6f6",       # the box of a scope
    "skip_edge": "#d62728",     # the skip connection itself: red
}


class GraphView(graphviz.Digraph):
    """A graphviz.Digraph that Jupyter shows inline with whichever renderer is installed
    (system `dot` or graphviz-pure), where a plain Digraph needs the system `dot`."""

    def _repr_image_svg_xml(self) -> str:
        return pipe(self.source, "svg").decode("utf-8")

    def _repr_image_png(self) -> bytes:
        return pipe(self.source, "png")


def _record_text(text: str) -> str:
    """Escape the characters that structure a record label."""
    return re.sub(r'([{}|<>"\\])', r"\\\1", text)


def _tensor_label(tensor, name: str, show: str, rankdir: str) -> str:
    fields = [name, format_shape(tensor.shape)]
    if tensor.dtype != np.float64:
        fields[1] += f" {tensor.dtype}"
    if show == "values":
        fields.append("data " + format_array(tensor.data, max_values=6, digits=3))
        if tensor.grad is not None:
            fields.append("grad " + format_array(tensor.grad, max_values=6, digits=3))
    body = "|".join(_record_text(f) for f in fields)
    # a record's fields stack across the rank direction: braces turn them for top-down graphs
    return body if rankdir in ("LR", "RL") else "{" + body + "}"


def _tensor_kind(tensor, root) -> str:
    if tensor is root:
        return "output"
    if not tensor.is_leaf:
        return "intermediate"
    return "parameter" if tensor.requires_grad else "constant"


def check_options(tensor, rankdir: str, show: str, max_depth, max_clusters) -> None:
    """TypeError or ValueError naming the option of draw_graph (or save_stepper) that is wrong."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(tensor).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), "
                         f"got {rankdir!r}")
    if show not in ("values", "shapes"):
        raise ValueError(f"draw_graph: show must be 'values' or 'shapes', got {show!r}")
    for option, value in (("max_depth", max_depth), ("max_clusters", max_clusters)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"draw_graph: {option} must be None or an int >= 0, got {value!r}")


def draw_graph(tensor, rankdir: str = "LR", show: str = "values", clusters: ClusterSpec = "scope",
               max_depth: Optional[int] = None, max_clusters: Optional[int] = 16,
               title: Optional[str] = None, names: Names = None) -> GraphView:
    """Draw the graph that computed `tensor`.

    Parameters
    ----------
    tensor : the output to draw from (usually the loss).
    rankdir : 'LR' (left to right) or 'TB' (top to bottom).
    show : 'values' adds a data summary (and a grad summary once backward ran) to each
        tensor; 'shapes' keeps only name and shape.
    clusters : 'scope' groups ops by the `viz.scope()` they ran in; a mapping {tensor: name}
        or a function tensor -> name (or None) groups by your own labels ('net/block2' nests);
        None draws no boxes.
    max_depth : boxes nested deeper than this are drawn as one node each (0: every top-level
        box is one node).
    max_clusters : when a box (or the top level) holds more boxes than this, each of them is
        drawn as one node: a 100-block network shows 100 block nodes, not 600 op nodes.
    title : a caption under the graph.
    names : labels for tensors, as {name: tensor} or (name, tensor) pairs; pass
        `model.named_parameters()` to see 'layers.0.linear.weight' instead of 't1'.

    >>> from tinygrad_res.viz import render, residual_mlp_example
    >>> g = draw_graph(residual_mlp_example(), rankdir="TB", show="shapes")
    >>> g.source.splitlines()[0]          # in Jupyter, `g` alone draws the graph inline
    'digraph computation_graph {'
    >>> render(g, "out/loss.svg")
    PosixPath('out/loss.svg')
    """
    check_options(tensor, rankdir, show, max_depth, max_clusters)
    layout = build_layout(tensor, clusters, max_depth, max_clusters, names)
    return layout_to_dot(layout, rankdir, show, title)


def layout_to_dot(layout: Layout, rankdir: str, show: str, title: Optional[str]) -> GraphView:
    """The DOT graph of a layout (build_layout): what draw_graph returns, and what the stepper
    page renders to SVG."""
    graph = GraphView(
        "computation_graph",
        graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.3",
                    "fontname": "Helvetica", "fontsize": "11", "label": title or "",
                    "tooltip": " "},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "style": "filled",
                   "penwidth": "0.8"},
        edge_attr={"arrowsize": "0.6", "color": "#666666", "penwidth": "0.9",
                   "fontname": "Helvetica"})
    boxes = {c: GraphView(c.node_id, graph_attr={
        "label": c.label, "style": "rounded,filled", "fillcolor": COLOURS["cluster"],
        "color": "#aaaaaa", "fontsize": "10", "labeljust": "l", "tooltip": c.label})
        for c in layout.clusters if not c.collapsed}
    _add_nodes(layout, graph, boxes, rankdir, show)
    # a subgraph is copied into its parent when attached: attach inner boxes first
    for cluster in sorted(boxes, key=lambda c: -c.frame.depth):
        parent = boxes.get(cluster.parent) if cluster.parent is not None else None
        (parent if parent is not None else graph).subgraph(boxes[cluster])
    for edge in layout.edges:
        style = {"id": edge.edge_id}
        if edge.skip:
            style.update(color=COLOURS["skip_edge"], penwidth="2.4", label="skip",
                         fontcolor=COLOURS["skip_edge"], fontsize="9")
        graph.edge(edge.source, edge.target, **style)
    return graph


def _add_nodes(layout: Layout, graph: GraphView, boxes: dict, rankdir: str, show: str) -> None:
    index = layout.index
    skip_adds = {op_out for op_out, _ in layout.skips}

    def target(node_id: str) -> GraphView:
        home = layout.home.get(node_id)
        return boxes[home] if home is not None else graph

    for t in index.tensors:
        tid = index.tensor_id(t)
        if layout.display[tid] == tid:
            attrs = {"shape": "record", "fillcolor": COLOURS[_tensor_kind(t, index.root)],
                     "tooltip": f"{index.name(t)} {format_shape(t.shape)}"}
            if t is index.root:
                attrs["penwidth"] = "2"
            target(tid).node(tid, _tensor_label(t, index.name(t), show, rankdir), id=tid, **attrs)
        op = None if t.is_leaf else index.op_id(t)
        if op is not None and layout.display[op] == op:
            colour = COLOURS["skip_add" if id(t) in skip_adds else "op"]
            target(op).node(op, t.op, id=op, shape="ellipse", fillcolor=colour,
                            fontsize="9", width="0.3", height="0.25", margin="0.04,0.02",
                            tooltip=t.op)
    for cluster in layout.clusters:
        if cluster.collapsed:
            ops = f"{cluster.op_count} op" + ("" if cluster.op_count == 1 else "s")
            target(cluster.node_id).node(
                cluster.node_id, f"{cluster.label}\\n{ops}", id=cluster.node_id, shape="box3d",
                fillcolor=COLOURS["collapsed"], tooltip=f"{cluster.label}: {ops} (collapsed)")
