"""Compare code versions on one batch added to copies of a large store, alternating the versions.

This machine's speed moves between runs by more than most changes save (the same step has taken
from 0.7 to 1.3 times its usual time), so two versions are compared at one moment: the same new
documents are added to a fresh copy of one store, version after version, round after round.

The batch is made the way `scale.py` makes its extra batch: four fifths generated articles, and
a twentieth of the batch injected as copies of stored Reuters articles for each kind (exact,
near, shuffled, truncated). The store is the one a full `scale.py` run leaves in its `--out`
directory (it holds every Reuters article).

Each version is a git revision, checked out into a temporary worktree and run from there; `.`
is the working tree as it is. A revision older than the store's schema refuses the store (the
store says which version wrote it); one newer migrates its copy. For each run it prints the wall
time, the CPU time of the process tree, the relations the batch added and the recall of its
injected copies:

  python benchmarks/ab_batch.py 3d5fb3d .                     # 5,000 documents, 2 rounds
  python benchmarks/ab_batch.py --docs 1000 --runs 3 HEAD~1 HEAD
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # the benchmark next to this one

REPO = Path(__file__).resolve().parent.parent


def make_batch(path: Path, docs: int, seed: int, stored: set[str]) -> list[dict]:
    """Write `docs` new documents to `path` as JSONL, the copies of documents in `stored` (ids);
    return the truth of the injected copies."""
    pool, titles, sources = scale.material(scale.read_reuters())
    sources = [r for r in sources if r["id"] in stored]
    per_kind = max(1, docs // 20)
    rows, truth = scale.batch(
        random.Random(seed), (pool, titles, sources), max(0, docs - per_kind * len(scale.KINDS)),
        per_kind, 5 * 10**7 + seed * 10**5, 6 * 10**7 + seed * 10**5, "batch",
    )  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return truth


def checkout(ref: str, into: Path) -> Path:
    """Return the `src` directory of revision `ref` (a detached worktree under `into`)."""
    if ref == ".":
        return REPO / "src"
    tree = into / f"tree-{re.sub(r'[^0-9A-Za-z._-]', '_', ref)}"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--force", str(tree), ref],
        check=True,
        capture_output=True,
    )
    src = tree / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    where = subprocess.run(
        [sys.executable, "-c", "import copytrace; print(copytrace.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not Path(where).is_relative_to(src):
        raise SystemExit(f"{ref}: copytrace is imported from {where}, not from the checkout")
    return src


def run(src: Path, store: Path, batch: Path, work: Path, size: int, truth: list[dict]) -> dict:
    """Add `batch` to a fresh copy of `store` with the code in `src`; return the run's figures."""
    db = work / "copy.ct"
    for p in work.glob("copy.ct*"):
        p.unlink()
    shutil.copyfile(store, db)
    index = store.with_name(store.name + ".usearch")
    if index.exists():
        shutil.copyfile(index, db.with_name(db.name + ".usearch"))
    env = {**os.environ, "PYTHONPATH": str(src)}
    log = work / "add.log"
    args = ["add", "--db", str(db), "--batch-size", str(size), str(batch)]
    seconds, rss, cpu = scale.timed_cli(args, log, env)
    found = re.search(r"([\d,]+) new relations", log.read_text())
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_rss_gb": round(rss / 2**30, 2),
        "relations": int(found.group(1).replace(",", "")) if found else None,
        "recall": scale.store_recall(db, truth, "batch"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("refs", nargs="+", help="git revisions to compare ('.': the working tree)")
    parser.add_argument("--store", type=Path, default=Path("benchmarks/out/scale/scale.ct"))
    parser.add_argument("--docs", type=int, default=5000, help="new documents in the batch")
    parser.add_argument("--seed", type=int, default=97, help="the batch's random seed")
    parser.add_argument("--runs", type=int, default=2, help="rounds (each runs every revision)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/ab"))
    args = parser.parse_args()
    if not args.store.exists():
        raise SystemExit(f"{args.store}: no store; run benchmarks/scale.py first (see README)")
    args.out.mkdir(parents=True, exist_ok=True)
    batch = args.out / "batch.jsonl"
    with sqlite3.connect(f"file:{args.store}?mode=ro", uri=True) as conn:
        stored = {i for (i,) in conn.execute("SELECT id FROM documents")}
    truth = make_batch(batch, args.docs, args.seed, stored)
    results: list[dict] = []
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:
        trees = Path(tmp)
        try:
            sources = {ref: checkout(ref, trees) for ref in args.refs}
            for round_ in range(1, args.runs + 1):
                for ref, src in sources.items():
                    figures = run(src, args.store, batch, trees, args.docs, truth)
                    results.append({"round": round_, "ref": ref, **figures})
                    recall = " ".join(f"{k} {v:.3f}" for k, v in figures["recall"].items())
                    print(
                        f"round {round_}  {ref:>12}  {figures['seconds']:7.1f} s wall  "
                        f"{figures['cpu_seconds']:7.1f} CPU s  {figures['relations']} relations  "
                        f"recall {recall}",
                        flush=True,
                    )
        finally:
            for tree in trees.glob("tree-*"):
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                    capture_output=True,
                )
            subprocess.run(["git", "-C", str(REPO), "worktree", "prune"], capture_output=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
