"""How much wording aligned and unaligned sentences share, in the copy relations of dev sets.

Prints the spread of rapidfuzz `partial_ratio` (0-100) over three kinds of sentence pair of every
copy relation `copytrace scan` finds: one-to-one aligned pairs, a linked sentence against the
unlinked source sentence just before or after its link, and random unlinked pairs (five per
relation, fixed seed). It is how `align.fact_neighbour_overlap` was chosen.

Usage: python benchmarks/sentence_overlap.py [--shared ../shared] [--sets rewrites-dev,clough]
Needs `../shared`.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from copytrace.config import Config
from copytrace.ingest import iter_documents
from copytrace.pipeline import scan_documents
from copytrace.records import Document, Relation

ROOT = Path(__file__).resolve().parent.parent
SETS = {"rewrites-dev": "eval/rewrites-dev/docs", "clough": "eval/clough/docs"}
PERCENTILES = (5, 25, 50, 75, 95, 99)


def overlaps(
    rel: Relation, derived: Document, source: Document, rng: random.Random
) -> dict[str, list[float]]:
    """The three kinds of sentence pair of one relation, each with its partial_ratio."""

    def ratio(i: int, j: int) -> float:
        return fuzz.partial_ratio(derived.sentences[i].text, source.sentences[j].text)

    linked_b = {j for link in rel.links for j in link.b}
    linked = {(i, j) for link in rel.links for i in link.a for j in link.b}
    out: dict[str, list[float]] = {"aligned one to one": [], "unlinked beside a link": []}
    for link in rel.links:
        if len(link.a) == len(link.b) == 1:
            out["aligned one to one"].append(ratio(link.a[0], link.b[0]))
        beside = [j for j in (min(link.b) - 1, max(link.b) + 1) if 0 <= j < len(source.sentences)]
        for i in link.a:
            out["unlinked beside a link"] += [ratio(i, j) for j in beside if j not in linked_b]
    pairs = (
        (rng.randrange(len(derived.sentences)), rng.randrange(len(source.sentences)))
        for _ in range(5)
    )
    out["random unlinked"] = [ratio(i, j) for i, j in pairs if (i, j) not in linked]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args()
    for name in args.sets.split(","):
        docs = list(iter_documents([args.shared / SETS[name]], Config().read, []))
        result = scan_documents(docs, Config())
        by_id = {d.id: d for d in result.documents}
        rng = random.Random(1)
        found: dict[str, list[float]] = {}
        for rel in result.relations:
            if rel.is_copy:
                parts = overlaps(rel, by_id[rel.derived], by_id[rel.source], rng)
                for kind, values in parts.items():
                    found.setdefault(kind, []).extend(values)
        print(f"== {name}: partial_ratio percentiles {PERCENTILES}, share at 60 or more")
        for kind, values in found.items():
            x = np.array(values)
            cuts = " ".join(f"{v:5.1f}" for v in np.percentile(x, PERCENTILES))
            print(f"  {kind:24} {len(x):5} pairs  {cuts}   >=60: {(x >= 60).mean():.3f}")


if __name__ == "__main__":
    main()
