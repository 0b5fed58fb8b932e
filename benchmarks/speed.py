"""Speed figure: rewrites-dev plus the first 5,000 Reuters-21578 articles, one `copytrace scan`.

Usage: python benchmarks/speed.py [--shared ../shared] [--articles 5000] [--config FILE.toml]
       [--out benchmarks/out]

Times the whole `copytrace scan ... --json` process (model load included), reports wall time and
the peak RSS of its process tree (the scan and its workers), then scores the rewrites-dev
documents inside that run twice:
- as the scorer sees it, where a copy relation between a rewrites-dev document and a Reuters
  article counts as false;
- without the Reuters articles that *are* rewrites-dev sources or distractors (rewrites-dev was
  built from Reuters-21578, so the first 5,000 articles contain 14 of its documents verbatim, and
  their copies are rightly found to copy them too). The relations touching those 14 are dropped.
Needs `../shared`; writes its inputs and outputs under benchmarks/out/ (or `--out`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from quality import score  # this folder is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def reuters_sample(shared: Path, count: int, folder: Path) -> Path:
    """Write the first `count` Reuters articles as JSONL (id, title, published, text) in
    `folder`."""
    path = folder / f"reuters-first-{count}.jsonl"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    source = shared / "eval" / "reuters21578" / "corpus.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as fh, open(path, "w") as out:
        for n, line in enumerate(fh):
            if n >= count:
                break
            row = json.loads(line)
            out.write(
                json.dumps(
                    {
                        "id": row["id"],
                        "title": row["title"],
                        "published": row["date"],
                        "text": row["text"],
                    }
                )
                + "\n"
            )
    return path


def timed_scan(inputs: list[Path], result: Path, config: Path | None = None) -> tuple[float, float]:
    """Run the scan; return (wall seconds, peak RSS of its process tree in MB).

    The tree: the scan aligns on worker processes, so the peak is the sum over the scan and its
    workers, sampled every half second (`scale.TreeRSS`).
    """
    from scale import TreeRSS  # beside this script

    command = [sys.executable, "-m", "copytrace", "scan", *map(str, inputs), "--json"]
    if config is not None:
        command += ["--config", str(config.resolve())]
    with open(result, "w") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, cwd=ROOT)
        sampler = TreeRSS(process.pid)
        sampler.start()
        code = process.wait()
        wall = time.perf_counter() - start
        sampler.done = True
    if code:
        raise SystemExit(f"copytrace scan failed with exit code {code}")
    return wall, sampler.peak / 2**20


def without(result: dict, ids: set[str]) -> dict:
    """Return the result with the given documents and every relation touching them removed."""
    return {
        **result,
        "relations": [
            r for r in result["relations"] if r["derived"] not in ids and r["source"] not in ids
        ],
        "stories": [
            {**s, "members": [m for m in s["members"] if m not in ids]} for s in result["stories"]
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--config", type=Path, help="a TOML file of overrides for the scan")
    parser.add_argument("--out", type=Path, default=OUT, help="where inputs and results go")
    args = parser.parse_args()
    rewrites = args.shared / "eval" / "rewrites-dev"
    if not rewrites.exists():
        print(f"no labelled data at {args.shared}; pass --shared PATH", file=sys.stderr)
        return 2
    sample = reuters_sample(args.shared, args.articles, args.out)
    result_path = args.out / "speed-result.json"
    wall, rss = timed_scan([rewrites / "docs", sample], result_path, args.config)
    print(f"copytrace scan rewrites-dev/docs + {args.articles} Reuters articles (2 cores)")
    print(f"  wall time {wall:.1f} s (target <= 90 s), peak RSS {rss:.0f} MB (target <= 3072 MB)")

    gold = rewrites / "gold.jsonl"
    origins = set()
    for line in gold.read_text().splitlines():
        row = json.loads(line)
        match = re.search(r"NEWID=(\d+)", row.get("origin") or "")
        if match:
            origins.add(f"reuters-{match.group(1)}")
    result = json.loads(result_path.read_text())
    overlap = {d["id"] for d in result["documents"]} & origins
    clean_path = args.out / "speed-result-without-overlap.json"
    clean_path.write_text(json.dumps(without(result, overlap)))
    keys = [
        "recall.all",
        "precision",
        "false_links",
        "distractors_linked",
        "attribution.all",
        "original_accuracy",
        "conflicts_found",
        "stories.bcubed_f1",
    ]
    for label, path in (
        ("as scored", result_path),
        (f"without the {len(overlap)} Reuters copies of rewrites-dev documents", clean_path),
    ):
        figures = score(args.shared, gold, path)
        kinds = {
            k: round(v, 3)
            for k, v in figures.items()
            if k.startswith(("recall.", "kind_accuracy.")) and k != "recall.all"
        }
        print(f"  rewrites-dev figures, {label}:")
        print(
            "    "
            + "  ".join(
                f"{k}={figures[k]:.3f}" if isinstance(figures[k], float) else f"{k}={figures[k]}"
                for k in keys
                if k in figures
            )
        )
        print(f"    by role: {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
