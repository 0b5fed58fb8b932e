"""Quality figures on the labelled dev sets: `copytrace scan DOCS --json`, scored by the scorer.

Usage: python benchmarks/quality.py [--shared ../shared]
       [--sets seeds,rewrites-dev,clough,pan13,semeval] [--config FILE.toml]

`--config` passes a TOML file of overrides to every scan (see `copytrace.config`), to measure a
threshold before changing its default.

Prints every figure the scorer computes for each set, then the targets of the scan issue and
whether each is met. Needs `../shared` (the labelled data are not part of the repository).

pan13 (PAN-13 text alignment, no obfuscation: web pages that reuse passages of other pages
verbatim) has pair labels, not the scorer's per-document gold, and no target in the issue; it is
scored here: the share of its 500 labelled (suspicious, source) pairs that a copy relation joins,
by kind, how many copy relations join pairs it does not label (unverified either way: its
unlabelled pairs are not checked negatives), and which way the found labelled pairs point
(`direction.right`: the suspicious document as derived; `wrong`; `unknown`: no direction). Its
scan takes about two minutes on 2 cores.

semeval (SemEval-2022 Task 8, English, even rows: 104 pairs of news articles graded 1 = same story
to 4 = unrelated) has no target either; it measures the `same_story` side: the share of same-story
pairs (grade <= 1.5) that a relation of any kind joins and that share a story, the share of
unrelated pairs (grade >= 3.5) joined all the same, and the Pearson correlation of the relation's
score (0 without one) with the negated grade, the task's own measure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

# set name -> (documents, gold) relative to the shared folder
SETS = {
    "seeds": ("seeds", "eval/seeds/gold.jsonl"),
    "rewrites-dev": ("eval/rewrites-dev/docs", "eval/rewrites-dev/gold.jsonl"),
    "clough": ("eval/clough/docs", "eval/clough/gold.jsonl"),
    "pan13": ("eval/pan13-noobf/docs", "eval/pan13-noobf/pairs.jsonl"),
    "semeval": ("eval/semeval-en-dev/docs", "eval/semeval-en-dev/pairs.jsonl"),
}
SAME_STORY_GRADE = 1.5  # semeval grades at or below this are one story (17 of its 104 pairs)
UNRELATED_GRADE = 3.5  # ... and at or above this unrelated (49 pairs)
COPY_KINDS = ("duplicate", "near_duplicate", "spin", "condensed", "partial_reuse")

# (set, figure, comparison, target) from the issue "copytrace scan: the whole pipeline"
TARGETS = [
    ("seeds", "recall.spin", ">=", 1.0),
    ("seeds", "recall.condensed", ">=", 1.0),
    ("seeds", "kind_accuracy.spin", ">=", 1.0),
    ("seeds", "kind_accuracy.condensed", ">=", 1.0),
    ("seeds", "false_links", "<=", 0),
    ("seeds", "original_accuracy", ">=", 1.0),
    ("seeds", "stories.bcubed_f1", ">=", 1.0),
    *[
        ("rewrites-dev", f"recall.{r}", ">=", 0.97)
        for r in ("spin", "condensed", "remix", "near_copy")
    ],
    ("rewrites-dev", "precision", ">=", 0.99),
    *[
        ("rewrites-dev", f"kind_accuracy.{r}", ">=", 0.90)
        for r in ("spin", "condensed", "remix", "near_copy")
    ],
    ("rewrites-dev", "attribution.all", ">=", 0.90),
    ("rewrites-dev", "distractors_linked", "<=", 0),
    ("rewrites-dev", "conflicts_found", ">=", 5 / 6),
    ("rewrites-dev", "stories.bcubed_f1", ">=", 0.97),
    ("clough", "recall.near_copy", ">=", 0.95),
    ("clough", "recall.light", ">=", 0.95),
    ("clough", "recall.heavy", ">=", 0.85),
    ("clough", "precision", ">=", 0.95),
]


def run_scan(docs: Path, out: Path, config: Path | None = None) -> float:
    """Run the CLI exactly as a user would; return the wall time in seconds."""
    start = time.perf_counter()
    extra = ["--config", str(config.resolve())] if config else []
    with open(out, "w") as fh:
        subprocess.run(
            [sys.executable, "-m", "copytrace", "scan", str(docs), "--json", *extra],
            stdout=fh,
            check=True,
            cwd=ROOT,
        )
    return time.perf_counter() - start


def score(shared: Path, gold: Path, result: Path) -> dict[str, float]:
    """Score a result with the shared scorer and return its figures."""
    if gold.parent.name == "semeval-en-dev":
        return score_graded(gold, result)
    if gold.name == "pairs.jsonl":
        return score_pairs(gold, result)
    done = subprocess.run(
        [sys.executable, str(shared / "eval" / "score.py"), str(gold), str(result), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def score_pairs(gold: Path, result: Path) -> dict[str, float]:
    """Score a result against labelled (derived, source) pairs: recall, kinds, unlabelled links."""
    with open(gold, encoding="utf-8") as fh:
        derived_of = {
            frozenset((p["derived"], p["source"])): p["derived"] for p in map(json.loads, fh)
        }
    labelled = set(derived_of)
    with open(result, encoding="utf-8") as fh:
        relations = json.load(fh)["relations"]
    copies = {
        frozenset((r["derived"], r["source"])): r for r in relations if r["kind"] in COPY_KINDS
    }
    kind = {pair: r["kind"] for pair, r in copies.items()}
    out: dict[str, float] = {"pairs": len(labelled)}
    out["recall"] = sum(pair in kind for pair in labelled) / len(labelled)
    for name in COPY_KINDS:
        out[f"found.{name}"] = sum(kind.get(pair) == name for pair in labelled)
    out["unlabelled_copy_links"] = sum(pair not in labelled for pair in kind)
    # which way the found labelled pairs point: the labelled derived text as derived, the other
    # way round, or no direction
    found = [(copies[pair], derived_of[pair]) for pair in labelled if pair in copies]
    out["direction.right"] = sum(
        r["direction"] != "unknown" and r["derived"] == d for r, d in found
    )
    out["direction.wrong"] = sum(
        r["direction"] != "unknown" and r["derived"] != d for r, d in found
    )
    out["direction.unknown"] = sum(r["direction"] == "unknown" for r, _ in found)
    return out


def score_graded(gold: Path, result: Path) -> dict[str, float]:
    """Score a result against graded article pairs (1 = same story ... 4 = unrelated)."""
    with open(gold, encoding="utf-8") as fh:
        graded = [(frozenset((p["a"], p["b"])), float(p["overall"])) for p in map(json.loads, fh)]
    with open(result, encoding="utf-8") as fh:
        found = json.load(fh)
    related = {frozenset((r["derived"], r["source"])): r for r in found["relations"]}
    story = {m: s["id"] for s in found["stories"] for m in s["members"]}

    def together(pair: frozenset[str]) -> bool:
        a, b = sorted(pair)
        return a in story and story.get(a) == story.get(b)

    same = [pair for pair, grade in graded if grade <= SAME_STORY_GRADE]
    unrelated = [pair for pair, grade in graded if grade >= UNRELATED_GRADE]
    scores = [related[pair]["score"] if pair in related else 0.0 for pair, _ in graded]
    grades = [-grade for _, grade in graded]
    return {
        "pairs": len(graded),
        "same_story_pairs": len(same),
        "same_story_related": sum(pair in related for pair in same) / len(same),
        "same_story_one_story": sum(together(pair) for pair in same) / len(same),
        "unrelated_pairs": len(unrelated),
        "unrelated_related": sum(pair in related for pair in unrelated) / len(unrelated),
        "unrelated_copy_links": sum(
            pair in related and related[pair]["kind"] in COPY_KINDS for pair in unrelated
        ),
        "pearson": float(np.corrcoef(scores, grades)[0, 1]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--config", type=Path, help="TOML overrides passed to every scan")
    args = parser.parse_args()
    if not (args.shared / "eval" / "score.py").exists():
        print(f"no labelled data at {args.shared}; pass --shared PATH", file=sys.stderr)
        return 2
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            docs, gold = SETS[name]
            out = Path(tmp) / f"{name}.json"
            seconds = run_scan(args.shared / docs, out, args.config)
            figures[name] = score(args.shared, args.shared / gold, out)
            print(f"\n== {name}  (copytrace scan {docs} --json: {seconds:.1f} s)")
            for key, value in sorted(figures[name].items()):
                print(
                    f"  {key:28} {value:.3f}" if isinstance(value, float) else f"  {key:28} {value}"
                )
    print("\n== targets")
    missed = 0
    for name, key, op, target in TARGETS:
        if name not in figures or key not in figures[name]:
            continue
        value = figures[name][key]
        ok = value >= target - 1e-9 if op == ">=" else value <= target + 1e-9
        missed += not ok
        print(f"  {'ok  ' if ok else 'MISS'} {name:13} {key:28} {value:.3f} {op} {target:.3f}")
    print(f"\n{missed} target(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
