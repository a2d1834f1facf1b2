"""Shared by the explorers' tests: tiny run settings, a server in a thread, reading a run's
events, and the data inside a page."""
import contextlib
import json
import re
import threading

from demos.explorer.server import ExplorerServer

TINY = {"task": "identity", "depth": 2, "width": 4, "steps": 30}
LONG = {"task": "spirals", "depth": 8, "steps": 5000}  # stopped long before it ends


@contextlib.contextmanager
def serving(**options):
    """An ExplorerServer serving in a daemon thread, shut down and closed after."""
    server = ExplorerServer(**options)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.close()


def collect(client, run):
    """All events of a run: (points in order, last gradient column, end event)."""
    points, grads, end = [], None, None
    for event, data in client.events(run):
        if event == "progress":
            points += data["points"]
            grads = data["grads"] or grads
        else:
            end = data
    return points, grads, end


def page_data(html: str) -> dict:
    """The JSON an explorers page carries (mode, controls, replay runs)."""
    found = re.search(r'<script id="explorer-data" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(found.group(1))


def external_urls(html: str) -> set:
    """Every http(s) URL in a page but the SVG and XLink namespace names (never fetched)."""
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    return set(re.findall(r"https?://[^\s\"'`<>)&]+", html)) - namespaces
