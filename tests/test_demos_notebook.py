"""demos/notebook.py and the notebook side of demos.cli.Progress, against a stand-in IPython
kernel (the real kernel runs them in the notebooks' CI step: tests/test_notebooks.py)."""
import io
import sys
import types

import pytest

from demos import notebook
from demos.cli import Progress


class FakeHandle:
    def __init__(self, shown: list, bundle: dict) -> None:
        self.shown = shown
        shown.append(bundle)

    def update(self, bundle: dict, raw: bool = False) -> None:
        assert raw
        self.shown.append(bundle)


@pytest.fixture
def kernel(monkeypatch):
    """A stand-in for a Jupyter kernel's IPython: get_ipython() has a kernel; display()
    records what it is given (and returns a handle when asked for a display_id)."""
    shown = []
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    display = types.ModuleType("IPython.display")

    def show(obj, raw=False, display_id=None):
        if display_id:
            return FakeHandle(shown, obj)
        shown.append(obj)

    display.display = show
    display.Image = lambda filename, width=None: ("image", filename, width)
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    return shown


def test_in_notebook_only_inside_a_kernel(monkeypatch, kernel):
    assert notebook.in_notebook()
    sys.modules["IPython"].get_ipython = lambda: types.SimpleNamespace()  # a terminal IPython
    assert not notebook.in_notebook()
    monkeypatch.delitem(sys.modules, "IPython")
    assert not notebook.in_notebook()


def test_progress_in_a_notebook_redraws_one_line_and_ends_full(kernel, monkeypatch):
    monkeypatch.setattr(Progress, "NOTEBOOK_INTERVAL", 0.0)
    with Progress(4, "training") as bar:
        for _ in range(4):
            bar.update()
    assert not bar.enabled  # nothing written to stderr
    texts = [bundle["text/plain"] for bundle in kernel]
    assert texts[0] == "" and len(texts) == 6  # created, 4 updates, the final redraw
    assert texts[-1].startswith("training [" + "#" * 30 + "] 4/4")
    assert '<progress value="1.0000" max="1"' in kernel[-1]["text/html"]
    assert '<progress value="0.5000"' in kernel[2]["text/html"]


def test_progress_in_a_notebook_is_throttled_but_shows_the_end(kernel):
    with Progress(1000, "many") as bar:
        for _ in range(1000):
            bar.update()
    assert len(kernel) < 20
    assert "1000/1000" in kernel[-1]["text/plain"]


def test_progress_with_an_explicit_stream_ignores_the_notebook(kernel):
    stream = io.StringIO()
    with Progress(2, "log", stream=stream) as bar:
        bar.update(2)
    assert kernel == [] and stream.getvalue() == ""


def test_show_figures_displays_each_png_in_a_notebook(kernel, tmp_path):
    paths = [tmp_path / "a.png", tmp_path / "b.png"]
    for path in paths:
        path.write_bytes(b"\x89PNG")
    notebook.show_figures({"figures": [str(p) for p in paths]}, width=300)
    assert kernel == [("image", str(p), 300) for p in paths]


def test_show_figures_outside_a_notebook_prints_the_paths(tmp_path, capsys):
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG")
    notebook.show_figures([path])
    assert capsys.readouterr().out == f"figure: {path}\n"
    with pytest.raises(FileNotFoundError, match="show_figures: no such figure file: .*gone.png"):
        notebook.show_figures([tmp_path / "gone.png"])
