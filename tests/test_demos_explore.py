"""`python -m demos explore` (demos/explore.py): Ctrl-C stops it cleanly, --quick checks
itself, bad options and a busy port are clear errors."""
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from explorer_helpers import LONG, serving

from demos.cli import run_demo
from demos.explorer.client import Client

REPO = Path(__file__).resolve().parents[1]


# `python -m demos explore --no-browser`, with Ctrl-C's usual handler: a script's background job
# (`make test &` in CI) starts with SIGINT ignored, and a child keeps an ignored signal across
# exec, so without this the SIGINT below would be dropped and the test would time out
EXPLORE_WITH_CTRL_C = [sys.executable, "-c", "import runpy, signal, sys; "
                       "signal.signal(signal.SIGINT, signal.default_int_handler); "
                       "sys.argv = ['demos', 'explore', '--no-browser']; "
                       "runpy.run_module('demos', run_name='__main__', alter_sys=True)"]


def test_ctrl_c_stops_the_server_and_its_runs_cleanly():
    process = subprocess.Popen(EXPLORE_WITH_CTRL_C, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line).group(0)
        client = Client(url)
        events = client.events(client.start_run(LONG))
        assert next(events)[0] == "progress"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Ctrl-C, stopping" in out and "stopped (1 run(s) were still training)" in out
    assert "Traceback" not in err
    # the stream ends: with an "end" event if it got out before the process did
    assert all(data["status"] == "stopped" for event, data in events if event == "end")


def test_quick_self_check(tmp_path):
    result = run_demo("explore", ["--quick", "--json", str(tmp_path / "explore.json")])
    assert result["page_status"] == 200 and result["no_token_status"] == 403
    assert result["bad_depth"][0] == 400 and result["end"]["status"] == "done"
    assert 0 < result["first_point_seconds"] < 30 and result["steps_per_second"] > 0
    assert (tmp_path / "explore.json").is_file()


@pytest.mark.parametrize("option, value, message", [
    ("--port", "70000", "argument --port: must be from 0 to 65535, got 70000"),
    ("--port", "http", "argument --port: expected a port number, got 'http'"),
    ("--seed", "-1", "argument --seed: must be a whole number from 0 to 2147483647")])
def test_bad_options_are_refused(option, value, message, capsys):
    with pytest.raises(SystemExit):
        run_demo("explore", [option, value])
    assert message in capsys.readouterr().err


def test_a_port_in_use_is_a_clear_error():
    with serving() as server:
        port = str(server.server_address[1])
        with pytest.raises(SystemExit, match=f"cannot listen on 127.0.0.1:{port}: .*pick"):
            run_demo("explore", ["--port", port, "--no-browser"])
