"""Merging: one sentence standing for several sentences of the other text (condensing, splitting).

Alignment first pairs sentences one to one; these functions then let free sentences join a link
or start one when, joined, they match the other side better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from copytrace.config import AlignConfig
from copytrace.records import Encoded
from copytrace.signatures import numbers_of, specific_figures


@dataclass(slots=True)
class Group:
    a: list[int]
    b: list[int]
    similarity: float
    method: str


def weighted_rows(enc: Encoded) -> np.ndarray:
    """Return a document's sentence vectors, each times its length (a group's vector is the unit
    sum of its rows: sentences weigh by how much text they hold)."""
    return enc.vectors * np.asarray(enc.lengths, dtype=np.float32)[:, None]


def _group_vector(rows: np.ndarray, indices: list[int]) -> np.ndarray:
    vector = rows[indices].sum(axis=0)
    # the float32 norm, rounded as `np.linalg.norm` rounds it (a correctly rounded square root
    # of the float32 dot product, taken in double precision, rounds to the same float32)
    norm = math.sqrt(float(vector @ vector))
    return vector / norm if norm else vector


def extend(
    a: Encoded,
    b: Encoded,
    groups: list[Group],
    static: np.ndarray,
    config: AlignConfig,
    informative: frozenset[str],
) -> None:
    """Let one sentence stand for several sentences of the other text (condensing, merging).

    A free sentence joins a link when the link's sentences on its side, joined with it, match the
    other side better than before (the joined text says more of what the other side says), or when
    it brings figures that the other side has. A free sentence that no link takes may start a link
    of its own with two or three free sentences of the other side that together match it well.
    Both sides are treated the same way, so the result does not depend on argument order.
    `informative` are the anchors that can tie two sentences (`evidence.informative_anchors`).
    """
    rows_a, rows_b = weighted_rows(a), weighted_rows(b)
    # which sides may start a link at all: freeing no sentence can make a column more promising
    seeds = {1: _may_seed(static, config), 0: _may_seed(static.T, config)}
    for _ in range(3):
        changed = False
        # `sims` is (other x mine): row = a sentence of the other text, column = one of mine
        for mine, other, sims, side, mine_rows, other_rows in (
            (b, a, static, 1, rows_b, rows_a),
            (a, b, static.T, 0, rows_a, rows_b),
        ):
            used = {k for g in groups for k in (g.b if side else g.a)}
            targets = [g for g in groups if len(g.a if side else g.b) == 1]
            # a sentence can only join a link whose other side it is close to
            far = [g.a[0] if side else g.b[0] for g in targets]
            close = sims[far] >= config.extend_floor
            for k in np.flatnonzero(close.any(axis=0)).tolist():
                if k in used:
                    continue
                best: tuple[float, Group] | None = None
                for t in np.flatnonzero(close[:, k]).tolist():
                    g = targets[t]
                    rank = _join_rank(mine, other, sims, g, k, side, informative, config, mine_rows)
                    if rank is not None and (best is None or rank > best[0]):
                        best = (rank, g)
                if best is not None:
                    own = best[1].b if side else best[1].a
                    own.append(k)
                    own.sort()
                    used.add(k)
                    changed = True
            if seeds[side]:
                changed |= _seed_merged(mine, other, groups, sims, side, config, other_rows)
        if not changed:
            break


def _join_rank(
    mine: Encoded,
    other: Encoded,
    sims: np.ndarray,
    g: Group,
    k: int,
    side: int,
    informative: frozenset[str],
    config: AlignConfig,
    rows: np.ndarray,
) -> float | None:
    """Return how well free sentence k of `mine` joins link g, or None when it must not
    (`rows`: `mine`'s `weighted_rows`)."""
    own, far = (g.b, g.a) if side else (g.a, g.b)
    closeness = float(sims[far[0], k])
    if closeness < config.extend_floor or len(own) >= config.max_group:
        return None
    length = sum(mine.lengths[x] for x in own) + mine.lengths[k]
    if length > 3 * other.lengths[far[0]]:
        return None  # more text than one sentence can condense
    far_anchors = other.anchors[far[0]]
    common = mine.anchors[k] & far_anchors
    numbers = numbers_of(mine.anchors[k])
    if numbers and numbers.isdisjoint(far_anchors):
        return None  # its figures are not on the other side: it says something else
    vouched = not specific_figures(mine.anchors[k]).isdisjoint(common) or (
        len(common & informative) >= 2
    )
    if min(abs(k - x) for x in own) > 2 and not vouched:
        return None  # far from the link's sentences, and no shared fact to vouch for it
    target = other.vectors[far[0]]
    gain = float(_group_vector(rows, sorted([*own, k])) @ target) - float(
        _group_vector(rows, own) @ target
    )
    # Joining must say more of the other sentence (a real gain), or bring figures that the other
    # sentence has. Names alone are not enough: reports of one event share them everywhere.
    if (closeness >= config.uncertain and gain >= 0.01) or (numbers & common and gain >= -0.01):
        return gain + 0.05 * len(numbers & common)
    return None


def _promising(sims: np.ndarray, config: AlignConfig) -> np.ndarray:
    """Return which columns of `sims` (other x mine) may start a link with two or three of its
    rows: only a sentence whose two closest sentences on the other side average at least the
    uncertain-band floor can reach `accept` joined (two related sentences joined gain ~15%)."""
    top2 = -np.partition(-sims, 1, axis=0)[:2]
    # (the mean of the two at least `uncertain`, written as their sum: halving is exact)
    return (top2[1] >= config.extend_floor) & (top2[0] + top2[1] >= 2 * config.uncertain)


def _may_seed(sims: np.ndarray, config: AlignConfig) -> bool:
    """Return False when no sentence of mine can start a link (`_seed_merged`) whatever is free:
    the test of `_promising` on every sentence of the other side."""
    return sims.shape[0] >= 2 and bool(_promising(sims, config).any())


def _vouched(mine: Encoded, other: Encoded, k: int, best: list[int]) -> bool:
    """Return True when the sentences `best` of `other` hold at least two of the specific
    figures of sentence k of `mine`, and at least half of them."""
    figures = specific_figures(mine.anchors[k])
    if len(figures) < 2:
        return False
    found = figures & frozenset().union(*(other.anchors[x] for x in best))
    return len(found) >= 2 and len(found) * 2 >= len(figures)


def _seed_merged(
    mine: Encoded,
    other: Encoded,
    groups: list[Group],
    sims: np.ndarray,
    side: int,
    config: AlignConfig,
    rows: np.ndarray,
) -> bool:
    """Start links where one free sentence matches two or three free sentences taken together
    (`rows`: the other text's `weighted_rows`)."""
    used_mine = {k for g in groups for k in (g.b if side else g.a)}
    used_other = {k for g in groups for k in (g.a if side else g.b)}
    free_other = np.array(
        [x for x in range(len(other.doc.sentences)) if x not in used_other], dtype=np.int64
    )
    if len(free_other) < 2:
        return False
    changed = False
    for k in np.flatnonzero(_promising(sims[free_other], config)).tolist():
        if k in used_mine or len(free_other) < 2:
            continue
        column = sims[free_other, k]
        order = np.argsort(-column)[:3]
        top = [int(free_other[x]) for x in order if column[x] >= config.extend_floor]
        if len(top) < 2:
            continue
        vector = mine.vectors[k]
        options = [sorted(top[:n]) for n in (2, 3) if len(top) >= n]
        values = [float(_group_vector(rows, c) @ vector) for c in options]
        value = max(values)
        best = options[values.index(value)]
        if value >= config.accept or (value >= config.uncertain and _vouched(mine, other, k, best)):
            groups.append(
                Group(best, [k], value, "static") if side else Group([k], best, value, "static")
            )
            used_mine.add(k)
            used_other.update(best)
            free_other = np.array([x for x in free_other if x not in used_other], dtype=np.int64)
            changed = True
    return changed
