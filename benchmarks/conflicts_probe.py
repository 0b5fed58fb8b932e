"""Probe `compare.relation_conflicts` on rewrites-dev: changed facts found, other conflicts.

Each derived sentence is linked to its TOP most similar source sentences (rapidfuzz
token_sort_ratio, at least MIN_SCORE), a crude stand-in for the aligner; token_set_ratio favours
short sentences (a headline, "All shipments are c and f Taiwan.") and misses merged sentences.
Run:

    python benchmarks/conflicts_probe.py [/work/shared/eval/rewrites-dev] [-v] [--set] [--top=N]
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz

from copytrace.compare import relation_conflicts
from copytrace.records import Document, Link, Sentence

MIN_SCORE = 40
_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[\"“]?[A-Z])|\n\s*\n")


def split(doc_id: str, text: str) -> Document:
    """Build a Document with naive sentences (enough for a probe)."""
    sentences, start = [], 0
    for m in [*_SPLIT.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            s, e = start + lead, start + len(chunk.rstrip())
            norm = " ".join(text[s:e].lower().split())
            sentences.append(Sentence(len(sentences), s, e, norm))
        start = m.end() if m else len(text)
    return Document(doc_id, text, sentences=tuple(sentences))


def links(
    derived: Document, source: Document, top: int = 2, scorer=fuzz.token_sort_ratio
) -> list[Link]:
    """Link each derived sentence with its `top` most similar source sentences."""
    out = []
    for d in derived.sentences:
        scored = sorted(((scorer(d.text, s.text), s.index) for s in source.sentences), reverse=True)
        best = tuple(sorted(i for score, i in scored[:top] if score >= MIN_SCORE))
        if best:
            out.append(Link((d.index,), best, scored[0][0] / 100, scored[0][0] / 100, "probe"))
    return out


def main() -> None:
    """Print the conflicts per derived document and a summary by role."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    scorer = fuzz.token_set_ratio if "--set" in sys.argv else fuzz.token_sort_ratio
    top = next((int(a.split("=")[1]) for a in sys.argv if a.startswith("--top=")), 2)
    root = Path(args[0] if args else "/work/shared/eval/rewrites-dev")
    gold = [json.loads(line) for line in (root / "gold.jsonl").read_text().splitlines()]
    docs = {g["id"]: split(g["id"], (root / "docs" / f"{g['id']}.txt").read_text()) for g in gold}
    per_role: Counter[str] = Counter()
    docs_with: Counter[str] = Counter()
    n_role: Counter[str] = Counter()
    found_changed = 0
    pairs, elapsed = 0, 0.0
    for g in gold:
        if not g["source_id"]:
            continue
        derived, source = docs[g["id"]], docs[g["source_id"]]
        group = "remix+fact" if g["changed_fact"] else g["role"]
        n_role[group] += 1
        ls = links(derived, source, top, scorer)
        t0 = time.perf_counter()
        conflicts = relation_conflicts(derived, source, ls)
        elapsed += time.perf_counter() - t0
        pairs += len(ls)
        change = g["changed_fact"]
        hit = False
        for c in conflicts:
            shown = (" ".join(c.derived.split()), " ".join(c.source.split()))
            expected = bool(change) and change["new"] in shown[0] and change["old"] in shown[1]
            hit |= expected
            if not expected:
                per_role[group] += 1
            if verbose or not expected:
                mark = "OK " if expected else "XX "
                print(f"{mark}{g['id']} {g['role']:10} {c.kind:6} {shown[0]!r} <> {shown[1]!r}")
        if conflicts:
            docs_with[group] += 1
        if change:
            found_changed += hit
            if not hit:
                print(f"MISSED {g['id']}: {change}")
    print(f"\nchanged facts found: {found_changed}/{n_role['remix+fact']}")
    for group in sorted(n_role):
        print(
            f"{group:11} docs={n_role[group]:3} other conflicts={per_role[group]:3} "
            f"docs with any={docs_with[group]}"
        )
    print(f"{pairs} links, {1e6 * elapsed / max(pairs, 1):.0f} µs per link (warm caches excluded)")


if __name__ == "__main__":
    main()
