"""The live explorer's HTTP server: the standard library's ThreadingHTTPServer, guarded the way
Jupyter guards its server.

- It listens on 127.0.0.1 only, and every request needs the random token of the printed URL
  (`?token=...` or an `Authorization: token ...` header): without it, 403.
- The Host header must name this server (127.0.0.1:PORT or localhost:PORT), so a page on
  another site cannot reach it through DNS rebinding; a POST from another Origin is refused.
- Every setting is checked (demos/explorer/config.py): a bad one is a 400 naming it and why.
- Work is bounded: the limits of config.py, one run per page, `max_running` runs in all, a
  run nobody reads stops (runs.py); a client that goes away mid-stream stops its run and
  nothing else.

Routes (all need the token):

    GET  /                       the explorers page
    GET  /block                  seed 003's view: the block stepper and the two reach columns
    POST /api/init               {"settings": {...}} -> gradient per layer at init, both nets
    POST /api/runs               {"page": id, "settings": {...}} -> {"run": id}; starts training
    GET  /api/runs/ID/events     Server-Sent Events: "progress" (points, gradients), "end"
    POST /api/runs/ID/stop       stop the run
"""
from __future__ import annotations

import dataclasses
import hmac
import json
import re
import secrets
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, urlsplit

from ..cli import to_jsonable
from . import page as pages
from .config import BadParameter, RunConfig, parse_config
from .runs import ORPHAN_SECONDS, Busy, RunRegistry
from .training import gradients_at_init

MAX_BODY = 16 * 1024
PAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
RUN_PATH = re.compile(r"/api/runs/(\d{1,12})/(events|stop)")
KEEPALIVE_SECONDS = 0.5   # a stream writes at least this often, so a gone client is noticed
BATCH_SECONDS = 0.03      # gather the points of this long into one message (~30 a second)
DISCONNECTED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # nothing from anywhere else: inline script and style, data: images, requests to itself
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                               "style-src 'unsafe-inline'; img-src data:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                               "form-action 'none'",
}


class HTTPError(Exception):
    """An error answer: status, message and (for a bad setting) the parameter's name."""

    def __init__(self, status: int, message: str, parameter: Optional[str] = None) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


class ExplorerServer(ThreadingHTTPServer):
    """The explorer app on 127.0.0.1:`port` (0: a free port). `url` carries the token.

    >>> server = ExplorerServer()
    >>> threading.Thread(target=server.serve_forever, daemon=True).start()
    >>> print(server.url)                  # http://127.0.0.1:PORT/?token=...
    >>> server.close()
    """
    daemon_threads = True  # an open event stream never keeps the process alive

    def __init__(self, port: int = 0, token: Optional[str] = None, max_running: int = 2,
                 orphan_seconds: float = ORPHAN_SECONDS, verbose: bool = False,
                 defaults: RunConfig = RunConfig()) -> None:
        super().__init__(("127.0.0.1", port), ExplorerHandler)
        self.defaults = defaults
        self.token = token or secrets.token_urlsafe(24)
        self.runs = RunRegistry(max_running, orphan_seconds=orphan_seconds)
        self.verbose = verbose
        port = self.server_address[1]
        self.allowed_hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.allowed_origins = {f"http://{host}" for host in self.allowed_hosts}
        self.init_slots = threading.BoundedSemaphore(max_running)
        self._pages: dict = {}
        self._page_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/?token={self.token}"

    def page(self, name: str) -> tuple:
        """(status, HTML) of a page, built once on first use: "main" or "block"."""
        with self._page_lock:
            if name not in self._pages:
                self._pages[name] = ((200, pages.live_page(self.defaults)) if name == "main"
                                     else pages.block_page_or_reason())
            return self._pages[name]

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], DISCONNECTED):
            return  # a client that went away: nothing to report
        super().handle_error(request, client_address)

    def close(self, timeout: float = 5.0) -> int:
        """Stop every run, wait for the workers (up to `timeout`), close the socket; how
        many runs were still training."""
        training = len(self.runs.running())
        self.runs.stop_all("the server is shutting down", timeout)
        self.server_close()
        return training


