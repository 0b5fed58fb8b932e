"""Changed facts injected into rewrites-dev's copies: how many does `copytrace scan` report?

rewrites-dev labels six changed facts, too few to tell a rule from luck. This script makes more:
in each derived document (spin, condensed, remix, near copy) that states a figure or a name its
source states too, it changes one of them, everywhere in that document, then scans the set and
counts the changes reported as a conflict on the pair's relation, showing the new value.

- **number**: a figure of two or more digits (not a year) that both texts state; its first digit
  moves up by one ("280,000" -> "380,000", "28" -> "38").
- **name**: a run of two to four capitalised words after a lower-case word (so not opening a
  sentence), outside the headline, that both texts state; it becomes such a name of as many
  words from another story of the set (so the new name rarely shares a word with the old).

One document in each story is changed per run, with a fixed seed (`--seed`), so a run is
reproducible; `--kind` picks one kind, `-v` lists the misses with their sentences.

Usage: python benchmarks/changed_facts.py [--shared ../shared] [--kind number|name] [--seed 1] [-v]
Needs `../shared`; writes the changed set under benchmarks/out/changed-facts/ (or `--out`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DERIVED_ROLES = ("spin", "condensed", "remix", "near_copy")
NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,])|(?<![\w.,])\d{2,}(?:\.\d+)?(?![\w,])"
)
CAPITALISED_RUN = re.compile(r"(\S+) ((?:[A-Z][a-z]+ )*[A-Z][a-z]+)\b(?! [A-Z])")


@dataclass(frozen=True)
class Change:
    doc: str
    source: str
    role: str
    kind: str
    old: str
    new: str


def norm(s: str) -> str:
    """Lower case, one space between words: how values are compared."""
    return " ".join(re.sub(r"[^0-9a-z.$%]+", " ", s.lower()).split())


def bumped(number: str) -> str:
    """The number with its first digit moved up by one (9 becomes 1, keeping the length)."""
    first = int(number[0])
    return str(first % 9 + 1) + number[1:]


def is_year(number: str) -> bool:
    return len(number) == 4 and number[:2] in ("19", "20")


def shared_numbers(derived: str, source: str) -> list[str]:
    found = set(NUMBER.findall(source))
    return sorted({n for n in NUMBER.findall(derived) if n in found and not is_year(n)})


def names(text: str) -> set[str]:
    """Runs of two to four capitalised words after a lower-case word, outside the headline."""
    body = text.split("\n", 1)[-1]
    return {
        run
        for before, run in CAPITALISED_RUN.findall(body)
        if before.isalpha()
        and before.islower()
        and 2 <= len(run.split()) <= 4
        and run.split()[0] not in ("The", "A", "An")
    }


def shared_names(derived: str, source: str) -> list[str]:
    return sorted(n for n in names(derived) if n in source)


def plan(gold: list[dict], texts: dict[str, str], kind: str, rng: random.Random) -> list[Change]:
    """Choose one change per story: the story's first derived document that has a candidate."""
    names_by_story: dict[str, set[str]] = {}
    for g in gold:
        names_by_story.setdefault(g["story"], set()).update(names(texts[g["id"]]))
    changes, done = [], set()
    derived = [g for g in gold if g["role"] in DERIVED_ROLES and not g.get("changed_fact")]
    rng.shuffle(derived)
    for g in derived:
        if g["story"] in done:
            continue
        d, s = texts[g["id"]], texts[g["source_id"]]
        if kind == "number":
            options = shared_numbers(d, s)
            if not options:
                continue
            old = rng.choice(options)
            new = bumped(old)
            if new in d or new in s:
                continue
        else:
            options = shared_names(d, s)
            if not options:
                continue
            old = rng.choice(options)
            length = len(old.split())
            pool = sorted(
                n
                for story, names in names_by_story.items()
                if story != g["story"]
                for n in names
                if len(n.split()) == length and n not in d and n not in s
            )
            if not pool:
                continue
            new = rng.choice(pool)
        changes.append(Change(g["id"], g["source_id"], g["role"], kind, old, new))
        done.add(g["story"])
    return changes


def replaced(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![\w.,]){re.escape(old)}(?![\w])", new, text)


def found(change: Change, result: dict) -> bool:
    """Whether a relation of the pair carries a conflict that shows the new value on its side."""
    for rel in result["relations"]:
        if {rel["derived"], rel["source"]} != {change.doc, change.source}:
            continue
        side = "derived" if rel["derived"] == change.doc else "source"
        if any(norm(change.new) in norm(c[side]) for c in rel["conflicts"]):
            return True
    return False


def sentence_of(text: str, value: str) -> str:
    at = text.find(value)
    start = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at)) + 1
    end = text.find(". ", at)
    return " ".join(text[start : end if end > 0 else len(text)].split())[:220]


def run(shared: Path, out: Path, kind: str, seed: int, verbose: bool) -> tuple[int, int]:
    base = shared / "eval" / "rewrites-dev"
    gold = [json.loads(line) for line in (base / "gold.jsonl").read_text().splitlines()]
    texts = {g["id"]: (base / "docs" / f"{g['id']}.txt").read_text() for g in gold}
    changes = plan(gold, texts, kind, random.Random(seed))
    folder = out / kind / "docs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    edited = dict(texts)
    for c in changes:
        edited[c.doc] = replaced(edited[c.doc], c.old, c.new)
    for doc_id, text in edited.items():
        (folder / f"{doc_id}.txt").write_text(text)
    command = [sys.executable, "-m", "copytrace", "scan", str(folder), "--json"]
    scan = subprocess.run(command, capture_output=True, text=True, check=True)
    result = json.loads(scan.stdout)
    (out / kind / "result.json").write_text(scan.stdout)
    hits = [found(c, result) for c in changes]
    rows = [{**vars(c), "found": h} for c, h in zip(changes, hits, strict=True)]
    (out / kind / "changes.json").write_text(json.dumps(rows, indent=1) + "\n")
    by_role = Counter((c.role, h) for c, h in zip(changes, hits, strict=True))
    roles = ", ".join(
        f"{r} {by_role[(r, True)]}/{by_role[(r, True)] + by_role[(r, False)]}"
        for r in DERIVED_ROLES
    )
    print(f"{kind:6}  found {sum(hits)} of {len(changes)}  ({roles})")
    if verbose:
        for c, h in zip(changes, hits, strict=True):
            if not h:
                print(f"  miss {c.role} {c.doc} <- {c.source}: {c.old!r} -> {c.new!r}")
                print(f"    D: {sentence_of(edited[c.doc], c.new)}")
                print(f"    S: {sentence_of(texts[c.source], c.old)}")
    return sum(hits), len(changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "changed-facts")
    parser.add_argument("--kind", choices=("number", "name"), action="append")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if not (args.shared / "eval" / "rewrites-dev").is_dir():
        raise SystemExit(f"rewrites-dev not found under {args.shared}/eval (use --shared)")
    total = [0, 0]
    for kind in args.kind or ("number", "name"):
        hit, count = run(args.shared, args.out, kind, args.seed, args.verbose)
        total[0] += hit
        total[1] += count
    print(f"all     found {total[0]} of {total[1]} ({total[0] / max(total[1], 1):.3f})")


if __name__ == "__main__":
    main()
