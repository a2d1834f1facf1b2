"""The README's Python examples run, and print what the README says they print."""
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def examples() -> list:
    """(first line number, code, expected output or None) of each ```python block; the output is
    the indented block after a line 'prints' that follows the code."""
    text = README.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"```python\n(.*?)```\n", text, flags=re.S):
        line = text[:match.start()].count("\n") + 1
        after = text[match.end():]
        printed = re.match(r"\nprints\n\n((?:    .*\n|\n)+)", after)
        expected = None
        if printed:
            expected = "\n".join(l[4:] for l in printed.group(1).rstrip().splitlines())
        found.append((line, match.group(1), expected))
    return found


@pytest.mark.parametrize("line, code, expected", examples(), ids=lambda v: str(v)[:12])
def test_readme_example_runs(line, code, expected, tmp_path, monkeypatch):
    pytest.importorskip("graphviz") if "viz" in code else None
    pytest.importorskip("torch") if "import torch" in code else None
    monkeypatch.chdir(tmp_path)  # examples that write out/ write it here
    output = io.StringIO()
    with contextlib.redirect_stdout(output), np.errstate(all="raise"):
        exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})
    if expected is not None:
        assert output.getvalue().rstrip() == expected.rstrip(), f"README.md:{line}"
