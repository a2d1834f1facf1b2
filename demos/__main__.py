"""python -m demos NAME [options] | --list | --help

    python -m demos --list                  # the demos and what each shows
    python -m demos depth_sweep --help      # a demo's options
    python -m demos depth_sweep --quick --json out/depth_sweep.json
"""
from __future__ import annotations

import sys
from typing import Optional, Sequence

from . import DEMOS, load_demo
from .cli import run_demo

USAGE = """usage: python -m demos NAME [options]     run one demo (NAME --help for its options)
       python -m demos --list                 list the demos
       python -m demos report                 run the headline set, write out/report.html"""


def list_demos() -> str:
    """One line per demo: its name and SUMMARY (or why it cannot be loaded)."""
    lines = []
    for name in DEMOS:
        try:
            summary = load_demo(name).SUMMARY
        except Exception as error:  # a broken demo must not hide the others from the list
            summary = f"(cannot be loaded: {type(error).__name__}: {error})"
        lines.append(f"  {name:<20} {summary}")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE + "\n\ndemos:\n" + list_demos())
        return 0
    if argv[0] == "--list":
        print(list_demos())
        return 0
    name = argv[0]
    if name not in DEMOS:
        print(f"python -m demos: unknown demo {name!r}\n\ndemos:\n{list_demos()}",
              file=sys.stderr)
        return 2
    run_demo(name, argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
