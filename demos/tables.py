"""Tables as the demos return them (for JSON and the report) and as they print them.

    >>> t = make_table("Final loss", ["depth", "plain"], [[5, 0.816251]], note="200 epochs")
    >>> print(format_table(t))
    Final loss
    depth | plain
    ----- | --------
    5     | 0.816251
    200 epochs
"""
from __future__ import annotations

import math
from typing import Any, Sequence


def make_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
               note: str = "") -> dict:
    """{"title", "columns", "rows", "note"}: the table format of the demos contract."""
    for i, row in enumerate(rows):
        if len(row) != len(columns):
            raise ValueError(f"make_table({title!r}): row {i} has {len(row)} cells but there "
                             f"are {len(columns)} columns {list(columns)}")
    return {"title": title, "columns": list(columns), "rows": [list(row) for row in rows],
            "note": note}


def format_cell(value: Any, digits: int = 6) -> str:
    """A float to `digits` decimals (scientific when tiny or huge), None and NaN as "-"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        if value != 0 and (abs(value) < 10 ** -digits or abs(value) >= 1e7):
            return f"{value:.3e}"
        return f"{value:.{digits}f}"
    return str(value)


def format_table(table: dict) -> str:
    """The table as aligned text: title, header, rule, rows, note."""
    cells = [[format_cell(value) for value in row] for row in table["rows"]]
    widths = [max([len(name)] + [len(row[i]) for row in cells])
              for i, name in enumerate(table["columns"])]
    lines = [table["title"]] if table["title"] else []
    lines.append(" | ".join(n.ljust(w) for n, w in zip(table["columns"], widths)).rstrip())
    lines.append(" | ".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    if table.get("note"):
        lines.append(table["note"])
    return "\n".join(lines)
