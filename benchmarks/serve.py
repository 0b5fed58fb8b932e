"""Load figure for the web app: concurrent `POST /api/query` against a store of Reuters-21578.

Usage: python benchmarks/serve.py [--shared ../shared] [--requests 200] [--seed 7]

Builds the store of all 19,043 Reuters articles with `copytrace add` once (about 20 minutes on
2 cores; kept under benchmarks/out/serve/), starts `copytrace serve` on a free loopback port in
its own process, loads the models with one query, then fires all the requests at once from one
asyncio client. Each request queries a different article, lightly edited (its last sentence
dropped, a few words changed, a sentence added), so each is a real lookup whose answer is known:
the article itself should come first. Reports failures, p50/p95/max latency, throughput, and how
often the article came first, and writes them to benchmarks/out/serve.json.

Only loopback traffic; the request count is bounded and every request has a time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
STORE = OUT / "serve" / "reuters.ct"
TIMEOUT = 600.0  # seconds a single request may take (all 200 wait in one queue)
EDITS = [("said", "stated"), ("the company", "the firm"), ("percent", "pct"), ("billion", "bln")]


def build_store(corpus: Path) -> None:
    """Add the whole corpus to the store (a no-op for articles already stored)."""
    STORE.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"building {STORE} from {corpus} (about 20 minutes on 2 cores)...", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "copytrace", "add", "--db", str(STORE), str(corpus), "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def queries(corpus: Path, count: int, seed: int) -> tuple[list[tuple[str, str]], int]:
    """Return `count` (article id, edited text) pairs from articles of 6 sentences or more, and
    the number of articles in the corpus."""
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    long = [r for r in rows if len(re.findall(r"[.!?]\s", r["text"])) >= 6]
    picked = random.Random(seed).sample(long, count)
    return [(r["id"], edit(r["text"], k)) for k, r in enumerate(picked)], len(rows)


def edit(text: str, k: int) -> str:
    """Lightly edit an article: drop its last sentence, swap a few words, add a line."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    body = " ".join(sentences[:-1])
    for old, new in EDITS:
        body = body.replace(f" {old} ", f" {new} ", 1)
    return f"{body}\nThe report was republished by a monitoring service, item {k}."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    """Start `copytrace serve` on the loopback port; return once it answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "copytrace", "serve", "--db", str(STORE), "--port", str(port)],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/stories?limit=1").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not answer within 120 s")


async def fire(url: str, texts: list[str]) -> tuple[list[float], list[Any], float]:
    """Send every query at once; return latencies (s), answers (or errors) and wall time."""
    limits = httpx.Limits(max_connections=len(texts), max_keepalive_connections=len(texts))
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, limits=limits) as client:

        async def one(text: str) -> tuple[float, Any]:
            started = time.perf_counter()
            try:
                answer = await client.post("/api/query", json={"text": text, "top": 5})
                body: Any = answer.json() if answer.status_code == 200 else answer.status_code
            except httpx.HTTPError as exc:
                body = repr(exc)
            return time.perf_counter() - started, body

        started = time.perf_counter()
        done = await asyncio.gather(*(one(t) for t in texts))
        wall = time.perf_counter() - started
    return [d[0] for d in done], [d[1] for d in done], wall


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    corpus = args.shared / "eval" / "reuters21578" / "corpus.jsonl.gz"
    asked, total = queries(corpus, args.requests + 1, args.seed)
    if stored_count() < total - 10:  # a few articles are empty and never stored
        build_store(corpus)  # resumes an interrupted build: stored articles are skipped
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        first = httpx.post(f"{url}/api/query", json={"text": asked[0][1]}, timeout=TIMEOUT)
        first.raise_for_status()
        cold = time.perf_counter() - started
        pages = {}
        for path in ("/", "/api/stories?limit=50", "/stories/" + first_story(url)):
            started = time.perf_counter()
            assert httpx.get(url + path, timeout=60).status_code == 200, path
            pages[path] = round((time.perf_counter() - started) * 1000, 1)
        cpu_before = cpu_seconds(server.pid)
        latencies, answers, wall = asyncio.run(fire(url, [t for _, t in asked[1:]]))
        cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=60)
    failures = [a for a in answers if not isinstance(a, dict)]
    firsts = [
        (doc_id, (a["queries"][0]["sources"] or [{}])[0])
        for (doc_id, _), a in zip(asked[1:], answers, strict=True)
        if isinstance(a, dict)
    ]
    found = sum(first.get("id") == doc_id for doc_id, first in firsts)
    # When the article is not first, what came first: its kind, and where the article ranked.
    misses = [
        {"asked": doc_id, "first": first.get("id"), "kind": first.get("kind")}
        for doc_id, first in firsts
        if first.get("id") != doc_id
    ]
    ms = [round(x * 1000, 1) for x in latencies]
    served = [a["queries"][0]["ms"] for a in answers if isinstance(a, dict)]
    report = {
        "store_documents": stored_count(),
        "requests": len(answers),
        "concurrency": len(answers),
        "failures": len(failures),
        "failure_examples": [str(f)[:200] for f in failures[:3]],
        "first_query_s": round(cold, 2),  # the models load in the background at startup
        "p50_ms": percentile(ms, 0.5),
        "p95_ms": percentile(ms, 0.95),
        "max_ms": max(ms),
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(answers) / wall, 1),
        "server_ms_per_query_median": round(statistics.median(served), 1) if served else None,
        # the machine is shared: CPU time of the server process per query is the steady figure
        "server_cpu_ms_per_query": round(cpu * 1000 / len(answers), 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "article_found_first": f"{found}/{len(answers)}",
        "misses": misses,
        "pages_ms_idle": pages,
        "cores": os.cpu_count(),
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "serve.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    if failures:
        sys.exit(1)


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_story(url: str) -> str:
    """Return the id of the largest story."""
    items = httpx.get(f"{url}/api/stories?limit=1", timeout=60).json()["items"]
    return str(items[0]["id"]) if items else "s1"


def stored_count() -> int:
    """Return the number of documents in the store (0 when there is none)."""
    if not STORE.exists():
        return 0
    conn = sqlite3.connect(f"file:{STORE}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        conn.close()


if __name__ == "__main__":
    main()
