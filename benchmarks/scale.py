"""Scale benchmark of the store: a 100k-article corpus with injected copies, on this machine.

The corpus: the 19,043 real Reuters-21578 articles, plus generated articles, plus copies of real
articles injected at known rates. A generated article recombines 4-10 sentences, each from a
different random real article, with every number replaced by a random one of the same length
(so it shares phrasing with the corpus, as wire copy does, but no whole fact). Injected copies of
a random real article (4+ sentences), one kind each, published a day after their source:

  exact      the same title and text
  near       light edits (a word dropped or replaced in a few sentences) and site boilerplate
             (a header, "Advertisement" between paragraphs, a share line and a copyright footer)
  shuffled   the same sentences in another order
  truncated  the first 50-70% of the sentences (a condensed copy)

Figures (written to benchmarks/out/scale/results.json and printed as a table):
  * `copytrace add` of the whole corpus into an empty store: wall time, peak RSS of the process
    tree, store size on disk, recall of each injected kind (a copy relation between the copy and
    its source);
  * adding 1,000 more articles (800 generated, 200 copies of stored articles);
  * query latency (p50/p95, models loaded) for 200 texts not in the store;
  * index recall: for 1,000 stored documents, how often the index's search (at the writer's and
    the reader's breadth) finds the nearest other document an exact search finds;
  * text-dedup-style MinHash LSH (datasketch, word 5-grams, 256 permutations, Jaccard >= 0.7) on
    the same corpus: wall time and recall by kind;
  * rewrites-dev: its sources and distractors added to the 100k store (which holds all Reuters
    articles), then each of its 96 derived documents queried: share whose first source is its own;
  * `copytrace scan --json` of the whole corpus (no store given: above 20,000 documents it goes
    through a temporary one in batches): wall time, peak RSS, CPU time, recall of each kind.

The data are third-party and stay in /work/shared; everything generated goes under
benchmarks/out/ (gitignored). Run (about an hour and a half on 2 cores):

    python benchmarks/scale.py [--docs 100000] [--out benchmarks/out/scale] [--batch-size 5000]
                               [--no-semantic]

`--no-semantic` runs every step the way `copytrace add --no-semantic` does: wording only, no
sentence model (the figures of the "wording only" row of the README's scale table).

A quick trial of every step (a few minutes; the test suite runs one):

    python benchmarks/scale.py --docs 1000 --reuters 600 --batch-size 500 --out /tmp/scale
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from copytrace.config import Config

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
REUTERS = SHARED / "reuters21578" / "corpus.jsonl.gz"
REWRITES = SHARED / "rewrites-dev"
KINDS = ("exact", "near", "shuffled", "truncated")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_NUMBER = re.compile(r"\d+")
BOILER_HEAD = "NEWSWIRE DAILY | Business | Markets"
BOILER_TAIL = ["Share this article", "Copyright 1987 Newswire Daily. All rights reserved."]


def read_reuters() -> list[dict]:
    with gzip.open(REUTERS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def sentences(text: str) -> list[str]:
    body = text.replace("\n Reuter", "").replace("\nReuter", "").strip()
    return [" ".join(s.split()) for s in _SENTENCE.split(body) if len(s.split()) >= 4]


def _date(rng: random.Random) -> str:
    return f"1987-{rng.randint(3, 10):02d}-{rng.randint(1, 28):02d}"


def _later(date: str | None) -> str:
    """Return the day after an ISO date (one Reuters date is not ISO: then a day after them all)."""
    match = re.match(r"(\d{4})-(\d\d)-(\d\d)", date or "")
    if not match:
        return "1987-10-21"
    y, m, d = (int(x) for x in match.groups())
    return f"{y}-{m:02d}-{min(d + 1, 28):02d}"


def _renumber(rng: random.Random, text: str) -> str:
    """Replace every number by a random one with as many digits."""

    def number(m: re.Match[str]) -> str:
        digits = len(m.group())
        return str(rng.randint(10 ** (digits - 1) if digits > 1 else 1, 10**digits - 1))

    return _NUMBER.sub(number, text)


def generated(rng: random.Random, pool: list[list[str]], titles: list[str], n: int) -> dict:
    """Return an article of 4-10 sentences from as many real articles, numbers replaced."""
    parts = [rng.choice(rng.choice(pool)) for _ in range(rng.randint(4, 10))]
    text = " ".join(_renumber(rng, p) for p in parts)
    return {"id": f"gen-{n}", "title": rng.choice(titles), "date": _date(rng),
            "text": text + "\n Reuter"}  # fmt: skip


def copy_of(rng: random.Random, src: dict, kind: str, n: int) -> dict:
    sents = sentences(src["text"])
    if kind == "exact":
        text = src["text"]
    elif kind == "near":
        edited = list(sents)
        for i in rng.sample(range(len(edited)), k=min(2, len(edited))):
            words = edited[i].split()
            j = rng.randrange(1, len(words))
            words[j] = "reportedly" if rng.random() < 0.5 else ""
            edited[i] = " ".join(w for w in words if w)
        half = len(edited) // 2
        text = "\n".join([BOILER_HEAD, "", " ".join(edited[:half]), "", "Advertisement", "",
                          " ".join(edited[half:]), "", *BOILER_TAIL])  # fmt: skip
    elif kind == "shuffled":
        order = list(range(len(sents)))
        while order == sorted(order):
            rng.shuffle(order)
        text = " ".join(sents[i] for i in order)
    else:
        keep = max(2, round(len(sents) * rng.uniform(0.5, 0.7)))
        text = " ".join(sents[:keep])
    return {"id": f"copy-{kind}-{n}", "title": src["title"], "date": _later(src.get("date")),
            "text": text}  # fmt: skip


def copies(
    rng: random.Random, sources: list[dict], kind: str, count: int, first: int
) -> list[tuple[dict, dict]]:
    """Return `count` (source, copy) pairs of one kind, numbered from `first`."""
    out: list[tuple[dict, dict]] = []
    for src in rng.sample(sources, count):
        out.append((src, copy_of(rng, src, kind, first + len(out))))
    return out


Material = tuple[list[list[str]], list[str], list[dict]]  # sentence pool, titles, copy sources


def material(real: list[dict]) -> Material:
    """Return what generated articles and copies are made of: the sentences of each real article
    (those with any), the titles, and the articles long enough to copy (4+ sentences)."""
    split = [sentences(r["text"]) for r in real]
    pool = [s for s in split if s]
    titles = [r["title"] for r in real if r.get("title")]
    return pool, titles, [r for r, s in zip(real, split, strict=True) if len(s) >= 4]


def batch(
    rng: random.Random,
    made_of: Material,
    n_generated: int,
    per_kind: int,
    first: int,
    counter: int,
    which: str,
) -> tuple[list[dict], list[dict]]:
    """Return a batch to add (`n_generated` generated articles numbered from `first`, then
    `per_kind` copies of each kind, numbered from `counter`) and the truth of its copies, marked
    `which`."""
    pool, titles, sources = made_of
    rows = [generated(rng, pool, titles, first + i) for i in range(n_generated)]
    truth = []
    for kind in KINDS:
        for src, row in copies(rng, sources, kind, per_kind, counter):
            rows.append(row)
            truth.append({"copy": row["id"], "source": src["id"], "kind": kind, "set": which})
        counter += 2 * per_kind
    return rows, truth


def build(out: Path, total: int, seed: int = 1987, reuters: int | None = None) -> dict:
    """Write corpus.jsonl.gz, extra.jsonl (1,000 to add), queries.jsonl (200) and truth.jsonl.

    `reuters` keeps only the first that many real articles (a quick trial of the whole run)."""
    rng = random.Random(seed)
    real = read_reuters()[:reuters]
    pool, titles, sources = material(real)
    per_kind = max(1, total // 50)  # 2% of the corpus per kind
    n_gen = max(0, total - len(real) - per_kind * len(KINDS))
    truth, rows = [], [{"id": r["id"], "title": r["title"], "date": r["date"], "text": r["text"]}
                       for r in real]  # fmt: skip
    counter = 0
    for kind in KINDS:
        for src, row in copies(rng, sources, kind, per_kind, counter):
            rows.append(row)
            truth.append({"copy": row["id"], "source": src["id"], "kind": kind, "set": "corpus"})
        counter += per_kind * 2
    made = [generated(rng, pool, titles, i) for i in range(n_gen)]
    rows += made
    rng.shuffle(rows)
    with gzip.open(out / "corpus.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    extra, injected = batch(rng, (pool, titles, sources), 800, 50, n_gen, counter, "extra")
    truth += injected
    counter += 2 * 50 * len(KINDS)
    queries = [generated(rng, pool, titles, 10**7 + i) for i in range(100)]
    for kind in KINDS:
        queries += [row for _, row in copies(rng, sources, kind, 25, counter)]
        counter += 50
    for name, data in (("extra.jsonl", extra), ("queries.jsonl", queries), ("truth.jsonl", truth)):
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in data))
    return {"documents": len(rows), "real": len(real), "generated": len(made),
            "per_kind": per_kind}  # fmt: skip


class TreeRSS(threading.Thread):
    """Sample the summed RSS of a process and its descendants every 0.5 s; keep the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, False

    def run(self) -> None:
        while not self.done:
            self.peak = max(self.peak, _tree_rss(self.pid))
            time.sleep(0.5)


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        children[int(fields["PPid"].strip())].append(int(entry))
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def timed_cli(
    args: list[str], log: Path, env: dict[str, str] | None = None, stdout: Path | None = None
) -> tuple[float, int, float]:
    """Run `copytrace ARGS` (in environment `env`, by default this one's; its output to `log`, or
    only its stderr when `stdout` is given); return (wall seconds, peak RSS of its process tree in
    bytes, CPU seconds of the tree). Wall time depends on what else runs on the machine; CPU time
    much less."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log, "w") as fh, open(stdout or os.devnull, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "copytrace", *args],
            stdout=out if stdout else fh,
            stderr=fh,
            env=env,
        )
        sampler = TreeRSS(proc.pid)
        sampler.start()
        code = proc.wait()
        sampler.done = True
    if code:
        raise SystemExit(f"copytrace {' '.join(args)} failed ({code}); see {log}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, sampler.peak, cpu


def store_recall(db: Path, truth: list[dict], which: str) -> dict[str, float]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    key = dict(conn.execute("SELECT id, key FROM documents"))
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for t in (t for t in truth if t["set"] == which):
        total[t["kind"]] += 1
        a, b = sorted((key[t["copy"]], key[t["source"]]))
        row = conn.execute("SELECT kind FROM relations WHERE a = ? AND b = ?", (a, b)).fetchone()
        found[t["kind"]] += bool(row and row[0] != "same_story")
    return {k: round(found[k] / total[k], 4) for k in KINDS if total[k]}


def scan_recall(result: Path, truth: list[dict]) -> dict[str, float]:
    """Return the share of the corpus's injected copies that `scan --json` output relates to
    their source as copies, by kind."""
    data = json.loads(result.read_text())
    copies = {frozenset((r["derived"], r["source"])) for r in data["relations"]
              if r["kind"] != "same_story"}  # fmt: skip
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for t in (t for t in truth if t["set"] == "corpus"):
        total[t["kind"]] += 1
        found[t["kind"]] += frozenset((t["copy"], t["source"])) in copies
    return {k: round(found[k] / total[k], 4) for k in KINDS if total[k]}


def full_scan(out: Path, truth: list[dict], flags: list[str]) -> dict:
    """Time `copytrace scan --json` of the whole corpus (more than `ScanConfig.in_memory_max`
    documents: in batches through a temporary store, as `add`), with its recall."""
    command = ["scan", *flags, str(out / "corpus.jsonl.gz"), "--json"]
    result = out / "scan.json"
    seconds, rss, cpu = timed_cli(command, out / "scan.log", stdout=result)
    figures = {"command": "copytrace " + " ".join(command), "seconds": round(seconds, 1),
               "cpu_seconds": round(cpu, 1), "peak_rss_gb": round(rss / 2**30, 2),
               "relations": len(json.loads(result.read_text())["relations"]),
               "recall": scan_recall(result, truth)}  # fmt: skip
    result.unlink()
    return figures


def datasketch_baseline(out: Path, truth: list[dict]) -> dict:
    """text-dedup's MinHash LSH: word 5-grams, 256 permutations, Jaccard 0.7; index, then query."""
    import resource

    from datasketch import MinHash, MinHashLSH

    cpu_start = time.process_time()
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=0.7, num_perm=256)
    signatures = {}
    with gzip.open(out / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            words = re.findall(r"\w+", row["text"].lower())
            grams = {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}
            m = MinHash(num_perm=256, seed=1)
            m.update_batch(list(grams))
            lsh.insert(row["id"], m)
            signatures[row["id"]] = m
    clusters = {doc_id: set(lsh.query(m)) for doc_id, m in signatures.items()}
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for t in (t for t in truth if t["set"] == "corpus"):
        total[t["kind"]] += 1
        found[t["kind"]] += t["source"] in clusters[t["copy"]]
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "peak_rss_gb_of_the_benchmark_process": round(peak / 2**30, 2),
            "recall": {k: round(found[k] / total[k], 4) for k in KINDS}}  # fmt: skip


