"""A story's derivation graph as inline SVG: the original on top, copies below, others beside.

A plain layered drawing from `StoryView.nodes`: one row per layer, nodes centred in their row,
same-story reports in a column to the right. Copy edges are solid arrows from the copy to its
source; copies of unknown direction and same-story ties are dashed. Every edge carries its kind
and score as text, so colour is never the only cue. Colours come from the report's CSS classes.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from copytrace.views import EdgeView, GraphNode, MemberView, StoryView

__all__ = ["graph_svg"]

NODE_W, NODE_H = 184, 46
GAP_X, GAP_Y = 40, 96  # between nodes of a row, between rows (room for edge labels)
SIDE_GAP, SIDE_STEP = 110, 64  # from the tree to the side column, between side nodes
PAD = 20
ID_CHARS = 24  # characters of a document id shown in a node
MIN_WIDTH = 520  # px; a graph is never shrunk below this (or its own width)
BULGE = 34  # how far an edge between two nodes of one row dips below them


def short(text: str, limit: int = ID_CHARS) -> str:
    """Return `text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def graph_svg(story: StoryView, pair_href: Callable[[EdgeView], str] | None = None) -> str:
    """Return the story's derivation graph as an `<svg>` element.

    An edge with a pair view links to `pair_href(edge)` (by default `#` and its anchor).
    """
    href = pair_href or (lambda e: f"#{e.pair}")
    members = {m.id: m for m in story.members}
    pos, width, height = _place(story.nodes)
    side = {n.id for n in story.nodes if n.side}
    edges = [e for e in story.edges if e.is_copy or _drawn_tie(e, story, side)]
    prefix = story.anchor
    defs = "".join(
        f'<marker id="{prefix}-arrow-{kind}" class="k-{kind}" viewBox="0 0 10 10" refX="9" '
        f'refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/>'
        f"</marker>"
        for kind in sorted({e.kind for e in edges})
    )
    parts = [
        _edge(e, pos, prefix, side, href) for e in edges if e.derived in pos and e.source in pos
    ]
    parts += [_node(n, members[n.id], pos[n.id], story) for n in story.nodes if n.id in members]
    label = "; ".join(
        f"{e.derived} {e.kind.replace('_', ' ')} of {e.source}" for e in story.edges if e.is_copy
    )
    return (
        # Shrinks to fit a narrow screen, but not below a readable size: then it scrolls.
        f'<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="min-width: {min(width, MIN_WIDTH)}px" '
        f'role="img" aria-label="{escape("Derivation graph. " + (label or "No copies."))}">'
        f"<defs>{defs}</defs>{''.join(parts)}</svg>"
    )


def _drawn_tie(edge: EdgeView, story: StoryView, side: set[str]) -> bool:
    # Same-story ties to the reference only: all pairs of a big story would hide the tree.
    ends = {edge.derived, edge.source}
    return story.reference in ends and bool(ends & side)


def _place(nodes: tuple[GraphNode, ...]) -> tuple[dict[str, tuple[float, float]], int, int]:
    """Top-left corner of every node, and the drawing's width and height."""
    layers: dict[int, list[str]] = {}
    for n in nodes:
        if not n.side:
            layers.setdefault(n.layer, []).append(n.id)
    rows = [layers[k] for k in sorted(layers)]
    widest = max((len(r) for r in rows), default=1)
    tree_w = widest * (NODE_W + GAP_X) - GAP_X
    pos: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(rows):
        x0 = PAD + (tree_w - (len(row) * (NODE_W + GAP_X) - GAP_X)) / 2
        for k, m in enumerate(row):
            pos[m] = (x0 + k * (NODE_W + GAP_X), PAD + i * (NODE_H + GAP_Y))
    side = [n.id for n in nodes if n.side]
    side_x = PAD + tree_w + SIDE_GAP
    for k, m in enumerate(side):
        pos[m] = (side_x, PAD + k * SIDE_STEP)
    width = side_x + NODE_W + PAD if side else tree_w + 2 * PAD
    tree_h = len(rows) * (NODE_H + GAP_Y) - GAP_Y + BULGE
    side_h = len(side) * SIDE_STEP - (SIDE_STEP - NODE_H)
    return pos, int(width), int(max(tree_h, side_h) + 2 * PAD)


def _edge(
    edge: EdgeView,
    pos: dict[str, tuple[float, float]],
    prefix: str,
    side: set[str],
    href: Callable[[EdgeView], str],
) -> str:
    (dx, dy), (sx, sy) = pos[edge.derived], pos[edge.source]
    directed = edge.is_copy and edge.direction != "unknown"
    if edge.derived in side or edge.source in side:
        # A tie to the side column: join the facing sides at mid-height.
        x1, x2 = (dx + NODE_W, sx) if dx < sx else (dx, sx + NODE_W)
        y1, y2 = dy + NODE_H / 2, sy + NODE_H / 2
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
        lx, ly = (x1 + x2) / 2, (y1 + y2) / 2 - 7
    elif abs(dy - sy) < 1:
        # Same row: dip below the two nodes, where the label has room.
        x1, x2, y = dx + NODE_W / 2, sx + NODE_W / 2, dy + NODE_H
        path = f"M{x1:.0f},{y:.0f} Q{(x1 + x2) / 2:.0f},{y + 2 * BULGE:.0f} {x2:.0f},{y:.0f}"
        lx, ly = (x1 + x2) / 2, y + BULGE + 4
    else:
        x1, x2 = dx + NODE_W / 2, sx + NODE_W / 2
        y1, y2 = (dy, sy + NODE_H) if dy > sy else (dy + NODE_H, sy)
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
        lx, ly = (x1 + x2) / 2, (y1 + y2) / 2
    marker = f' marker-end="url(#{prefix}-arrow-{edge.kind})"' if directed else ""
    style = "" if directed or not edge.is_copy else " undirected"
    text = f"{edge.kind.replace('_', ' ')} {edge.score:.2f}" if edge.is_copy else "same story"
    how = f"decided by {edge.direction}" if directed else "direction unknown"
    tip = f"{edge.derived} → {edge.source}: {edge.kind} {edge.score:.2f}, {how}"
    body = (
        f'<g class="g-edge k-{edge.kind} {edge.kind}{style}"><title>{escape(tip)}</title>'
        f'<path d="{path}"{marker}/><text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" '
        f'dominant-baseline="middle">{escape(text)}</text></g>'
    )
    return f'<a href="{escape(href(edge))}">{body}</a>' if edge.pair else body


def _node(node: GraphNode, member: MemberView, at: tuple[float, float], story: StoryView) -> str:
    x, y = at
    role = "original" if member.relation in ("original", "reference") else ""
    sub = member.relation.replace("_", " ")
    if member.published:
        sub = f"{sub} · {member.published[:10]}"
    classes = " ".join(c for c in ("g-node", role, "side" if node.side else "") if c)
    return (
        f'<a href="#{member.anchor}"><g class="{classes}"><title>{escape(member.title)}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="7"/>'
        f'<text x="{x + 10:.0f}" y="{y + 19:.0f}" class="id">{escape(short(member.id))}</text>'
        f'<text x="{x + 10:.0f}" y="{y + 36:.0f}" class="sub">{escape(short(sub, 28))}</text>'
        f"</g></a>"
    )
