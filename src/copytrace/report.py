"""Output: the JSON document of `scan --json` and the terminal report."""

from __future__ import annotations

from typing import Any

from copytrace import __version__
from copytrace.records import Relation, ScanResult


def relation_json(rel: Relation) -> dict[str, Any]:
    """Return a relation as the JSON object of the output format."""
    return {
        "derived": rel.derived,
        "source": rel.source,
        "kind": rel.kind,
        "score": rel.score,
        "direction": rel.direction,
        "coverage": {"derived": rel.coverage_derived, "source": rel.coverage_source},
        "passages": [
            {"derived": list(p.a), "source": list(p.b), "similarity": p.similarity}
            for p in rel.passages
        ],
        "conflicts": [
            {"derived": c.derived, "source": c.source, "derived_span": list(c.derived_span),
             "source_span": list(c.source_span), "kind": c.kind}
            for c in rel.conflicts
        ],
    }


def to_json(result: ScanResult) -> dict[str, Any]:
    """Return the whole result in the documented JSON format."""
    return {
        "copytrace": __version__,
        "documents": [
            {"id": d.id, "path": d.path, "title": d.title, "published": d.published,
             "chars": d.chars, "sentences": len(d.sentences)}
            for d in result.documents
        ],
        "relations": [relation_json(r) for r in result.relations],
        "stories": [
            {"id": s.id, "members": list(s.members), "original": s.original,
             "original_basis": s.original_basis}
            for s in result.stories
        ],
    }
