"""The live explorer's HTTP API (demos/explorer/server.py, with runs.py and client.py): the
guards (token, Host, Origin, every parameter), runs streamed as Server-Sent Events, two pages at
once, one run per page, Stop, a client that hangs up mid-stream, a run nobody reads. Runs are
tiny: a few seconds in all."""
import re
import threading

import pytest
from browser import until
from explorer_helpers import LONG, TINY, collect, serving

from demos.explorer.client import Client
from demos.explorer.config import RunConfig
from demos.explorer.server import ExplorerServer
from demos.explorer.training import gradients_at_init


@pytest.fixture
def server():
    with serving(orphan_seconds=5.0) as server:
        yield server


@pytest.fixture
def client(server):
    return Client(server.url)


def test_binds_loopback_only_and_the_url_carries_a_random_token(server):
    assert server.server_address[0] == "127.0.0.1"
    other = ExplorerServer()
    try:
        assert other.token != server.token and len(server.token) >= 32
    finally:
        other.close()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", server.url)


def test_a_request_without_the_right_token_gets_403(server, client):
    assert client.request("GET", "/")[0] == 200
    for token in ("", "x" * len(server.token), server.token[:-1]):
        status, body = client.request("GET", "/", token=token)
        assert status == 403 and "token" in body["error"]
    assert client.request("POST", "/api/runs", {"page": "p", "settings": TINY},
                          token="")[0] == 403
    # the header form, as Jupyter accepts it
    assert client.request("GET", "/", token="",
                          headers={"Authorization": f"token {server.token}"})[0] == 200


def test_host_header_is_checked_against_dns_rebinding(server):
    port = server.server_address[1]
    for host, expected in ((f"localhost:{port}", 200), (f"127.0.0.1:{port}", 200),
                           (f"evil.example:{port}", 403), ("127.0.0.1", 403),
                           (f"127.0.0.1:{port + 1}", 403)):
        status, body = Client(server.url, host=host).request("GET", "/")
        assert status == expected, host
        if expected == 403:
            assert "Host header not allowed" in body["error"]


def test_a_post_from_another_origin_is_refused(server, client):
    status, body = client.request("POST", "/api/init", {"settings": TINY},
                                  headers={"Origin": "http://evil.example"})
    assert status == 403 and "origin" in body["error"]
    port = server.server_address[1]
    assert client.request("POST", "/api/init", {"settings": TINY},
                          headers={"Origin": f"http://localhost:{port}"})[0] == 200


@pytest.mark.parametrize("settings, parameter, words", [
    ({"depth": 0}, "depth", "from 1 to 128, got 0"),
    ({"depth": 129}, "depth", "from 1 to 128, got 129"),
    ({"depth": 2.5}, "depth", "whole number"),
    ({"width": 10**6}, "width", "from 2 to 256, got 1000000"),
    ({"lr": "nan"}, "lr", "finite number"),
    ({"lr": 0}, "lr", "finite number from 1e-06 to 10"),
    ({"steps": 10**9}, "steps", "from 1 to 5000"),
    ({"task": "mnist"}, "task", "unknown task 'mnist'; expected one of spirals"),
    ({"block": None}, "block", "unknown block None"),
    ({"skip": "maybe"}, "skip", "true or false"),
    ({"colour": "red"}, "colour", "unknown parameter"),
])
def test_every_bad_parameter_is_a_400_that_names_it(client, settings, parameter, words):
    for path, body in (("/api/runs", {"page": "p", "settings": settings}),
                       ("/api/init", {"settings": settings})):
        status, answer = client.request("POST", path, body)
        assert status == 400 and answer["parameter"] == parameter, (path, answer)
        assert answer["error"].startswith(f"{parameter}: ") and words in answer["error"]


def test_nan_infinity_bad_json_big_bodies_and_page_ids_are_refused(client):
    status, answer = client.request("POST", "/api/runs",
                                    b'{"page": "p", "settings": {"lr": NaN}}')
    assert status == 400 and answer["parameter"] == "lr"
    status, answer = client.request("POST", "/api/runs",
                                    b'{"page": "p", "settings": {"lr": Infinity}}')
    assert status == 400 and answer["parameter"] == "lr"
    status, answer = client.request("POST", "/api/runs", b"{not json")
    assert status == 400 and answer["error"].startswith("body: not valid JSON")
    assert client.request("POST", "/api/runs", b"[1, 2]")[0] == 400
    status, answer = client.request("POST", "/api/runs", b" " * 20000)
    assert status == 413 and "the most is 16384" in answer["error"]
    for page in ("", "../etc", "x" * 65, 7):
        status, answer = client.request("POST", "/api/runs", {"page": page, "settings": TINY})
        assert status == 400 and answer["parameter"] == "page"


