"""The insides of the blocks a drawing folds into one node, each drawn as a graph of its own.

A 100-block network is drawn as a chain of 100 block nodes (layout.py folds them); the stepper
page opens a block on click and shows its ops. Each folded block is drawn here with the node
ids it would have in the full drawing (`t5`, `op5`: none of them is drawn in the folded graph,
so the ids stay unique on the page), its nested modules boxed, and the tensors it reads from
outside drawn as dashed grey boxes. All blocks are rendered in one run of the renderer: Graphviz
lays out every graph of its input in turn.
"""
from __future__ import annotations

import re

from .graph import COLOURS, GraphView, _tensor_kind, _tensor_label
from .layout import Cluster, Layout, edge_id
from .renderer import pipe
from .scope import parent_chain


def folded_clusters(layout: Layout) -> list:
    """The folded blocks drawn in the graph (a block folded inside a folded block is not)."""
    return [c for c in layout.clusters if c.collapsed]


def stand_in_id(block: str, tensor_id: str) -> str:
    """The id, in block `block`'s drawing, of the box that stands for a tensor from outside."""
    return f"{block}_{tensor_id}"


def _block_dot(layout: Layout, block: Cluster, rankdir: str, show: str) -> GraphView:
    index = layout.index
    inside = {n for n, shown in layout.display.items() if shown == block.node_id}
    graph = GraphView(f"block_{block.node_id}", graph_attr={
        "rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.3", "fontname": "Helvetica",
        "fontsize": "11", "tooltip": " "},  # the page's bar above it names the block
        node_attr={"fontname": "Helvetica", "fontsize": "10", "style": "filled",
                   "penwidth": "0.8"},
        edge_attr={"arrowsize": "0.6", "color": "#666666", "penwidth": "0.9"})
    boxes, around = {}, {}  # frame -> its box; frame -> the box (or graph) it sits in

    def home(node_id: str) -> GraphView:
        """The box of the nested module a node sits in, made on first use (outer first)."""
        chain = []
        for frame in parent_chain(layout.frames.get(node_id)):
            if frame is block.frame:
                break
            chain.append(frame)
        target = graph
        for frame in reversed(chain):
            if frame not in boxes:
                label = layout.by_frame[frame].label
                boxes[frame] = GraphView(f"cluster_{block.node_id}_{len(boxes)}", graph_attr={
                    "label": label, "style": "rounded,filled", "fillcolor": COLOURS["cluster"],
                    "color": "#aaaaaa", "fontsize": "10", "labeljust": "l", "tooltip": label})
                around[frame] = target
            target = boxes[frame]
        return target

    outside: dict = {}  # tensor id drawn in the main graph -> its stand-in node here
    skip_adds = {out for out, _ in layout.skips}
    for t in index.tensors:
        tid = index.tensor_id(t)
        if tid in inside:
            home(tid).node(tid, _tensor_label(t, index.name(t), show, rankdir), id=tid,
                           shape="record", fillcolor=COLOURS[_tensor_kind(t, index.root)],
                           tooltip=index.name(t))
        if t.is_leaf or index.op_id(t) not in inside:
            continue
        op = index.op_id(t)
        home(op).node(op, t.op, id=op, shape="ellipse", fontsize="9", width="0.3",
                      height="0.25", margin="0.04,0.02", tooltip=t.op,
                      fillcolor=COLOURS["skip_add" if id(t) in skip_adds else "op"])
        for slot, parent in enumerate(t.parents):
            source = index.tensor_id(parent)
            if source not in inside:
                if source not in outside:
                    outside[source] = stand_in_id(block.node_id, source)
                    graph.node(outside[source], _tensor_label(parent, index.name(parent),
                                                              show, rankdir),
                               id=outside[source], shape="record", style="dashed",
                               color="#888888",
                               fontcolor="#555555", tooltip=f"{index.name(parent)} (outside)")
                source = outside[source]
            # the edge keeps the full drawing's id (the page's step data names edges so)
            style = {"id": edge_id(index.tensor_id(parent), op, slot)}
            if (id(t), slot) in layout.skips:
                style.update(color=COLOURS["skip_edge"], penwidth="2.4", label="skip",
                             fontcolor=COLOURS["skip_edge"], fontsize="9")
            graph.edge(source, op, **style)
        if index.tensor_id(t) in inside:
            graph.edge(op, index.tensor_id(t), id=edge_id(op, index.tensor_id(t)))
    for frame in sorted(boxes, key=lambda f: -f.depth):  # inner boxes are attached first
        around[frame].subgraph(boxes[frame])
    return graph


def folded_block_svgs(layout: Layout, rankdir: str, show: str) -> dict:
    """{folded node id: the SVG of its inside}, rendered in one run of the renderer."""
    blocks = folded_clusters(layout)
    if not blocks:
        return {}
    source = "\n".join(_block_dot(layout, block, rankdir, show).source for block in blocks)
    svgs = re.findall(r"<svg\b.*?</svg>", pipe(source, "svg").decode("utf-8"), re.S)
    if len(svgs) != len(blocks):
        raise RuntimeError(f"stepper: the renderer drew {len(svgs)} graphs for {len(blocks)} "
                           f"folded blocks; it must lay out every graph of its input (as "
                           f"dot does)")
    svgs = [re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S) for svg in svgs]
    # Graphviz calls every drawing's top group 'graph0' (or 'page0,1_graph0'): unique per block
    return {block.node_id: re.sub(r'id="(a_)?(?:page[^"]*_)?graph0"',
                                  lambda m: f'id="{m.group(1) or ""}{block.node_id}_graph"', svg)
            for block, svg in zip(blocks, svgs)}
