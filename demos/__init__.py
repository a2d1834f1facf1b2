"""demos: one runnable module per experiment of the seed texts, and a report that runs them all.

    python -m demos --list                      # every demo with its one-line summary
    python -m demos depth_sweep --quick         # one demo, a reduced configuration
    python -m demos report                      # the headline set -> out/report.html

Each name in DEMOS is a module demos/<name>.py with SUMMARY, add_arguments(parser) and
run(args) -> dict (see demos/cli.py). Modules are imported only when asked for, so listing the
demos or running one does not load the others (nor matplotlib).
"""
from __future__ import annotations

import importlib
from types import ModuleType

# the order in which `--list` shows them and the report runs them
DEMOS = ("depth_sweep", "distant_identity", "spirals", "block_jacobian", "pre_vs_post",
         "gradient_reach", "autodiff_vs_manual", "stepper", "explore_replay", "degradation",
         "highway_vs_residual", "residual_variants", "ensembles", "resnet_family",
         "transformer_norm", "explore", "report")


def load_demo(name: str) -> ModuleType:
    """The module of demo `name` (one of DEMOS).

    >>> load_demo("depth_sweep").SUMMARY[:5]
    'Seed '
    """
    if name not in DEMOS:
        raise ValueError(f"demos: unknown demo {name!r}; known demos: {', '.join(DEMOS)}")
    return importlib.import_module(f"demos.{name}")


__all__ = ["DEMOS", "load_demo"]