def test_unknown_paths_and_methods(client):
    assert client.request("GET", "/nothing")[0] == 404
    assert client.request("GET", "/api/runs/999/events")[0] == 404
    assert client.request("GET", "/api/runs")[0] == 405
    assert client.request("POST", "/")[0] == 405
    assert client.request("GET", "/api/runs/1/stop")[0] in (404, 405)


def test_the_page_is_self_contained_and_sent_with_a_strict_policy(server, client):
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1])
    connection.request("GET", f"/?token={server.token}")
    response = connection.getresponse()
    page = response.read().decode()
    csp = response.getheader("Content-Security-Policy")
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert response.getheader("Cache-Control") == "no-store"
    connection.close()
    urls = set(re.findall(r"https?://[^\s\"'`<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls  # the SVG namespace, never fetched
    assert not re.search(r"<(link|img|iframe)\b[^>]*\b(href|src)=\"(?!data:)", page)
    assert '"controls"' in page and "EventSource" in page


def test_the_token_never_reaches_the_log(capfd):
    with serving(verbose=True) as server:
        Client(server.url).request("GET", "/")
        Client(server.url).request("GET", "/", token="wrong")
    err = capfd.readouterr().err
    assert "GET /?token=<token>" in err and server.token not in err


def test_a_run_streams_every_step_and_its_gradient_column(client):
    run = client.start_run(TINY)
    points, grads, end = collect(client, run)
    assert [p[0] for p in points] == list(range(30))
    assert all(loss > 0 for _, loss in points) and points[-1][1] < points[0][1]
    assert len(grads["norms"]) == 2 and grads["step"] == 29
    assert end == {"status": "done", "message": "30 steps done", "steps": 30}
    # a second stream of the same run is refused: one reader per run
    assert client.request("GET", f"/api/runs/{run}/events")[0] == 409


def test_gradients_at_init_of_both_nets(client):
    settings = {"task": "spirals", "depth": 6, "width": 8, "seed": 3}
    status, answer = client.request("POST", "/api/init", {"settings": settings})
    assert status == 200
    for family, skip in (("plain", False), ("residual", True)):
        expected = gradients_at_init(RunConfig(**settings, skip=skip))
        assert answer[family] == pytest.approx(list(expected), rel=1e-12)
    assert answer["plain"] != answer["residual"]


def test_stop_ends_the_stream_with_what_was_trained(client):
    run = client.start_run(LONG)
    events = client.events(run)
    assert next(events)[0] == "progress"
    status, answer = client.stop_run(run)
    assert status == 200 and answer["status"] == "stopped"
    points, end = [], None
    for event, data in events:
        points += data.get("points", [])
        end = data if event == "end" else end
    assert end["status"] == "stopped" and end["message"] == "stopped by the page"
    assert end["steps"] < 5000


def test_two_pages_train_at_once_and_a_third_is_told_to_wait(server, client):
    first, second = client.start_run(LONG, page="a"), client.start_run(LONG, page="b")
    status, answer = client.request("POST", "/api/runs", {"page": "c", "settings": TINY})
    assert status == 503 and "2 runs are training already" in answer["error"]
    for run in (first, second):
        client.stop_run(run)
    results = {}

    def watch(page):
        results[page] = collect(client, client.start_run(TINY, page=page))
    threads = [threading.Thread(target=watch, args=(page,)) for page in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for page in ("a", "b"):
        points, _, end = results[page]
        assert end["status"] == "done" and [p[0] for p in points] == list(range(30))
    assert results["a"][0] == results["b"][0]  # the same settings train the same curve


def test_a_page_has_one_run_at_a_time(server, client):
    first = client.start_run(LONG, page="same")
    second = client.start_run(LONG, page="same")
    old = server.runs.get(first)
    assert old.status == "stopped" and "replaced by a new run" in old.message
    assert server.runs.get(second).status == "running"
    client.stop_run(second)


def test_a_client_that_hangs_up_mid_stream_stops_its_run_and_nothing_else(server, client,
                                                                          capfd):
    other = client.start_run(LONG, page="other")
    run = client.start_run(LONG, page="leaver")
    connection, response = client.open_stream(run)
    while not response.readline().startswith(b"event: progress"):  # keepalives first
        pass
    response.close()
    connection.close()
    until(lambda: server.runs.get(run).status == "stopped")
    assert server.runs.get(run).message == "the page closed the stream"
    assert server.runs.get(other).status == "running"
    client.stop_run(other)
    assert client.request("GET", "/")[0] == 200
    assert collect(client, client.start_run(TINY, page="leaver"))[2]["status"] == "done"
    assert "Traceback" not in capfd.readouterr().err


def test_a_run_that_no_page_reads_stops_by_itself():
    with serving(orphan_seconds=0.3) as server:
        run = Client(server.url).start_run(LONG)
        until(lambda: server.runs.get(run).status == "stopped")
        assert server.runs.get(run).message == "stopped: no page was reading this run"
