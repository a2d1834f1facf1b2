"""The report page: one self-contained HTML file (figures inlined as base64 PNG, the stepper
inlined in an iframe), built from the sections demos/report.py collects.

A section is a dict: {"name", "summary", "argv", "seconds", "output" (what the demo printed),
"result" (its returned dict, or None), "error" (a traceback, or None)}.
"""
from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Iterable, List

from .tables import format_cell

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em;
     margin-top: 2em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3em 0; }
.note { font-size: 0.88em; color: #444; max-width: 60em; }
.error { background: #fff0f0; border: 1px solid #e99; padding: 0.6em; overflow-x: auto; }
.meta { color: #666; font-size: 0.85em; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.4em 0; }
iframe { width: 100%; height: 720px; border: 1px solid #ccc; }
pre { font-size: 0.8em; overflow-x: auto; background: #f8f8f8; padding: 0.6em; }
blockquote.claim { border-left: 4px solid #bbb; margin: 0.6em 0; padding: 0.2em 0.8em;
                   color: #333; font-style: italic; }
.verdict { border: 1px solid #ccc; padding: 0.5em 0.8em; background: #fafafa; }
.verdict b.holds { color: #1a7f37; } .verdict b.partly { color: #9a6700; }
.verdict b.not { color: #cf222e; } .verdict b.shown { color: #0969da; }
"""


def _table(table: dict) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table["columns"])
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(format_cell(v))}</td>" for v in row)
                   + "</tr>" for row in table["rows"])
    note = f'<p class="note">{html.escape(table["note"])}</p>' if table.get("note") else ""
    return (f"<table><caption>{html.escape(table['title'])}</caption><tr>{head}</tr>{rows}"
            f"</table>{note}")


def _figure(path: str) -> str:
    """The PNG at `path` inlined, so the page needs no other file."""
    try:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    except OSError as error:
        return f'<p class="error">figure {html.escape(path)} could not be read: ' \
               f'{html.escape(str(error))}</p>'
    return f'<img alt="{html.escape(Path(path).name)}" src="data:image/png;base64,{data}">'


def html_pages(result: dict) -> List[str]:
    """The .html files a demo wrote (the stepper's page), as named anywhere in its result."""
    found = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, (str, Path)) and str(value).endswith(".html"):
            if Path(value).is_file() and str(value) not in found:
                found.append(str(value))

    walk(result)
    return found


def _embedded_page(path: str, report_dir: Path) -> str:
    """A link to the page, and the page itself in an iframe (srcdoc keeps the report whole)."""
    link = os.path.relpath(Path(path).resolve(), report_dir.resolve())
    page = Path(path).read_text(encoding="utf-8")
    return (f'<p>Open on its own: <a href="{html.escape(link)}">{html.escape(link)}</a></p>'
            f'<iframe title="{html.escape(Path(path).name)}" '
            f'srcdoc="{html.escape(page, quote=True)}"></iframe>')


def _section(section: dict, report_dir: Path) -> str:
    name = section["name"]
    parts = [f'<h2 id="{name}">{html.escape(name)}</h2>',
             f"<p>{html.escape(section['summary'])}</p>",
             f'<p class="meta">python -m demos {html.escape(" ".join([name] + section["argv"]))}'
             f" &middot; {section['seconds']:.1f} s</p>"]
    story = section.get("story")
    if story and story["claim"]:
        parts.append(f'<p class="meta">The claim ({html.escape(story["source"])}):</p>'
                     f'<blockquote class="claim">{html.escape(story["claim"])}</blockquote>'
                     f"<p>What we measured:</p>")
    if section["error"]:
        parts.append(f'<p>This demo failed; its error:</p><pre class="error">'
                     f'{html.escape(section["error"])}</pre>')
    result = section["result"] or {}
    parts += [_table(table) for table in result.get("tables", [])]
    parts += [_figure(str(path)) for path in result.get("figures", [])]
    # a demo may name the pages to embed ("pages"); else every .html file its result names
    pages = [p for p in result.get("pages", []) if Path(p).is_file()] or html_pages(result)
    parts += [_embedded_page(page, report_dir) for page in pages]
    if story:
        badge = story["verdict"] if story["verdict"] in ("holds", "partly", "shown") else "not"
        parts.append(f'<p class="verdict">Verdict from this run: <b class="{badge}">'
                     f'{html.escape(story["verdict"])}</b> - {html.escape(story["text"])}.</p>')
    if section["output"]:
        parts.append(f"<details><summary>What it printed</summary><pre>"
                     f"{html.escape(section['output'])}</pre></details>")
    return "\n".join(parts)


def render_page(sections: Iterable[dict], report_path: Path, title: str, intro: str) -> str:
    """The whole page: title, contents with each section's status, then the sections."""
    sections = list(sections)
    contents = "".join(
        f'<li><a href="#{s["name"]}">{html.escape(s["name"])}</a>'
        f'{" &mdash; failed" if s["error"] else ""} ({s["seconds"]:.0f} s)</li>'
        for s in sections)
    body = "\n".join(_section(s, Path(report_path).parent) for s in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p><ul>{contents}</ul>"
            f"{body}</body></html>\n")
