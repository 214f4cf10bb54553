"""Start-up benchmark: the real `qa serve`, seconds until the page, the API and an answer respond.

    .venv/bin/python bench/startup.py -n 5              # index already built (warm venv)
    .venv/bin/python bench/startup.py -n 3 --first-run  # empty index each time: seeds/ ingested

Starts `qa serve --host 127.0.0.1 --port P --seed seeds` (what `make run` runs) on a free port N
times and, for each run, times from the process start until GET / returns 200 (the page), until
GET /api/health returns 200 (index loaded and warm) and until a first POST /api/ask is answered.
Prints median and max of each, with the load average: the cores may be shared with other jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
QA = str(Path(sys.executable).with_name("qa"))
QUESTION = {"question": "Where were the rockets fired from?"}
STEPS = ("page_s", "health_s", "answer_s")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Any, started: float, timeout: float, server: subprocess.Popen[str]) -> float:
    """Seconds from `started` until `check()` is true; fails if the server exits or time runs out."""
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"qa serve exited with {server.returncode}: {server.stdout.read()}")  # type: ignore[union-attr]
        try:
            if check():
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"not ready after {timeout:.0f} s")


def one_run(index_dir: Path, timeout: float) -> dict[str, float]:
    """Start `qa serve` over `index_dir`, time the three steps, stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1"}
    env.pop("QA_API_TOKEN", None)
    cmd = [QA, "serve", "--host", "127.0.0.1", "--port", str(port), "--seed", "seeds"]
    started = time.monotonic()
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        times = {
            "page_s": wait_for(
                lambda: httpx.get(url + "/", timeout=5).status_code == 200,
                started,
                timeout,
                server,
            ),
            "health_s": wait_for(
                lambda: httpx.get(url + "/api/health", timeout=5).status_code == 200,
                started,
                timeout,
                server,
            ),
        }
        answer = httpx.post(url + "/api/ask", json=QUESTION, timeout=timeout).json()
        if not answer.get("answered"):
            raise RuntimeError(f"the first question was not answered: {answer}")
        times["answer_s"] = time.monotonic() - started
        return times
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    """Median and max of each step over the runs."""
    return {
        step: {
            "median": round(statistics.median(r[step] for r in runs), 2),
            "max": round(max(r[step] for r in runs), 2),
        }
        for step in STEPS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="how many starts to time")
    parser.add_argument(
        "--first-run",
        action="store_true",
        help="start each time on an empty index (seeds ingested)",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a step may take")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="qa-bench-startup-") as tmp:
        shared = Path(tmp) / "index"
        if not args.first_run:
            one_run(shared, args.timeout)  # builds the index from seeds/; not counted
        runs = []
        for i in range(args.n):
            index_dir = Path(tmp) / f"fresh-{i}" if args.first_run else shared
            runs.append(one_run(index_dir, args.timeout))
            if not args.json:
                print(f"run {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()))
    result = {
        "case": "first run (empty index, seeds ingested)" if args.first_run else "index built",
        "runs": runs,
        **summary(runs),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['case']}, {args.n} starts of `qa serve` (seconds from process start):")
    for step in STEPS:
        print(f"  {step:9} median {result[step]['median']:6.2f}   max {result[step]['max']:6.2f}")
    print(
        f"load average before {result['load_average_before']}, after "
        f"{result['load_average_after']} on {result['cpu_count']} cores"
    )


if __name__ == "__main__":
    main()
