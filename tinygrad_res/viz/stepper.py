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



def _backward_page_step(step: BackwardStep, layout: Layout, total: int) -> dict:
    show = layout.display
    op = show[step.op_id]
    blocks = [_block(f"gradient arriving at {step.output.name}",
                     format_array_block(step.grad_output), "in"),
              _block("local rule", step.rule),
              _block("local derivative", step.formula)]
    targets, edges = [], [edge_id(op, show[step.output.id])]
    for slot, sent in enumerate(step.sent):
        name = sent.to.name
        edges.append(edge_id(show[sent.to.id], op, slot))
        if sent.contribution is None:
            blocks.append(_block(f"{name}: a constant", "needs no gradient", "constant"))
            continue
        targets.append(show[sent.to.id])
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
                     f"\u2192 {step.output.name}{step.where}",
            "current": [op], "source": [show[step.output.id]], "targets": targets,
            "edges": edges, "blocks": blocks}


def _forward_page_step(step: ForwardStep, layout: Layout, total: int) -> dict:
    show = layout.display
    op = show[step.op_id]
    blocks = [_block("computes", step.formula)]
    edges = [edge_id(op, show[step.output.id])]
    for slot, (ref, value) in enumerate(zip(step.inputs, step.input_values)):
        edges.append(edge_id(show[ref.id], op, slot))
        blocks.append(_block(f"input {ref.name} {format_shape(ref.shape)}",
                             format_array_block(value), "in"))
    blocks.append(_block(f"output {step.output.name} {format_shape(step.output.shape)}",
                         format_array_block(step.value), "out"))
    return {"title": f"Step {step.index + 1} / {total}: {step.op} \u2192 "
                     f"{step.output.name}{step.where}",
            "current": [op], "source": [show[ref.id] for ref in step.inputs],
            "targets": [show[step.output.id]], "edges": edges, "blocks": blocks}


def _inline_svg(svg: str) -> str:
    """Renderer SVG -> an <svg> element that scales with the page (viewBox kept)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg id="graph-svg"', svg, count=1)


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
    data = {"title": title,
            "backward": [_backward_page_step(s, layout, len(backward)) for s in backward],
            "forward": [_forward_page_step(s, layout, len(forward)) for s in forward]}
    parts = {"/*STYLE*/": (_HERE / "stepper.css").read_text(encoding="utf-8"),
             "/*SCRIPT*/": (_HERE / "stepper.js").read_text(encoding="utf-8"),
             "__TITLE__": html.escape(title), "__SVG__": _inline_svg(svg),
             "__DATA__": _json_for_script(data)}
    template = (_HERE / "stepper.html").read_text(encoding="utf-8")
    # one pass, so that text inside a part (a tensor named __DATA__) is never replaced again
    return re.sub(r"/\*(STYLE|SCRIPT)\*/|__(TITLE|SVG|DATA)__",
                  lambda match: parts[match.group(0)], template)


def save_stepper(loss, path: Union[str, Path] = "out/stepper.html", rankdir: str = "LR",
                 show: str = "shapes", clusters: ClusterSpec = "scope",
                 max_depth: Optional[int] = None, max_clusters: Optional[int] = 16,
                 title: Optional[str] = None, names: Names = None,
                 open_browser: bool = False) -> Path:
    """Write one self-contained HTML page that steps through `loss`'s forward and backward.

    Prev/next buttons, a slider and the arrow keys move through the steps; the current op is
    highlighted in the graph and explained beside it (the gradient arriving, the local rule,
    what each input receives, and the sum when an input receives a second gradient). No
    network is needed: the SVG and the step data are inside the file. The drawing options
    are those of `draw_graph`; `open_browser` opens the page once written.

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
