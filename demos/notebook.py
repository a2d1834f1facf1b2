"""The demos inside a Jupyter notebook: their figures shown inline, their progress bars drawn
in the cell's output. IPython is only used when a notebook kernel has already loaded it, so a
demo run from a terminal imports nothing from here that it does not need.

    >>> from demos.cli import run_demo
    >>> result = run_demo("distant_identity", ["--quick"])   # in a notebook: figures inline
    >>> show_figures(result, width=480)                       # again, smaller
"""
from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Iterable, Optional, Union


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code, Colab), False in a terminal,
    a script, a test or a plain IPython shell."""
    ipython = sys.modules.get("IPython")  # a kernel has imported it; do not import it here
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def show_figures(figures: Union[dict, Iterable[Union[str, Path]]],
                 width: Optional[int] = None) -> None:
    """Show PNG files inline in the notebook: a demo's result dict (its "figures" list) or an
    iterable of paths. Outside a notebook, print the paths instead (there is nowhere to draw)."""
    paths = [Path(p) for p in (figures["figures"] if isinstance(figures, dict) else figures)]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"show_figures: no such figure file: {', '.join(missing)}")
    if not in_notebook():
        for path in paths:
            print(f"figure: {path}")
        return
    from IPython.display import Image, display
    for path in paths:
        display(Image(filename=str(path), width=width))


class NotebookLine:
    """One line of the cell's output that is redrawn in place (an IPython display handle), for
    a progress bar: `update(text, fraction)` replaces it with a bar filled to `fraction`."""

    def __init__(self) -> None:
        from IPython.display import display
        self._handle = display(self._bundle("", 0.0), raw=True, display_id=True)

    @staticmethod
    def _bundle(text: str, fraction: float) -> dict:
        bar = (f'<progress value="{fraction:.4f}" max="1" style="width: 16em; '
               f'vertical-align: middle"></progress> ')
        return {"text/plain": text,
                "text/html": f"{bar}<code>{html.escape(text)}</code>"}

    def update(self, text: str, fraction: float) -> None:
        self._handle.update(self._bundle(text, fraction), raw=True)