class ExplorerHandler(BaseHTTPRequestHandler):
    server: ExplorerServer
    server_version = "tinygrad_res-explorer/1"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # ----- checks ---------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        try:
            self._check_access(method, parse_qs(url.query))
            self._route(method, url.path)()
        except HTTPError as error:
            self._send_error(error)
        except DISCONNECTED:
            pass
        except Exception as error:  # a bug: say so to the page and the terminal, keep serving
            traceback.print_exc()
            self._send_error(HTTPError(500, f"internal error: {type(error).__name__}: {error}"))

    def _check_access(self, method: str, query: dict) -> None:
        if self.headers.get("Host") not in self.server.allowed_hosts:
            raise HTTPError(403, "Host header not allowed: this server answers only to "
                                 f"{' or '.join(sorted(self.server.allowed_hosts))}")
        given = query.get("token", [""])[0]
        header = self.headers.get("Authorization", "")
        if header.startswith("token "):
            given = header[len("token "):]
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            raise HTTPError(403, "missing or wrong token: open the URL that `python -m demos "
                                 "explore` printed")
        origin = self.headers.get("Origin")
        if method == "POST" and origin is not None and origin not in self.server.allowed_origins:
            raise HTTPError(403, f"requests from origin {origin!r} are not allowed")

    def _route(self, method: str, path: str) -> Callable[[], None]:
        routes = {("GET", "/"): lambda: self._send_page("main"),
                  ("GET", "/block"): lambda: self._send_page("block"),
                  ("POST", "/api/init"): self._init_gradients,
                  ("POST", "/api/runs"): self._start_run}
        if (method, path) in routes:
            return routes[method, path]
        found = RUN_PATH.fullmatch(path)
        if found and (method, found.group(2)) in (("GET", "events"), ("POST", "stop")):
            run = self.server.runs.get(found.group(1))
            if run is None:
                raise HTTPError(404, f"no run {found.group(1)} (finished runs are forgotten "
                                     f"after a while)")
            return (lambda: self._stream(run)) if found.group(2) == "events" else \
                (lambda: self._stop(run))
        if found or path in {p for _, p in routes}:
            raise HTTPError(405, f"{method} is not allowed on {path}")
        raise HTTPError(404, f"nothing at {path}")

    def _body(self) -> dict:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise HTTPError(400, "Content-Length is not a number") from None
        if length > MAX_BODY:
            raise HTTPError(413, f"request body of {length} bytes; the most is {MAX_BODY}")
        raw = self.rfile.read(length) if length > 0 else b"{}"
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            raise HTTPError(400, f"body: not valid JSON ({error})", "body") from None
        if not isinstance(body, dict):
            raise HTTPError(400, "body: expected a JSON object", "body")
        return body

    @staticmethod
    def _settings(body: dict) -> RunConfig:
        try:
            return parse_config(body.get("settings", {}))
        except BadParameter as error:
            raise HTTPError(400, str(error), error.parameter) from None

    # ----- answers ----------------------------------------------------------------------------
    def _headers(self, status: int, content_type: str, length: Optional[int] = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_json(self, status: int, data: dict) -> None:
        body = json.dumps(to_jsonable(data), allow_nan=False).encode("utf-8")
        self._headers(status, "application/json", len(body))
        self.wfile.write(body)

    def _send_error(self, error: HTTPError) -> None:
        data = {"error": error.message}
        if error.parameter:
            data["parameter"] = error.parameter
        try:
            self._send_json(error.status, data)
        except DISCONNECTED:
            pass

    def _send_page(self, name: str) -> None:
        status, html = self.server.page(name)
        body = html.encode("utf-8")
        self._headers(status, "text/html; charset=utf-8", len(body))
        self.wfile.write(body)

    def _init_gradients(self) -> None:
        config = self._settings(self._body())
        if not self.server.init_slots.acquire(timeout=10):
            raise HTTPError(503, "busy measuring other networks; try again")
        try:
            columns = {family: gradients_at_init(dataclasses.replace(config, skip=skip))
                       for family, skip in (("plain", False), ("residual", True))}
        finally:
            self.server.init_slots.release()
        self._send_json(200, {"settings": dataclasses.asdict(config), **columns})

    def _start_run(self) -> None:
        body = self._body()
        page = body.get("page")
        if not isinstance(page, str) or not PAGE_ID.fullmatch(page):
            raise HTTPError(400, f"page: expected an id of 1-64 letters, digits, - or _, got "
                                 f"{page!r}", "page")
        config = self._settings(body)
        try:
            run = self.server.runs.start(config, page)
        except Busy as error:
            raise HTTPError(503, str(error)) from None
        self._send_json(201, {"run": run.run_id, "settings": dataclasses.asdict(config),
                              "label": config.label()})

    def _stop(self, run) -> None:
        run.stop("stopped by the page")
        self._send_json(200, {"run": run.run_id, "status": run.status})

    def _stream(self, run) -> None:
        if not run.claim_stream():
            raise HTTPError(409, f"run {run.run_id} is already being streamed")
        self._headers(200, "text/event-stream; charset=utf-8")
        cursor, seen = 0, 0  # version 0: no gradient column yet
        try:
            while True:
                update = run.read(cursor, seen, timeout=KEEPALIVE_SECONDS)
                if update.points or update.grads is not None:
                    self._event("progress", {"points": update.points, "grads": update.grads,
                                             "chance": run.chance})
                    cursor, seen = update.cursor, update.grads_version
                elif update.status == "running":
                    self.wfile.write(b": keepalive\n\n")
                if update.status != "running" and not update.points:
                    self._event("end", {"status": update.status, "message": update.message,
                                        "steps": cursor})
                    return
                time.sleep(BATCH_SECONDS)
        except DISCONNECTED:
            run.stop("the page closed the stream")

    def _event(self, name: str, data: dict) -> None:
        payload = json.dumps(to_jsonable(data), allow_nan=False)
        self.wfile.write(f"event: {name}\ndata: {payload}\n\n".encode("utf-8"))

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:  # never the token: it is the key to the server
            text = (format % args).replace(self.server.token, "<token>")
            sys.stderr.write(f"explorer: {self.address_string()} {text}\n")
