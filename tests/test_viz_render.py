"""render(): system dot, else graphviz-pure, else a clear error; DOT text always works."""
import os
import shutil
import stat

import pytest
from conftest import missing_optional
from viz_helpers import require_graphviz, require_renderer

from tinygrad_res import Tensor, viz
from tinygrad_res.viz import renderer as render_module

require_graphviz()


@pytest.fixture
def graph():
    x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    with viz.scope("block"):
        y = x + x.relu()
    return viz.draw_graph(y.sum())


def fake_program(directory, name: str, script: str) -> str:
    """An executable shell script standing in for a renderer."""
    path = directory / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def hide_renderers(monkeypatch, scripts_dir, keep=()):
    """Make PATH lookups find only the programs named in `keep` (as the real ones)."""
    real_which = shutil.which
    monkeypatch.setattr(render_module.shutil, "which",
                        lambda name: real_which(name) if name in keep else None)
    monkeypatch.setattr(render_module, "_scripts_dir", lambda: scripts_dir)


def test_svg_and_png_with_the_available_renderer(graph, tmp_path):
    require_renderer("svg")
    svg = viz.render(graph, tmp_path / "g.svg")
    text = svg.read_text()
    assert "<svg" in text and 'id="t0"' in text and 'id="op1"' in text
    assert "cluster" in text  # the scope box
    png = viz.render(graph, tmp_path / "g.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_with_system_dot(graph, tmp_path):
    if shutil.which("dot") is None:
        missing_optional("system Graphviz `dot` is not installed (graphviz-pure writes no pdf)")
    assert viz.render(graph, tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"


def test_falls_back_to_graphviz_pure_when_dot_is_missing(graph, tmp_path, monkeypatch):
    import sys
    from pathlib import Path

    hide_renderers(monkeypatch, Path(sys.executable).parent, keep=("graphviz-pure",))
    try:
        program = viz.find_renderer("svg")
    except viz.RendererNotFound:
        missing_optional("graphviz-pure is not installed (pip install graphviz-pure)")
    assert os.path.basename(program).startswith("graphviz-pure")
    svg = viz.render(graph, tmp_path / "pure.svg").read_text()
    assert "graphviz-pure" in svg and 'id="op1"' in svg


def test_graphviz_pure_is_found_next_to_python_when_not_on_path(tmp_path, monkeypatch):
    hide_renderers(monkeypatch, tmp_path)
    program = fake_program(tmp_path, "graphviz-pure", 'echo "<svg>fake</svg>"\n')
    assert viz.find_renderer("svg") == program
    assert viz.pipe("digraph { a -> b }", "svg") == b"<svg>fake</svg>\n"
    with pytest.raises(viz.RendererNotFound, match="graphviz-pure .* cannot write pdf"):
        viz.find_renderer("pdf")


def test_no_renderer_says_how_to_install_one(graph, tmp_path, monkeypatch):
    hide_renderers(monkeypatch, tmp_path)
    with pytest.raises(viz.RendererNotFound) as error:
        viz.render(graph, tmp_path / "g.svg")
    message = str(error.value)
    assert "apt install graphviz" in message and "pip install graphviz-pure" in message
    assert not (tmp_path / "g.svg").exists()
    assert graph.source.startswith("digraph")  # DOT text needs no renderer


def test_a_failing_renderer_reports_its_exit_code_and_message(tmp_path, monkeypatch):
    hide_renderers(monkeypatch, tmp_path)
    fake_program(tmp_path, "graphviz-pure", 'echo "syntax error in line 1" >&2\nexit 3\n')
    with pytest.raises(RuntimeError, match="failed with exit code 3: syntax error in line 1"):
        viz.pipe("digraph {", "svg")


def test_bad_format_and_bad_graph_are_clear_errors(graph, tmp_path):
    with pytest.raises(ValueError, match="render: format must be one of svg, png, pdf, got 'gif'"):
        viz.render(graph, tmp_path / "g.gif")
    with pytest.raises(TypeError, match="render: expected a graphviz graph or DOT text, got int"):
        viz.pipe(3)


def test_jupyter_display_works_with_graphviz_pure_alone(graph, monkeypatch):
    import sys
    from pathlib import Path

    hide_renderers(monkeypatch, Path(sys.executable).parent, keep=("graphviz-pure",))
    try:
        viz.find_renderer("svg")
    except viz.RendererNotFound:
        missing_optional("graphviz-pure is not installed (pip install graphviz-pure)")
    # a plain graphviz.Digraph would need the system dot here; draw_graph's GraphView does not
    assert "graphviz-pure" in graph._repr_mimebundle_()["image/svg+xml"]
