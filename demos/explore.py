"""Seeds 003 and 004's interactive explorers, live: a local web app on the standard library's
HTTP server. Training runs in the real engine in a worker thread and streams to the page as it
goes, so each loss curve grows step by step; the gradient column of the net being trained
updates with it.

- Degradation explorer: task, depth, width, skip on/off, block, init, optimizer, learning
  rate, seed; Train, Stop, Reset; the runs overlaid on one log-scale plot.
- Gradient flow visualizer: ||dL/dh|| per layer, plain and residual side by side, at
  initialisation and then live.
- Seed 003's view (the block stepper and the two reach columns) on its own page.

The server listens on 127.0.0.1 only, on a free port, and prints a URL with a random token;
requests without it get 403 (demos/explorer/server.py lists the guards). Ctrl-C stops it.

    python -m demos explore                    # prints the URL and opens the browser
    python -m demos explore --no-browser --port 8765
    python -m demos explore --quick            # self-check: train one run over HTTP, exit
"""
from __future__ import annotations

import argparse
import threading
import time
import webbrowser
from pathlib import Path
from typing import Optional

from .cli import make_main
from .explorer.client import Client
from .explorer.config import BadParameter, RunConfig, parse_config
from .explorer.server import ExplorerServer
from .tables import format_table, make_table

SUMMARY = ("Seeds 003/004: the live explorers, a local web app that trains plain and residual "
           "nets in the engine and streams loss curves and per-layer gradients to the browser")
# the self-check trains the page's default network (spirals, depth 32) for this many steps
CHECK_STEPS = 60


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 0 to 65535, got {port}")
    return port


def seed_value(text: str) -> int:
    """An argparse `type`: a seed the server would accept (config.py's limits)."""
    try:
        return parse_config({"seed": text}).seed
    except BadParameter as error:
        raise argparse.ArgumentTypeError(error.reason) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=port_number, default=0,
                        help="port on 127.0.0.1 (default: 0, a free one)")
    parser.add_argument("--no-browser", action="store_true",
                        help="print the URL but do not open a browser")
    parser.add_argument("--verbose", action="store_true",
                        help="log every request (the token left out)")
    parser.add_argument("--quick", action="store_true",
                        help=f"self-check instead of serving: start the server, train the "
                             f"default net (spirals, depth 32) for {CHECK_STEPS} steps through "
                             f"the HTTP API, print the timings, stop")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="the seed the page's controls start at (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                        help="unused: the app writes no files (kept for the common options)")


def one_blas_thread() -> Optional[str]:
    """Limit numpy's BLAS to one thread in this process; None, or why it could not.

    The nets here are small: BLAS threads buy nothing and, on a busy 2-core machine, cost
    many times the CPU of a step while they wait for each other (demos/cli.py measures it).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return ("threadpoolctl is not installed (it comes with scikit-learn: pip install -e "
                "\".[data]\"), so numpy may use several BLAS threads, which slows these small "
                "nets down; start with OPENBLAS_NUM_THREADS=1 to avoid it")
    threadpool_limits(1, user_api="blas")
    return None


def run(args: argparse.Namespace) -> dict:
    warning = one_blas_thread()
    if warning:
        print(f"explorer: {warning}", flush=True)
    try:
        server = ExplorerServer(args.port, verbose=args.verbose,
                                defaults=RunConfig(seed=args.seed))
    except OSError as error:
        raise SystemExit(f"explore: cannot listen on 127.0.0.1:{args.port}: {error.strerror}; "
                         f"pick another --port or leave it out for a free one")
    if args.quick:
        return self_check(server)
    print(f"explorer: {server.url}\n(open it in a browser; Ctrl-C stops the server)",
          flush=True)
    if not args.no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        print("\nexplorer: Ctrl-C, stopping", flush=True)
    finally:
        training = server.close()
    print(f"explorer: stopped ({training} run(s) were still training)", flush=True)
    return {"port": server.server_address[1], "stopped_runs": training, "tables": [],
            "figures": []}


def self_check(server: ExplorerServer) -> dict:
    """Serve in a thread, check the guards and train one run as a page would; the timings."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    client = Client(server.url)
    try:
        page_status, page = client.request("GET", "/")
        refused = client.request("GET", "/", token="")[0]
        bad = client.request("POST", "/api/runs", {"page": "check", "settings": {"depth": 0}})
        start = time.perf_counter()
        run_id = client.start_run({"steps": CHECK_STEPS}, page="check")
        first, steps, end = None, 0, {}
        for event, data in client.events(run_id):
            if event == "progress" and data["points"]:
                first = first or time.perf_counter()
                steps = data["points"][-1][0] + 1
            elif event == "end":
                end = data
        seconds = time.perf_counter() - (first or start)
    finally:
        server.shutdown()
        server.close()
    result = {"page_status": page_status, "page_bytes": len(page.encode("utf-8")),
              "no_token_status": refused, "bad_depth": list(bad), "end": end,
              "first_point_seconds": (first - start) if first else None,
              "steps_per_second": (steps - 1) / seconds if steps > 1 and seconds > 0 else None}
    table = make_table(
        "Self-check of the live explorer (spirals, depth 32, width 32, through HTTP and SSE)",
        ["check", "result"],
        [["page", f"{page_status}, {result['page_bytes']} bytes"],
         ["request without the token", refused],
         ["depth 0", f"{bad[0]}: {bad[1].get('error') if isinstance(bad[1], dict) else bad[1]}"],
         ["run", f"{end.get('status')}: {end.get('message')}"],
         ["time from start to the first point (s)", result["first_point_seconds"]],
         ["steps per second after the first point", result["steps_per_second"]]])
    print(format_table(table))
    return {**result, "tables": [table], "figures": []}


main = make_main(__name__)

if __name__ == "__main__":
    main()
