"""The stepper inside a notebook: Jupyter, JupyterLab, VS Code, Colab.

`Stepper(loss)` holds the same self-contained page as `save_stepper` writes, and shows it as an
<iframe srcdoc="...">: the page travels inside the notebook's output, so there is no server to
run and no extension to install, and its script runs in the frame whatever the notebook
front-end does with scripts in outputs.

    >>> from tinygrad_res import viz
    >>> stepper = viz.Stepper(viz.residual_mlp_example())    # a cell ending in it shows it
    >>> stepper._repr_html_().startswith('<iframe class="tinygrad-res-stepper"')
    True

`viz.show_stepper(loss)` displays the same from anywhere in a cell.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Union


class Stepper:
    """The forward and backward stepper of `loss`, displayed inline by notebook front-ends.

    The page is built once, when the Stepper is made: it shows the graph and the gradients as
    they are at that moment. `height` is the frame's height in pixels; the other keyword
    arguments are those of `viz.save_stepper` (rankdir, show, clusters, max_depth,
    max_clusters, title, names).

    >>> import pathlib, tempfile
    >>> from tinygrad_res.viz import residual_mlp_example
    >>> stepper = Stepper(residual_mlp_example(), height=600)
    >>> path = stepper.save(pathlib.Path(tempfile.mkdtemp()) / "stepper.html")
    >>> path.read_text(encoding="utf-8") == stepper.page     # the same page as a file
    True
    """

    def __init__(self, loss, height: int = 720, **options) -> None:
        from . import stepper_html  # public API only: the page is the file save_stepper writes

        if not isinstance(height, int) or isinstance(height, bool) or height < 100:
            raise ValueError(f"Stepper: height must be a whole number of pixels, at least 100, "
                             f"got {height!r}")
        if "names" in options and options["names"] is not None:
            options["names"] = list(options["names"])  # a generator would be spent on first use
        self.height = height
        self.page = stepper_html(loss, **options)

    def _repr_html_(self) -> str:
        # sandbox: the page runs its own script but cannot reach the notebook around it
        return (f'<iframe class="tinygrad-res-stepper" title="computation graph stepper" '
                f'sandbox="allow-scripts" style="width: 100%; height: {self.height}px; '
                f'border: 1px solid #ddd; border-radius: 4px;" '
                f'srcdoc="{html.escape(self.page, quote=True)}"></iframe>')

    def __repr__(self) -> str:
        return (f"<Stepper: a {len(self.page) // 1024} KiB page; shown inline by a notebook, "
                f"or .save(path) and open the file>")

    def save(self, path: Union[str, Path]) -> Path:
        """Write the page to `path` (as `viz.save_stepper` would), creating its folder."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.page, encoding="utf-8")
        return path


def show_stepper(loss, height: int = 720, **options) -> None:
    """Display `Stepper(loss, height, **options)` in the notebook, from anywhere in a cell.

    Needs IPython (any Jupyter kernel has it); outside a notebook use `viz.save_stepper`.
    """
    try:
        from IPython.display import display
    except ImportError:
        raise RuntimeError("show_stepper: IPython is not installed, so there is no notebook to "
                           "show the stepper in; use viz.save_stepper(loss, 'out/stepper.html') "
                           "and open the file") from None
    display(Stepper(loss, height, **options))
