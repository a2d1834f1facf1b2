"""save_stepper: one self-contained HTML page that steps through the forward and backward pass.

The page holds the graph as inline SVG (rendered once, here, by dot or graphviz-pure) and the
steps of `trace_forward` / `trace_backward` as JSON, plus plain JavaScript to move through them:
no network, no CDN, so it works opened straight from disk (file://).
"""
from __future__ import annotations

import html
import json
import re
import webbrowser
from pathlib import Path
from typing import Optional, Union

from .fold import folded_block_svgs, folded_clusters, stand_in_id
from .graph import check_options, layout_to_dot
from .layout import ClusterSpec, Layout, build_layout, edge_id
from .renderer import pipe
from .summary import format_array_block, format_shape
from .trace import BackwardStep, ForwardStep, trace_backward, trace_forward
from .walk import Names

_HERE = Path(__file__).parent


def _block(label: str, text: str = "", kind: str = "") -> dict:
    """One box of the explanation. kind colours it like the graph: 'in' blue (what flows into
    the op), 'out' green (what it produces or sends), 'skip' red, 'accumulate' orange."""
    return {"label": label, "text": text, "kind": kind}



def _where(layout: Layout, op: str, source: list, targets: list, edges: list) -> dict:
    """A step's highlights: the ids of the nodes drawn (a folded block stands for the ops in
    it) and, for an op inside a folded block, the ids in that block's own drawing ('raw')."""
    show = layout.display
    ids = {"current": [show[op]], "source": [show[n] for n in source],
           "targets": [show[n] for n in targets],
           "edges": [edge_id(show[a], show[b], slot) for a, b, slot in edges]}
    block = show[op]
    if block != op:

        def inside(node: str) -> str:  # a tensor from outside the block has a stand-in there
            return node if show[node] == block else stand_in_id(block, node)

        ids["block"] = block
        ids["raw"] = {"current": [op], "source": [inside(n) for n in source],
                      "targets": [inside(n) for n in targets],
                      "edges": [edge_id(a, b, slot) for a, b, slot in edges]}
    return ids


def _box_path(layout: Layout, op: str, where: str) -> str:
    """' (in ResNet/blocks.0)': the boxes the op is drawn in (a `clusters=` mapping's or
    `name_modules`' paths), else the scope the trace recorded."""
    frame = layout.frames.get(op)
    return f" (in {'/'.join(frame.path)})" if frame is not None else where


def _backward_page_step(step: BackwardStep, layout: Layout, total: int) -> dict:
    op, out = step.op_id, step.output.id
    blocks = [_block(f"gradient arriving at {step.output.name}",
                     format_array_block(step.grad_output), "in"),
              _block("local rule", step.rule),
              _block("local derivative (g: the gradient arriving at z)",
                     step.formula.replace("   ", "\n"))]
    targets, edges = [], [(op, out, 0)]
    for slot, sent in enumerate(step.sent):
        name = sent.to.name
        edges.append((sent.to.id, op, slot))
        if sent.contribution is None:
            blocks.append(_block(f"{name}: a constant", "needs no gradient", "constant"))
            continue
        targets.append(sent.to.id)
        via = " through the skip connection" if sent.via_skip else ""
        note = ""
        if sent.broadcast_from is not None:
            note = (f"  (summed from {format_shape(sent.broadcast_from)} to "
                    f"{format_shape(sent.to.shape)}: {name} was broadcast)")
        blocks.append(_block(f"sent to {name}{via}{note}", format_array_block(sent.contribution),
                             "skip" if sent.via_skip else "out"))
        if sent.accumulated:
            blocks.append(_block(
                f"{name} gets a second gradient: the two paths add up",
                f"already had\n{format_array_block(sent.previous)}\n+ this step\n"
                f"{format_array_block(sent.contribution)}\n= now\n"
                f"{format_array_block(sent.total)}", "accumulate"))
    return {"title": f"Step {step.index + 1} / {total}: backward through {step.op} "
                     f"\u2192 {step.output.name}{_box_path(layout, op, step.where)}",
            **_where(layout, op, [out], targets, edges), "blocks": blocks}


def _forward_page_step(step: ForwardStep, layout: Layout, total: int) -> dict:
    op = step.op_id
    blocks = [_block("computes", step.formula)]
    edges = [(op, step.output.id, 0)]
    for slot, (ref, value) in enumerate(zip(step.inputs, step.input_values)):
        edges.append((ref.id, op, slot))
        blocks.append(_block(f"input {ref.name} {format_shape(ref.shape)}",
                             format_array_block(value), "in"))
    blocks.append(_block(f"output {step.output.name} {format_shape(step.output.shape)}",
                         format_array_block(step.value), "out"))
    return {"title": f"Step {step.index + 1} / {total}: {step.op} \u2192 "
                     f"{step.output.name}{_box_path(layout, op, step.where)}",
            **_where(layout, op, [ref.id for ref in step.inputs], [step.output.id], edges),
            "blocks": blocks}


