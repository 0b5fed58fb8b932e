"""Output of the store commands: JSON documents and terminal reports, as pure functions.

Stories and a document's relations render through `report.render_scan`, so a store shows them the
way a scan does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from copytrace import __version__, report
from copytrace.incremental import AddReport
from copytrace.records import Document, Relation, ScanResult, Story
from copytrace.store import Store
from copytrace.store_dedup import DedupReport
from copytrace.store_query import QueryResult


def store_result(store: Store, story_keys: Iterable[int]) -> ScanResult:
    """Return the documents, relations and stories of the given stored stories as a scan result."""
    stories: list[Story] = []
    docs: list[Document] = []
    relations: list[Relation] = []
    seen: set[tuple[str, str]] = set()
    for key in story_keys:
        story = store.story(key)
        stories.append(story)
        members = store.members(key)
        docs.extend(store.load_documents(members).values())
        for member in story.members:
            for rel in store.relations(member):
                pair = (rel.derived, rel.source)
                if pair not in seen and rel.derived in story.members:
                    seen.add(pair)
                    relations.append(rel)
    return ScanResult(tuple(docs), tuple(relations), tuple(stories))


def add_json(rep: AddReport, db: str) -> dict[str, Any]:
    """Return the JSON of `copytrace add`."""
    return {
        "copytrace": __version__,
        "db": db,
        "added": rep.added,
        "skipped": rep.skipped,
        "relations": rep.relations,
        "stories": rep.stories,
        "batches": rep.batches,
        "seconds": rep.seconds,
        "renamed": [{"given": a, "stored": b} for a, b in rep.renamed],
    }


def render_add(rep: AddReport, db: str, total: int) -> str:
    """Return the one-paragraph summary of `copytrace add`."""
    return (
        f"{db}: added {rep.added:,} documents ({rep.skipped:,} already stored) in "
        f"{rep.seconds:.1f} s; {rep.relations:,} new relations, {rep.stories:,} stories updated; "
        f"{total:,} documents stored"
    )


def source_json(result: QueryResult, rel: Relation, top: int | None = None) -> dict[str, Any]:
    """Return one ranked source of a query: the stored document and how the query relates to it."""
    query_is_derived = rel.derived == result.id
    other = rel.source if query_is_derived else rel.derived

    def sides(a: Sequence[int], b: Sequence[int]) -> dict[str, list[int]]:
        return {"query": list(a), "source": list(b)} if query_is_derived else {
            "query": list(b), "source": list(a)}  # fmt: skip

    return {
        "id": other,
        "kind": rel.kind,
        "score": rel.score,
        "direction": rel.direction,
        "derived": ("query" if query_is_derived else "source") if rel.direction != "unknown"
        else None,
        "story": result.stories.get(other),
        "coverage": {
            "query": rel.coverage_derived if query_is_derived else rel.coverage_source,
            "source": rel.coverage_source if query_is_derived else rel.coverage_derived,
        },
        "passages": [{**sides(p.a, p.b), "similarity": p.similarity} for p in rel.passages],
        "conflicts": [
            {**sides(c.derived_span, c.source_span), "kind": c.kind} for c in rel.conflicts
        ],
    }  # fmt: skip


def query_json(results: Sequence[QueryResult], top: int) -> dict[str, Any]:
    """Return the JSON of `copytrace query`: ranked sources per input, best first."""
    return {
        "copytrace": __version__,
        "queries": [
            {"id": r.id, "ms": r.ms, "sources": [source_json(r, rel) for rel in r.relations[:top]]}
            for r in results
        ],
    }


def render_query(results: Sequence[QueryResult], top: int, width: int = 100) -> str:
    """Return the terminal report of `copytrace query`."""
    lines = []
    for r in results:
        lines.append(f"{r.id}  ({r.ms:.0f} ms)")
        if not r.relations:
            lines.append("    no stored source or report of the same story found")
        for rel in r.relations[:top]:
            s = source_json(r, rel)
            role = {"query": "copies", "source": "is copied by", None: "relates to"}[s["derived"]]
            if rel.kind == "same_story":
                role = "reports the same story as"
            lines.append(
                f"    {rel.kind:<14} {rel.score:4.2f}  {role} {s['id']}"
                + (f" (story {s['story']})" if s["story"] else "")
            )
            lines.append(
                f"{'':24}coverage {s['coverage']['query']:.0%} of the query, "
                f"{s['coverage']['source']:.0%} of the source · {len(rel.passages)} passages"
                + (f" · {len(rel.conflicts)} conflicts" if rel.conflicts else "")
            )
        lines.append("")
    return "\n".join(lines).rstrip()


def stories_json(result: ScanResult) -> dict[str, Any]:
    """Return the JSON of `copytrace stories` (the scan format, restricted to these stories)."""
    return report.to_json(result)


def dedup_json(rep: DedupReport) -> dict[str, Any]:
    """Return the JSON summary of `copytrace dedup`."""
    return {
        "copytrace": __version__,
        "kept": rep.kept,
        "removed": rep.removed,
        "output": rep.output,
        "map": rep.map,
        "keep": rep.keep,
    }


def render_dedup(rep: DedupReport) -> str:
    """Return the summary of `copytrace dedup`."""
    return (
        f"wrote {rep.kept:,} documents to {rep.output}; removed {rep.removed:,} copies "
        f"(kept the {rep.keep} of each group); map of removed ids in {rep.map}"
    )