def query_latency(db: Path, queries: Path, config: Config) -> dict:
    from copytrace.ingest import read_text
    from copytrace.store import Store
    from copytrace.store_query import query_models

    models = query_models(config)
    docs = [read_text(r["text"], r["id"], title=r["title"], published=r["date"])
            for r in map(json.loads, queries.read_text().splitlines())]  # fmt: skip
    with Store.open(db, readonly=True) as store:
        store.query(docs[:3], config, models)  # warm: model, index pages, SQLite cache
        results, cpu = [], []
        for doc in docs:
            started = time.process_time()
            results.append(store.query([doc], config, models)[0])
            cpu.append((time.process_time() - started) * 1000)
    ms = sorted(r.ms for r in results)
    cpu.sort()
    copies = [r for r in results if r.id.startswith("copy-")]
    return {"queries": len(ms), "p50_ms": ms[len(ms) // 2], "p95_ms": ms[int(len(ms) * 0.95)],
            "max_ms": ms[-1], "cpu_p50_ms": round(cpu[len(cpu) // 2], 1),
            "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95)], 1),
            "copies_with_a_copy_source": round(sum(bool(r.relations and r.relations[0].is_copy)
                                                   for r in copies) / len(copies), 4)}  # fmt: skip


def rewrites_dev(db: Path, out: Path, truth: list[dict], config: Config, flags: list[str]) -> dict:
    """Add rewrites-dev's sources and distractors to the store, then query its derived documents.

    The store already holds every Reuters article, so each source is there more than once: as
    the set's file, as the Reuters article it came from, and as the corpus's injected copies of
    that article (exact, near, shuffled or truncated: the same text). Any of them counts as the
    document's own source.
    """
    copies_of: dict[str, set[str]] = defaultdict(set)
    for t in truth:
        copies_of[t["source"]].add(t["copy"])
    gold = [json.loads(x) for x in (REWRITES / "gold.jsonl").read_text().splitlines()]
    stored = out / "rewrites-stored"
    stored.mkdir(exist_ok=True)
    for g in gold:
        if g["role"] in ("source", "distractor"):
            text = (REWRITES / "docs" / f"{g['id']}.txt").read_text()
            (stored / f"{g['id']}.txt").write_text(text)
    seconds, _, _ = timed_cli(["add", "--db", str(db), *flags, str(stored)], out / "rewrites.log")
    derived = [g for g in gold if g["source_id"]]
    origin = {g["id"]: "reuters-" + g["origin"].split("NEWID=")[1] for g in gold if g["origin"]}
    from copytrace.ingest import read_text
    from copytrace.store import Store
    from copytrace.store_query import query_models

    models = query_models(config)
    docs = [read_text((REWRITES / "docs" / f"{g['id']}.txt").read_text(), g["id"]) for g in derived]
    with Store.open(db, readonly=True) as store:
        results = store.query(docs, config, models)
        size = len(store)
    hits: Counter[str] = Counter()
    misses = []
    for g, r in zip(derived, results, strict=True):
        first = None
        if r.relations:
            rel = r.relations[0]
            first = rel.source if rel.derived == r.id else rel.derived
        reuters = origin.get(g["source_id"], "")
        if first in {g["source_id"], reuters} | copies_of[reuters]:
            hits[g["role"]] += 1
        else:
            misses.append({"id": g["id"], "role": g["role"], "first": first})
    return {"stored": size, "add_seconds": round(seconds, 1), "derived": len(derived),
            "own_source_first": round(sum(hits.values()) / len(derived), 4),
            "by_role": dict(hits), "misses": misses}  # fmt: skip


def settings(flags: list[str]) -> Config:
    """Return the settings the CLI runs with under `flags` (queries are run in this process)."""
    return Config().wording_only() if "--no-semantic" in flags else Config()


def save(out: Path, results: dict) -> None:
    """Write the figures so far (a long run leaves what it measured even if stopped)."""
    (out / "results.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1), flush=True)


def disk(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def _others(matches: object, row: int, key: int) -> list[float]:
    """Return the cosines of a search result row, the document itself left out."""
    keys, distances = matches.keys[row], matches.distances[row]  # type: ignore[attr-defined]
    return [1 - float(d) for k, d in zip(keys, distances, strict=True) if int(k) != key]


def index_recall(db: Path, sample: int = 1000) -> dict:
    """How often the index's search finds what an exact search finds, at both search breadths.

    For `sample` stored documents, each one's nearest other document by exact cosine (when at
    least 0.5, the candidate floor) is looked up with the search a writer and a reader use.
    """
    import numpy as np

    from copytrace.index import EXPANSION_SEARCH
    from copytrace.store import Store
    from copytrace.store_index import READER_EXPANSION_SEARCH

    with Store.open(db, readonly=True) as store:
        rows = store.conn.execute("SELECT key, vector FROM fingerprints").fetchall()
        picked = random.Random(1).sample(rows, min(sample, len(rows)))
        keys = [k for k, _ in picked]
        vectors = np.stack([np.frombuffer(v, dtype=np.float16) for _, v in picked])
        vectors = vectors.astype(np.float32)
        index = store.index._main
        exact = index.search(vectors, 2, exact=True)
        out: dict = {"documents": len(keys)}
        for name, breadth in (("writer", EXPANSION_SEARCH), ("reader", READER_EXPANSION_SEARCH)):
            index.expansion_search = breadth
            found = index.search(vectors, 11)
            hits = total = hits_strong = total_strong = 0
            for i, key in enumerate(keys):
                best = _others(exact, i, key)
                if not best or best[0] < 0.5:
                    continue
                got = any(cos >= best[0] - 1e-3 for cos in _others(found, i, key))
                total += 1
                hits += got
                if best[0] >= 0.7:
                    total_strong += 1
                    hits_strong += got
            out[name] = {"breadth": breadth, "nearest_found": round(hits / max(total, 1), 4),
                         "nearest_found_cosine_0.7": round(hits_strong / max(total_strong, 1), 4),
                         "documents_with_a_neighbour": total}  # fmt: skip
    return out


def queries_again(out: Path) -> None:
    """Measure query latency and rewrites-dev again on the store of an earlier full run."""
    db = out / "scale.ct"
    if not (out / "results.json").exists() or not db.exists():
        sys.exit(f"scale.py: no earlier full run in {out}; run without --queries-only first")
    results = json.loads((out / "results.json").read_text())
    truth = [json.loads(x) for x in (out / "truth.jsonl").read_text().splitlines()]
    flags = ["--no-semantic"] if results.get("no_semantic") else []
    config = settings(flags)
    results["query"] = query_latency(db, out / "queries.jsonl", config)
    results["rewrites_dev"] = rewrites_dev(db, out, truth, config, flags)
    results["index_recall"] = index_recall(db)
    results["queries_measured_again"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    save(out, results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/scale"))
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument(
        "--reuters",
        type=int,
        help="use only the first N real articles (a quick trial of every step; default: all)",
    )
    parser.add_argument(
        "--skip", nargs="*", default=[], help="steps to skip: rewrites, baseline, scan"
    )
    parser.add_argument(
        "--no-semantic", action="store_true", help="wording only, as `copytrace add --no-semantic`"
    )
    again = "measure query latency and rewrites-dev again on the store a full run left in --out"
    parser.add_argument("--queries-only", action="store_true", help=again)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.queries_only:
        queries_again(out)
        return
    # other work on the machine slows every figure: the load average says how much there was
    results: dict = {"machine": f"{os.cpu_count()} cores", "docs": args.docs,
                     "no_semantic": args.no_semantic,
                     "load_average_at_start": os.getloadavg()}  # fmt: skip
    flags = ["--no-semantic"] if args.no_semantic else []
    config = settings(flags)
    results["corpus"] = build(out, args.docs, reuters=args.reuters)
    truth = [json.loads(x) for x in (out / "truth.jsonl").read_text().splitlines()]
    db = out / "scale.ct"
    for p in out.glob("scale.ct*"):
        p.unlink()
    command = [
        "add",
        "--db",
        str(db),
        "--batch-size",
        str(args.batch_size),
        *flags,
        str(out / "corpus.jsonl.gz"),
    ]
    seconds, rss, cpu = timed_cli(command, out / "add.log")
    results["full"] = {"command": "copytrace " + " ".join(command), "seconds": round(seconds, 1),
                       "cpu_seconds": round(cpu, 1),
                       "peak_rss_gb": round(rss / 2**30, 2), "disk_mb": round(disk(db) / 2**20),
                       "recall": store_recall(db, truth, "corpus"),
                       "load_average_at_end": os.getloadavg()}  # fmt: skip
    save(out, results)
    seconds, rss, cpu = timed_cli(["add", "--db", str(db), *flags, str(out / "extra.jsonl")],
                                  out / "extra.log")  # fmt: skip
    results["add_1000"] = {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
                           "peak_rss_gb": round(rss / 2**30, 2),
                           "recall": store_recall(db, truth, "extra")}  # fmt: skip
    results["query"] = query_latency(db, out / "queries.jsonl", config)
    results["index_recall"] = index_recall(db)
    results["disk_mb_after"] = round(disk(db) / 2**20)
    save(out, results)
    if "baseline" not in args.skip:
        results["datasketch"] = datasketch_baseline(out, truth)
        results["ratio_copytrace_to_datasketch"] = {
            "wall": round(results["full"]["seconds"] / results["datasketch"]["seconds"], 2),
            "cpu": round(results["full"]["cpu_seconds"] / results["datasketch"]["cpu_seconds"], 2),
        }
        save(out, results)
    if "rewrites" not in args.skip:
        results["rewrites_dev"] = rewrites_dev(db, out, truth, config, flags)
    save(out, results)
    if "scan" not in args.skip:
        results["scan"] = full_scan(out, truth, flags)
        save(out, results)


if __name__ == "__main__":
    main()