def _inline_svg(svg: str, svg_id: str = "graph-svg") -> str:
    """Renderer SVG -> an <svg> element that the page zooms by its viewBox (viewBox kept)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r'<svg width="[^"]*" height="[^"]*"',
                  f'<svg id="{svg_id}" class="graph-view"', svg, count=1)


def _blocks_html(layout: Layout, rankdir: str, show: str) -> tuple:
    """The folded blocks' own drawings (hidden until opened) and their labels for the script."""
    svgs = folded_block_svgs(layout, rankdir, show)
    info = {c.node_id: {"label": c.label, "ops": c.op_count} for c in folded_clusters(layout)}
    markup = "".join(f'<div id="block-{node}" hidden>{_inline_svg(svg, "svg-" + node)}</div>'
                     for node, svg in svgs.items())
    return markup, info


def _json_for_script(data) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(data).replace("</", "<\\/")


def stepper_html(loss, rankdir: str = "LR", show: str = "shapes",
                 clusters: ClusterSpec = "scope", max_depth: Optional[int] = None,
                 max_clusters: Optional[int] = 16, title: Optional[str] = None,
                 names: Names = None) -> str:
    """The stepper page for `loss` as a string (see `save_stepper`)."""
    check_options(loss, rankdir, show, max_depth, max_clusters)
    layout = build_layout(loss, clusters, max_depth, max_clusters, names)
    svg = pipe(layout_to_dot(layout, rankdir, show, None), "svg").decode("utf-8")
    backward, forward = list(trace_backward(loss, names=names)), list(trace_forward(loss, names))
    title = title or f"Forward and backward through {layout.index.name(loss)}"
    blocks, block_info = _blocks_html(layout, rankdir, show)
    data = {"title": title, "blocks": block_info,
            "backward": [_backward_page_step(s, layout, len(backward)) for s in backward],
            "forward": [_forward_page_step(s, layout, len(forward)) for s in forward]}
    parts = {"/*STYLE*/": (_HERE / "stepper.css").read_text(encoding="utf-8"),
             "/*SCRIPT*/": "\n".join((_HERE / name).read_text(encoding="utf-8")
                                      for name in ("stepper_view.js", "stepper.js")),
             "__TITLE__": html.escape(title), "__SVG__": _inline_svg(svg),
             "__DATA__": _json_for_script(data), "__BLOCKS__": blocks}
    template = (_HERE / "stepper.html").read_text(encoding="utf-8")
    # one pass, so that text inside a part (a tensor named __DATA__) is never replaced again
    return re.sub(r"/\*(STYLE|SCRIPT)\*/|__(TITLE|SVG|DATA|BLOCKS)__",
                  lambda match: parts[match.group(0)], template)


def save_stepper(loss, path: Union[str, Path] = "out/stepper.html", rankdir: str = "LR",
                 show: str = "shapes", clusters: ClusterSpec = "scope",
                 max_depth: Optional[int] = None, max_clusters: Optional[int] = 16,
                 title: Optional[str] = None, names: Names = None,
                 open_browser: bool = False) -> Path:
    """Write one self-contained HTML page that steps through `loss`'s forward and backward.

    Prev/next buttons, a slider and the arrow keys move through the steps; the current op is
    highlighted in the graph and explained beside it (the gradient arriving, the local rule,
    its local derivatives, what each input receives, and the sum when an input receives a
    second gradient). A graph too large to read fitted to the window is zoomed to the current
    op, and the view follows it from step to step; the wheel zooms, a drag pans, an overview
    shows where the view is. A block drawn folded (see `max_clusters`) opens on click, its
    ops highlighted as the steps pass through it. No network is needed: the SVGs and the step
    data are inside the file. The drawing options are those of `draw_graph`; for a network,
    `viz.name_modules` gives `names` and `clusters` by module path; `open_browser` opens the
    page once written.

    >>> from tinygrad_res import viz
    >>> save_stepper(viz.residual_mlp_example(), "out/stepper.html")  # open_browser=True opens it
    PosixPath('out/stepper.html')
    """
    path = Path(path)
    page = stepper_html(loss, rankdir, show, clusters, max_depth, max_clusters, title, names)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    if open_browser:
        webbrowser.open(path.resolve().as_uri())
    return path
