"""A small client of the explorer's HTTP API (standard library only), for the self-check of
`python -m demos explore --quick` and the tests.

    >>> client = Client(server.url)
    >>> run = client.start_run({"depth": 8, "steps": 20})
    >>> for event, data in client.events(run):
    ...     print(event, data.get("points", data.get("status")))
"""
from __future__ import annotations

import http.client
import json
from typing import Iterator, Optional, Tuple
from urllib.parse import parse_qs, urlsplit


class Client:
    """Requests to one explorer server; `token` and `host` default to the URL's."""

    def __init__(self, url: str, token: Optional[str] = None, host: Optional[str] = None,
                 timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.token = token if token is not None else parse_qs(parts.query)["token"][0]
        self.host = host or parts.netloc
        self.timeout = timeout

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(*self.address, timeout=self.timeout)

    def _path(self, path: str, token: Optional[str]) -> str:
        token = self.token if token is None else token
        return f"{path}?token={token}" if token else path

    def request(self, method: str, path: str, body=None, token: Optional[str] = None,
                headers: Optional[dict] = None) -> Tuple[int, object]:
        """(status, decoded JSON or text). `token=""` sends none; `body` is JSON-encoded
        unless it is already bytes."""
        connection = self._connection()
        try:
            data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
            connection.putrequest(method, self._path(path, token), skip_host=True)
            connection.putheader("Host", self.host)
            for name, value in {**({"Content-Type": "application/json"} if data else {}),
                                **(headers or {})}.items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(data or b"")))
            connection.endheaders(data)
            response = connection.getresponse()
            raw = response.read()
            kind = response.getheader("Content-Type", "")
            return response.status, (json.loads(raw) if kind.startswith("application/json")
                                     else raw.decode("utf-8"))
        finally:
            connection.close()

    def start_run(self, settings: dict, page: str = "client") -> str:
        """Start a run; its id. Raises RuntimeError with the server's message if refused."""
        status, data = self.request("POST", "/api/runs", {"page": page, "settings": settings})
        if status != 201:
            raise RuntimeError(f"start_run: {status} {data}")
        return data["run"]

    def stop_run(self, run: str) -> Tuple[int, object]:
        return self.request("POST", f"/api/runs/{run}/stop")

    def open_stream(self, run: str) -> Tuple[http.client.HTTPConnection,
                                             http.client.HTTPResponse]:
        """The raw event stream of `run` (for a test that hangs up in the middle)."""
        connection = self._connection()
        connection.putrequest("GET", self._path(f"/api/runs/{run}/events", None),
                              skip_host=True)
        connection.putheader("Host", self.host)
        connection.endheaders()
        return connection, connection.getresponse()

    def events(self, run: str) -> Iterator[Tuple[str, dict]]:
        """(event name, data) of `run`'s stream until its "end" event (keepalives skipped)."""
        connection, response = self.open_stream(run)
        try:
            if response.status != 200:
                raise RuntimeError(f"events: {response.status} {response.read().decode()}")
            name, data = None, []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    data.append(line[len("data: "):])
                elif not line and name:
                    yield name, json.loads("\n".join(data))
                    if name == "end":
                        return
                    name, data = None, []
        finally:
            connection.close()
