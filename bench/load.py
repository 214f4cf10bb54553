"""Load test: N concurrent questions through the HTTP API, optionally while `qa ingest` runs.

    python bench/load.py --url http://127.0.0.1:7860 -n 50
    python bench/load.py --serve /tmp/load-index --synthetic 300 -n 50   # own server + ingest

Loopback only; every loop is bounded. Prints throughput, p50/p95 latency and every error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Where were the rockets fired from?",
    "How many civilians were wounded?",
    "When were the shells fired at the U.S. Embassy in Baghdad?",
    "Which groups had respected a truce?",
    "Who was killed in the attack?",
    "How many projectiles were fired?",
    "What did the army statement say?",
    "Who won the 1998 world chess championship?",
]
MAX_QUESTIONS, MAX_CONCURRENCY, MAX_ROUNDS = 1000, 200, 50


@dataclass
class LoadReport:
    """Latencies of the answered questions and the errors of the others."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cited: int = 0
    seconds: float = 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in seconds."""
        ordered = sorted(self.latencies)
        return (
            ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]
            if ordered
            else 0.0
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        answered = len(self.latencies)
        return {
            "questions": answered + len(self.errors),
            "answered": answered,
            "cited": self.cited,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "throughput_qps": round(answered / self.seconds, 2) if self.seconds else 0.0,
            "p50_s": round(self.percentile(50), 3),
            "p95_s": round(self.percentile(95), 3),
            "max_s": round(max(self.latencies, default=0.0), 3),
        }


def require_loopback(url: str) -> None:
    """Refuse to load anything but this machine."""
    host = urlparse(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise SystemExit(
            f"refusing to load {host or url!r}: this load test only targets loopback addresses"
        )


async def ask_one(
    client: httpx.AsyncClient, question: str, report: LoadReport, gate: asyncio.Semaphore
) -> None:
    """One chat completion; its latency, or its error."""
    async with gate:
        started = time.perf_counter()
        try:
            r = await client.post(
                "/v1/chat/completions",
                json={"model": "any", "messages": [{"role": "user", "content": question}]},
            )
            body = r.json()
            content = body["choices"][0]["message"]["content"] if r.status_code == 200 else ""
            if r.status_code != 200 or not content:
                report.errors.append(f"{r.status_code}: {json.dumps(body)[:300]}")
                return
            report.latencies.append(time.perf_counter() - started)
            report.cited += bool(body.get("citations"))
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            report.errors.append(f"{type(exc).__name__}: {exc}")


async def run_round(
    url: str, n: int, concurrency: int, token: str | None, report: LoadReport, timeout: float
) -> None:
    """Send n questions, at most `concurrency` at a time."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=timeout, limits=limits
    ) as client:
        questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(n)]
        random.Random(n).shuffle(questions)
        await asyncio.gather(*(ask_one(client, q, report, gate) for q in questions))


def run_load(
    url: str,
    n: int = 50,
    concurrency: int | None = None,
    token: str | None = None,
    timeout: float = 300.0,
    while_running: subprocess.Popen[bytes] | None = None,
) -> LoadReport:
    """Rounds of n concurrent questions: one, or (bounded) until `while_running` exits."""
    require_loopback(url)
    n, concurrency = min(n, MAX_QUESTIONS), min(concurrency or n, MAX_CONCURRENCY)
    report = LoadReport()
    started = time.perf_counter()
    for _ in range(MAX_ROUNDS):
        asyncio.run(run_round(url, n, concurrency, token, report, timeout))
        if while_running is None or while_running.poll() is not None:
            break
    report.seconds = time.perf_counter() - started
    return report


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, server: subprocess.Popen[bytes], limit_s: float = 300.0) -> None:
    """Wait (bounded) until the server answers /api/health."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not become healthy in {limit_s:.0f}s")


WORDS = [
    "council",
    "harbor",
    "river",
    "budget",
    "school",
    "festival",
    "bridge",
    "election",
    "storm",
    "market",
    "museum",
]


def synthetic_articles(folder: Path, count: int) -> Path:
    """A JSONL file of `count` made-up articles, enough to keep `qa ingest` busy."""
    rng = random.Random(7)
    path = folder / "synthetic.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            sentences = (
                f"The {rng.choice(WORDS)} report {i}-{j} counted {rng.randint(2, 900)} people."
                for j in range(40)
            )
            record = {
                "id": f"synthetic/{i}",
                "title": f"Synthetic {i}",
                "text": " ".join(sentences),
            }
            f.write(json.dumps(record) + "\n")
    return path


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="base URL of a running `qa serve` (loopback)")
    where.add_argument("--serve", metavar="INDEX_DIR", help="start `qa serve` on this index")
    parser.add_argument("-n", type=int, default=50, help="concurrent questions per round")
    parser.add_argument("--concurrency", type=int, help="in flight at once (default: n)")
    parser.add_argument("--token", default=os.environ.get("QA_API_TOKEN"), help="bearer token")
    parser.add_argument("--ingest", nargs="*", default=[], help="`qa ingest` these meanwhile")
    parser.add_argument("--synthetic", type=int, default=0, help="and N generated articles")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args()


def start_server(qa: str, env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    """`qa serve --seed seeds` on a free loopback port, once it answers."""
    port = free_port()
    cmd = [qa, "serve", "--host", "127.0.0.1", "--port", str(port), "--seed", str(ROOT / "seeds")]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, server)
    return url, server


def describe(result: dict[str, Any]) -> str:
    """The report for people."""
    lines = [
        f"{result['answered']}/{result['questions']} answered ({result['cited']} cited) "
        f"in {result['seconds']}s: {result['throughput_qps']} q/s, "
        f"p50 {result['p50_s']}s, p95 {result['p95_s']}s, max {result['max_s']}s"
    ]
    lines += [f"  error: {e}" for e in result["errors"][:10]]
    if "ingest" in result:
        ingest = result["ingest"]
        lines.append(f"  qa ingest exit code {ingest['exit_code']}: {ingest['report']}")
    return "\n".join(lines)


def main() -> int:
    """Run the load test; exit 1 when a question or the ingest failed."""
    args = parse_args()
    qa = str(Path(sys.executable).with_name("qa"))
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    if args.serve:
        env["QA_INDEX_DIR"] = args.serve  # the ingest below writes to the same index
    server = ingest = None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            url, server = start_server(qa, env) if args.serve else (args.url, None)
            paths = list(args.ingest)
            if args.synthetic:
                paths.append(str(synthetic_articles(Path(tmp), args.synthetic)))
            if paths:
                cmd = [qa, "ingest", *paths, "--json"]
                ingest = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE)
            result = run_load(url, args.n, args.concurrency, args.token, while_running=ingest)
            result = result.as_dict()
            if ingest is not None:
                out, _ = ingest.communicate(timeout=600)
                report = out.decode(errors="replace").strip()[-500:]
                result["ingest"] = {"exit_code": ingest.returncode, "report": report}
        finally:
            for proc in (ingest, server):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    proc.wait(timeout=30)
    print(json.dumps(result) if args.json else describe(result))
    failed_ingest = "ingest" in result and result["ingest"]["exit_code"] != 0
    return 1 if result["errors"] or failed_ingest else 0


if __name__ == "__main__":
    sys.exit(main())
