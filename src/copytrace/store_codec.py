"""How records are written into the store's columns and read back: relations as compact JSON,
spans as int32 BLOBs. Reading gives back equal records (the tests check the round trip)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from copytrace.clean import normalize
from copytrace.records import (
    Conflict,
    Encoded,
    Evidence,
    Link,
    Passage,
    Relation,
    Sentence,
    Span,
)
from copytrace.stories import flip


def span_blob(values: Sequence[Span]) -> bytes:
    """Return `(start, end)` spans as an int32 BLOB."""
    return np.asarray(values, dtype=np.int32).reshape(-1, 2).tobytes()


def spans(blob: bytes) -> tuple[Span, ...]:
    """Return the spans of an int32 BLOB written by `span_blob`."""
    flat = np.frombuffer(blob, dtype=np.int32).tolist()
    return tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))


def stored_sentences(text: str, blob: bytes) -> tuple[Sentence, ...]:
    """Return a stored document's sentences from its text and its span BLOB."""
    return tuple(Sentence(i, s, e, normalize(text[s:e])) for i, (s, e) in enumerate(spans(blob)))


def features_json(encoded: Encoded) -> str:
    """Return what loading a stored document would otherwise recompute: each sentence's anchors
    and the text's quotes, as compact JSON."""
    return features_text(encoded.anchors, encoded.quotes)


def features_text(anchors: Iterable[frozenset[str]], quoted: Iterable[str]) -> str:
    """Return the JSON `features_json` writes for these anchors (one set a sentence) and quotes."""
    rows = [sorted(a) for a in anchors]
    return json.dumps([rows, sorted(quoted)], ensure_ascii=False, separators=(",", ":"))


def features(text: str) -> tuple[tuple[frozenset[str], ...], frozenset[str]]:
    """Return the anchors of each sentence and the quotes written by `features_json`."""
    anchors, quoted = json.loads(text)
    return tuple(frozenset(a) for a in anchors), frozenset(quoted)


def relation_json(rel: Relation) -> str:
    """Return a relation with all its evidence as compact JSON."""
    return json.dumps(
        {
            "derived": rel.derived,
            "source": rel.source,
            "kind": rel.kind,
            "score": rel.score,
            "direction": rel.direction,
            "coverage": [rel.coverage_derived, rel.coverage_source],
            "passages": [[*p.a, *p.b, p.similarity, p.sentences] for p in rel.passages],
            "links": [[list(k.a), list(k.b), k.similarity, k.lexical, k.method] for k in rel.links],
            "conflicts": [
                [c.derived, c.source, *c.derived_span, *c.source_span, c.kind]
                for c in rel.conflicts
            ],
            "evidence": dataclasses.asdict(rel.evidence),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def relation_from_json(text: str) -> Relation:
    """Return the relation written by `relation_json`."""
    return relation_from_data(json.loads(text))


def relation_from_data(data: dict[str, Any]) -> Relation:
    """Return the relation whose `relation_json` text parsed to `data`."""
    evidence = data["evidence"]
    for name in ("shared_quotes", "shared_names", "candidate"):
        evidence[name] = tuple(evidence[name])
    return Relation(
        derived=data["derived"],
        source=data["source"],
        kind=data["kind"],
        score=data["score"],
        direction=data["direction"],
        coverage_derived=data["coverage"][0],
        coverage_source=data["coverage"][1],
        passages=tuple(Passage((p[0], p[1]), (p[2], p[3]), p[4], p[5]) for p in data["passages"]),
        links=tuple(Link(tuple(k[0]), tuple(k[1]), k[2], k[3], k[4]) for k in data["links"]),
        conflicts=tuple(
            Conflict(c[0], c[1], (c[2], c[3]), (c[4], c[5]), c[6]) for c in data["conflicts"]
        ),
        evidence=Evidence(**evidence),
    )


def bare_relation(
    derived: str,
    source: str,
    kind: str,
    score: float,
    direction: str,
    reason: str,
    coverage: tuple[float, float] = (0.0, 0.0),
    reused: int = 0,
) -> Relation:
    """Return a relation with only what grouping stories reads of it: its ends, kind, score,
    orientation, coverage and reuse count (`Evidence.reused`), without passages, links or
    conflicts (only a copy without a direction needs its links, for the witnesses' votes)."""
    return Relation(
        derived=derived,
        source=source,
        kind=kind,
        score=score,
        direction=direction,
        coverage_derived=coverage[0],
        coverage_source=coverage[1],
        passages=(),
        links=(),
        conflicts=(),
        evidence=Evidence(0.0, 0.0, 0, 1.0, reused=reused, direction_reason=reason),
    )


def relation_from_row(row: Sequence[Any], id_of: Callable[[int], str]) -> Relation:
    """Return a stored relation as the stories oriented it.

    `row` is `(derived key, source key, direction, reason, relation JSON, kind, score)`: the JSON
    keeps the relation as aligned; the other columns say how the stories turned it (and whether
    they made a same-story relation a copy: `stories.through_rewrites`).
    """
    derived_key, _, direction, reason, text, kind, score = row
    raw = relation_from_json(text)
    if id_of(derived_key) != raw.derived:
        return dataclasses.replace(flip(raw, direction, reason), kind=kind, score=score)
    evidence = dataclasses.replace(raw.evidence, direction_reason=reason)
    return dataclasses.replace(raw, kind=kind, score=score, direction=direction, evidence=evidence)
