"""Tiny hand-made covering instances, a brute force to solve them, and the shared grids."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from parvis.wifi.planning import (
    Candidate,
    Coverage,
    DemandGrid,
    FixedSite,
    Instance,
    build_grid,
)


def csr(rows: Sequence[Sequence[int]], n_cols: int) -> Coverage:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    index = np.array([j for r in rows for j in sorted(r)], dtype=np.int32)
    return Coverage(ptr, index, n_cols)


def make_instance(
    weights: Sequence[float],
    cover: Sequence[Sequence[int]],
    *,
    n_candidates: int | None = None,
    fixed: Sequence[Sequence[int]] | None = None,
    n_sites: int = 0,
    costs: Sequence[float] | None = None,
) -> Instance:
    """Cells with `weights`; `cover[i]` lists the candidates reaching cell i, `fixed[i]` the
    existing sites."""
    n = (
        n_candidates
        if n_candidates is not None
        else 1 + max((max(r, default=-1) for r in cover), default=-1)
    )
    costs = costs or [1.0] * n
    fixed = fixed or [[] for _ in weights]
    w = np.asarray(weights, dtype=np.float64)
    return Instance(
        weight=w,
        population=w.copy(),
        lat=np.full(len(w), 48.85),
        lon=np.full(len(w), 2.35),
        cover=csr(cover, n),
        fixed=csr(fixed, n_sites),
        candidates=tuple(
            Candidate(f"c{j}", "test", f"candidate {j}", 48.85, 2.35, float(costs[j]))
            for j in range(n)
        ),
        sites=tuple(FixedSite(f"s{k}", f"site {k}", 48.85, 2.35) for k in range(n_sites)),
        radius_m=100.0,
    )


def random_instance(
    rng: np.random.Generator,
    *,
    cells: int,
    candidates: int,
    sites: int = 0,
    density: float = 0.3,
    weight_ties: bool = False,
) -> Instance:
    cover = [[j for j in range(candidates) if rng.random() < density] for _ in range(cells)]
    fixed = [[k for k in range(sites) if rng.random() < 0.15] for _ in range(cells)]
    # Small integer weights make many ties (and many equivalent optima).
    weights = rng.integers(1, 4, cells).astype(float) if weight_ties else rng.random(cells) * 10
    # Duplicate a few cells so that merging has work to do.
    for i in range(0, cells - 1, 5):
        cover[i + 1] = list(cover[i])
        fixed[i + 1] = list(fixed[i])
    costs = (1 + rng.integers(0, 3, candidates)).astype(float)
    return make_instance(
        weights.tolist(),
        cover,
        n_candidates=candidates,
        fixed=fixed,
        n_sites=sites,
        costs=costs.tolist(),
    )


def value(instance: Instance, chosen: Sequence[int], backup: float = 0.0) -> float:
    counts = instance.existing.copy()
    for i in range(instance.n_cells):
        counts[i] += len(set(instance.cover.row(i).tolist()) & set(chosen))
    w = instance.weight
    return float(w[counts >= 1].sum() + backup * w[counts >= 2].sum())


def brute_max(
    instance: Instance, *, p: int | None = None, budget: float | None = None, backup: float = 0.0
) -> float:
    n = instance.n_candidates
    best = 0.0
    cost = instance.cost
    for k in range(n + 1):
        if p is not None and k > p:
            break
        for subset in itertools.combinations(range(n), k):
            if budget is not None and cost[list(subset)].sum() > budget + 1e-9:
                continue
            best = max(best, value(instance, subset, backup))
    return best


def brute_min(instance: Instance, target: float, *, by_cost: bool = False) -> float | None:
    need = target * instance.total_weight
    n = instance.n_candidates
    best: float | None = None
    for k in range(n + 1):
        for subset in itertools.combinations(range(n), k):
            if value(instance, subset) >= need - 1e-9:
                obj = float(instance.cost[list(subset)].sum()) if by_cost else float(k)
                best = obj if best is None else min(best, obj)
    return best


@lru_cache(maxsize=4)
def paris_grid(cell_m: float) -> DemandGrid:
    return build_grid(cell_m)
