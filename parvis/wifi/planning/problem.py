"""A covering instance: demand cells and weights, candidates and costs, who covers whom.

An `Instance` is the whole, unreduced problem. It is what solvers read and what a plan
exports, so that anyone can re-check a plan with another solver. Existing sites are kept
apart (`fixed`): they are always built and cost nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from parvis.wifi.planning.coverage import Coverage, Located, cover_cells
from parvis.wifi.planning.grid import DemandGrid
from parvis.wifi.planning.model import F64, I64, Candidate, PlanningError, check_radius


@dataclass(frozen=True, slots=True)
class FixedSite:
    """An existing site as an instance keeps it (enough to export and re-read it)."""

    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, eq=False)
class Instance:
    """The covering problem on `n_cells` demand cells.

    Per cell: `weight` (the objective: population plus device weight), `population` (for the
    reported population share), `lat`/`lon` of its centre. `cover` lists, per cell, the
    candidates within the radius; `fixed` the existing sites. `cost` is per candidate.
    `radius_m` is the coverage radius and `cell_m` the grid's cell size (0 when unknown,
    e.g. for an instance read from CSV files, where the pairs say who covers whom).
    """

    weight: F64
    population: F64
    lat: F64
    lon: F64
    cover: Coverage
    fixed: Coverage
    candidates: tuple[Candidate, ...]
    sites: tuple[FixedSite, ...]
    radius_m: float
    cell_m: float = 0.0

    def __post_init__(self) -> None:
        n = len(self.weight)
        for name in ("population", "lat", "lon"):
            if len(getattr(self, name)) != n:
                raise PlanningError(f"instance: one {name} per cell")
        if self.cover.n_rows != n or self.fixed.n_rows != n:
            raise PlanningError("instance: one coverage row per cell")
        if self.cover.n_cols != len(self.candidates) or self.fixed.n_cols != len(self.sites):
            raise PlanningError("instance: coverage columns do not match the candidates")
        if not np.isfinite(self.weight).all() or (self.weight < 0).any():
            raise PlanningError("instance: cell weights must be finite and ≥ 0")
        if not np.isfinite(self.cost).all() or (self.cost <= 0).any():
            raise PlanningError("instance: candidate costs must be positive")

    @property
    def n_cells(self) -> int:
        return len(self.weight)

    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    @property
    def cost(self) -> F64:
        return np.fromiter((c.cost for c in self.candidates), np.float64, len(self.candidates))

    @property
    def existing(self) -> I64:
        """Per cell, how many existing sites reach it."""
        return self.fixed.counts

    @property
    def total_weight(self) -> float:
        return float(self.weight.sum())

    def index_of(self, candidate_ids: Sequence[str]) -> list[int]:
        """Candidate indices of ids (PlanningError naming an unknown id)."""
        where = {c.id: i for i, c in enumerate(self.candidates)}
        out = []
        for cid in candidate_ids:
            if cid not in where:
                raise PlanningError(f"unknown candidate {cid!r}")
            out.append(where[cid])
        return out


def build_instance(
    grid: DemandGrid,
    sites: Sequence[Located],
    candidates: Sequence[Candidate],
    radius_m: float,
    *,
    device_weight: float = 0.0,
) -> Instance:
    """The instance of covering `grid` with disks of `radius_m` around the existing `sites`
    (fixed) and the `candidates`; a cell weighs its population plus `device_weight` per
    device (see `DemandGrid.weights`)."""
    radius = check_radius(radius_m)
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise PlanningError(f"candidate id {dup!r} appears twice")
    for c in candidates:
        if not (math.isfinite(c.cost) and c.cost > 0):
            raise PlanningError(f"candidate {c.id}: cost must be positive, got {c.cost!r}")
    return Instance(
        weight=grid.weights(device_weight),
        population=grid.population,
        lat=grid.lat,
        lon=grid.lon,
        cover=cover_cells(grid, candidates, radius),
        fixed=cover_cells(grid, sites, radius),
        candidates=tuple(candidates),
        sites=tuple(FixedSite(s.id, getattr(s, "name", ""), s.lat, s.lon) for s in sites),
        radius_m=radius,
        cell_m=grid.cell_m,
    )
