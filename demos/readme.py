"""Keep the README's demo figures true: run the demos, write their figures from the --json
output (demos/readme_blocks.py), and compare them with README.md's blocks.

    python -m demos.readme              # every block's full commands (before a release; ~25 min)
    python -m demos.readme --quick      # CI: the cheap blocks in full, the others in --quick form
    python -m demos.readme --write      # run, then rewrite README.md's blocks with the new text
    python -m demos.readme --only spirals degradation --keep out/readme
    python -m demos.readme --keep out/readme --reuse --write   # write from those runs' JSON

A block is README text between `<!-- figures: NAME -->` and `<!-- /figures -->`. The check
fails (exit status 1, with a diff) when a block differs from what its run gives, when README.md
has a block no renderer knows, or a renderer has no block. Numbers written "about N" are
measured times: they may differ by a factor of 2. In --quick form an expensive block's commands
run with --quick: their figures are not comparable, but the renderer must still find every
field it cites in the JSON, so a renamed or dropped field fails CI too.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from . import readme_blocks, readme_more

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- figures: (\w+) -->\n)(.*?)(<!-- /figures -->)", re.S)
ABOUT = re.compile(r"about (\d+(?:\.\d+)?)")
TIME_FACTOR = 2.0
BLOCKS = {**readme_blocks.BLOCKS, **readme_more.BLOCKS}


def readme_blocks(text: str) -> Dict[str, str]:
    """NAME -> the block's text, for every figures block of the README."""
    blocks: Dict[str, str] = {}
    for match in BLOCK.finditer(text):
        if match.group(2) in blocks:
            raise ValueError(f"README.md: block {match.group(2)!r} appears twice")
        blocks[match.group(2)] = match.group(3)
    return blocks


def replace_blocks(text: str, new: Dict[str, str]) -> str:
    """The README with the blocks named in `new` replaced by their new text."""
    def swap(match: re.Match) -> str:
        body = new.get(match.group(2), match.group(3))
        return match.group(1) + body.rstrip("\n") + "\n" + match.group(4)
    return BLOCK.sub(swap, text)


def differences(expected: str, found: str) -> Optional[str]:
    """None when `found` says what `expected` says (whitespace aside; "about N" within a factor
    of TIME_FACTOR); else a unified diff."""
    def words(text: str) -> str:
        return " ".join(text.split())
    pattern = "".join(re.escape(part) if i % 2 == 0 else r"about (\d+(?:\.\d+)?)"
                      for i, part in enumerate(ABOUT.split(words(expected))))
    match = re.fullmatch(pattern, words(found))
    if match:
        measured = [float(v) for v in ABOUT.findall(words(expected))]
        written = [float(v) for v in match.groups()]
        if all(w > 0 and 1 / TIME_FACTOR <= w / m <= TIME_FACTOR if m > 0 else w == 0
               for m, w in zip(measured, written)):
            return None
    return "\n".join(difflib.unified_diff(found.strip().splitlines(),
                                          expected.strip().splitlines(),
                                          "README.md", "measured now", lineterm=""))


def run_command(argv: Sequence[str], workdir: Path, reuse: bool = False) -> dict:
    """Run `python -m demos ARGV --out DIR --json PATH`; its JSON (or an error with its output).
    With `reuse`, a JSON file an earlier run left in `workdir` is read instead."""
    stem = "_".join(argv).replace("-", "").replace("/", "")
    path = workdir / f"{stem}.json"
    if reuse and path.is_file():
        return json.loads(path.read_text())
    full = [sys.executable, "-m", "demos", *argv, "--out", str(workdir / "out"),
            "--json", str(path)]
    done = subprocess.run(full, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"python -m demos {' '.join(argv)} failed with status "
                           f"{done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(path.read_text())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos.readme", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="run only the cheap blocks in full, the others with --quick")
    parser.add_argument("--write", action="store_true",
                        help="rewrite README.md's blocks from this run (never from --quick runs)")
    parser.add_argument("--only", nargs="+", choices=sorted(BLOCKS), metavar="NAME",
                        help=f"these blocks only (default: all: {', '.join(BLOCKS)})")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="keep the JSON and figures of the runs in DIR")
    parser.add_argument("--reuse", action="store_true",
                        help="read the JSON a run left in --keep DIR instead of running again")
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    text = args.readme.read_text(encoding="utf-8")
    found = readme_blocks(text)
    unknown, missing = sorted(set(found) - set(BLOCKS)), sorted(set(BLOCKS) - set(found))
    if unknown or missing:
        print(f"README.md and the renderers (demos/readme_blocks.py, readme_more.py) disagree: "
              f"blocks without a renderer {unknown}, renderers without a block {missing}",
              file=sys.stderr)
        return 1
    names = args.only or list(BLOCKS)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="readme_check_"))
    workdir.mkdir(parents=True, exist_ok=True)
    cache: Dict[tuple, dict] = {}
    new, failed, unchecked = {}, [], []
    for name in names:
        block = BLOCKS[name]
        compared = block.cheap or not args.quick
        start = time.perf_counter()
        try:
            runs = {}
            for key, command in block.commands.items():
                command = tuple(command) + (() if compared else ("--quick",))
                if command not in cache:
                    cache[command] = run_command(command, workdir, args.reuse)
                runs[key] = cache[command]
            rendered = block.render(runs)
        except Exception as error:  # a failed run or a missing field: report, go on
            print(f"{name}: FAILED: {type(error).__name__}: {error}")
            failed.append(name)
            continue
        seconds = time.perf_counter() - start
        if not compared:
            unchecked.append(name)
            print(f"{name}: rendered from the --quick runs ({seconds:.0f} s); not compared")
            continue
        diff = differences(rendered, found[name])
        print(f"{name}: {'same' if diff is None else 'DIFFERS'} ({seconds:.0f} s)")
        new[name] = rendered
        if diff is not None:
            print(diff)
            failed.append(name)
    if args.write and new:  # every block compared, so that its layout is the renderer's too
        args.readme.write_text(replace_blocks(text, new), encoding="utf-8")
        print(f"rewrote {', '.join(new)} in {args.readme}")
    if unchecked:
        print(f"not compared (--quick): {', '.join(unchecked)}; run without --quick to check "
              f"them")
    status = [n for n in failed if not (args.write and n in new)]
    print("README figures: " + ("all true" if not status else f"stale or failing: "
                                                             f"{', '.join(status)}"))
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
