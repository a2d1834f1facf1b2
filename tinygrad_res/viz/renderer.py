"""Turn DOT source into svg / png / pdf with whichever Graphviz renderer is installed.

Order of preference: the system `dot` on PATH, else the `graphviz-pure` executable (the PyPI
package graphviz-pure, a pip-installable port of Graphviz with the same command line), looked
up on PATH and next to the running Python (a virtualenv's bin/ is often not on PATH). Without
either, a `RendererNotFound` error says how to get one; the DOT source itself never needs one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional, Union

FORMATS = ("svg", "png", "pdf")
PURE_FORMATS = ("svg", "png")  # graphviz-pure writes no pdf

SYSTEM_HINT = ("install Graphviz (Debian/Ubuntu: sudo apt install graphviz; macOS: brew install "
               "graphviz; Windows: winget install graphviz)")
PIP_HINT = "`pip install graphviz-pure` (included in `pip install -e .[viz]`)"


class RendererNotFound(RuntimeError):
    """No Graphviz renderer is installed (or none that can write the asked format)."""


def _scripts_dir() -> Path:
    """The directory of the running Python's console scripts (a venv's bin/)."""
    return Path(sys.executable).parent


def _graphviz_pure() -> Optional[str]:
    found = shutil.which("graphviz-pure")
    if found:
        return found
    name = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    candidate = _scripts_dir() / name
    return str(candidate) if candidate.is_file() else None


def find_renderer(format: str = "svg") -> str:
    """Path of the program that will render `format`: system `dot`, else `graphviz-pure`.

    >>> find_renderer("svg")
    '/usr/bin/dot'
    """
    _check_format(format)
    dot = shutil.which("dot")
    if dot:
        return dot
    pure = _graphviz_pure()
    if pure and format in PURE_FORMATS:
        return pure
    if pure:
        raise RendererNotFound(
            f"render: graphviz-pure ({pure}) cannot write {format}; choose one of "
            f"{', '.join(PURE_FORMATS)}, or for {format} {SYSTEM_HINT}")
    raise RendererNotFound(f"render: no Graphviz renderer found (neither `dot` nor "
                           f"`graphviz-pure`): {SYSTEM_HINT}, or with pip only {PIP_HINT}. "
                           f"The DOT text is always "
                           f"available as graph.source")


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(FORMATS)}, got {format!r}")


def _source(graph) -> str:
    source = getattr(graph, "source", graph)
    if not isinstance(source, str):
        raise TypeError(f"render: expected a graphviz graph or DOT text, got "
                        f"{type(graph).__name__}")
    return source


def pipe(graph, format: str = "svg") -> bytes:
    """Render `graph` (a graphviz.Digraph or DOT text) in memory and return the bytes."""
    source = _source(graph)
    program = find_renderer(format)
    result = subprocess.run([program, f"-T{format}"], input=source.encode("utf-8"),
                            capture_output=True, timeout=120)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"render: {program} -T{format} failed with exit code "
                           f"{result.returncode}: {message}")
    return result.stdout


def render(graph, path: Union[str, Path], format: Optional[str] = None) -> Path:
    """Write `graph` to `path` as svg, png or pdf (from the file suffix unless `format` is given).

    >>> from tinygrad_res import viz
    >>> render(viz.draw_graph(viz.residual_mlp_example()), "out/loss.png")
    PosixPath('out/loss.png')
    """
    path = Path(path)
    if format is None:
        format = path.suffix.lstrip(".").lower() or "svg"
    _check_format(format)
    data = pipe(graph, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
