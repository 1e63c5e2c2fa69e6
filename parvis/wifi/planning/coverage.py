"""Which sites cover which cells, the covered shares, and the devices left out.

Coverage is a disk of a given radius around each site (the radius comes from
`propagation.usable_radius` or from the user). It is stored as a sparse matrix in CSR form:
row i lists the points (sites or candidates) within the radius of cell i's centre. It is
built through a spatial hash: points are bucketed on a square grid of at least the radius, so
a cell only looks at the 3 × 3 buckets around its own; the cost is linear in cells + pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from parvis.wifi.planning._jit import jit
from parvis.wifi.planning.geo import PARIS, Projection
from parvis.wifi.planning.grid import DemandGrid
from parvis.wifi.planning.model import B1, F64, I32, I64, PlanningError, Point, check_radius
from parvis.wifi.planning.propagation import Band, Environment, Model, signal_dbm

MAX_BUCKETS_PER_SIDE = 1024
"""Cap on the hash grid (so a tiny radius over a wide area does not allocate a huge table)."""


class Located(Protocol):
    """Anything with an id and a WGS84 position: `Site`, `Candidate`, `Point`."""

    @property
    def id(self) -> str: ...

    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


@dataclass(frozen=True, eq=False)
class Coverage:
    """A sparse 0/1 matrix in CSR form: row i covers columns `index[ptr[i]:ptr[i+1]]`
    (sorted). Rows are cells, columns sites or candidates (or the transpose)."""

    ptr: I64
    index: I32
    n_cols: int

    @property
    def n_rows(self) -> int:
        return len(self.ptr) - 1

    @property
    def nnz(self) -> int:
        return len(self.index)

    @property
    def counts(self) -> I64:
        """Number of columns in each row (for cells: how many sites reach them)."""
        out: I64 = np.diff(self.ptr)
        return out

    def row(self, i: int) -> I32:
        return self.index[self.ptr[i] : self.ptr[i + 1]]

    def transpose(self) -> Coverage:
        """Columns become rows (e.g. candidate -> cells), rows sorted."""
        ptr, index = _transpose(self.ptr, self.index, self.n_cols)
        return Coverage(ptr, index, self.n_rows)


def build_coverage(
    cell_x: F64, cell_y: F64, point_x: F64, point_y: F64, radius_m: float
) -> Coverage:
    """The coverage matrix of cells (rows) by points (columns) within `radius_m` metres
    (distance ≤ radius), from projected coordinates."""
    radius = check_radius(radius_m)
    cx = np.ascontiguousarray(cell_x, dtype=np.float64)
    cy = np.ascontiguousarray(cell_y, dtype=np.float64)
    px = np.ascontiguousarray(point_x, dtype=np.float64)
    py = np.ascontiguousarray(point_y, dtype=np.float64)
    if len(px) == 0 or len(cx) == 0:
        return Coverage(np.zeros(len(cx) + 1, dtype=np.int64), np.zeros(0, dtype=np.int32), len(px))
    x0, y0 = float(px.min()), float(py.min())
    span = max(float(px.max()) - x0, float(py.max()) - y0)
    bucket = max(radius, span / MAX_BUCKETS_PER_SIDE)
    ptr, index = _build(cx, cy, px, py, radius, x0, y0, bucket)
    return Coverage(ptr, index, len(px))


def cover_cells(grid: DemandGrid, points: Sequence[Located], radius_m: float) -> Coverage:
    """The coverage of `grid`'s cells by `points` (sites, candidates) within `radius_m`."""
    x, y = positions(points, grid.projection)
    return build_coverage(grid.x, grid.y, x, y, radius_m)


def positions(points: Sequence[Located], projection: Projection = PARIS) -> tuple[F64, F64]:
    """Projected (x, y) of points with `lat` and `lon`."""
    lat = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
    lon = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
    return projection.to_xy(lat, lon)


@dataclass(frozen=True, slots=True)
class AreaShare:
    """Coverage of one arrondissement or quartier (or of the whole city)."""

    code: str
    name: str
    cells: int
    covered_cells: int
    population: float
    covered_population: float
    devices: float
    covered_devices: float

    @property
    def area_share(self) -> float:
        return self.covered_cells / self.cells if self.cells else 0.0

    @property
    def population_share(self) -> float:
        return self.covered_population / self.population if self.population else 0.0

    @property
    def device_share(self) -> float | None:
        return self.covered_devices / self.devices if self.devices else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "cells": self.cells,
            "covered_cells": self.covered_cells,
            "area_share": self.area_share,
            "population": self.population,
            "covered_population": self.covered_population,
            "population_share": self.population_share,
            "devices": self.devices,
            "covered_devices": self.covered_devices,
            "device_share": self.device_share,
        }


@dataclass(frozen=True, eq=False)
class CoverageReport:
    """Covered shares of area, population and devices, for Paris (`city`), by arrondissement
    and by quartier. `covered` flags each grid cell (for maps)."""

    radius_m: float
    cell_m: float
    sites: int
    city: AreaShare
    by_arrondissement: tuple[AreaShare, ...]
    by_quartier: tuple[AreaShare, ...]
    covered: B1

    @property
    def area_share(self) -> float:
        return self.city.area_share

    @property
    def population_share(self) -> float:
        return self.city.population_share

    @property
    def device_share(self) -> float | None:
        return self.city.device_share

    def to_dict(self) -> dict[str, Any]:
        return {
            "radius_m": self.radius_m,
            "cell_m": self.cell_m,
            "sites": self.sites,
            "city": self.city.to_dict(),
            "by_arrondissement": [a.to_dict() for a in self.by_arrondissement],
            "by_quartier": [q.to_dict() for q in self.by_quartier],
        }


def measure_coverage(grid: DemandGrid, sites: Sequence[Located], radius_m: float) -> CoverageReport:
    """The share of Paris (cells, population, devices) within `radius_m` of any of `sites`."""
    coverage = cover_cells(grid, sites, radius_m)
    return report_coverage(grid, coverage.counts > 0, radius_m=radius_m, sites=len(sites))


def report_coverage(
    grid: DemandGrid, covered: B1, *, radius_m: float, sites: int
) -> CoverageReport:
    """The report for a given covered/uncovered flag per cell."""
    covered = np.asarray(covered, dtype=bool)
    if covered.shape != (grid.n_cells,):
        raise PlanningError("one covered flag per grid cell")

    def shares(labels: I32, regions: Sequence[Any]) -> tuple[AreaShare, ...]:
        n = len(regions)
        ok = labels >= 0
        lab = labels[ok]
        cov = covered[ok]
        cells = np.bincount(lab, minlength=n)
        cov_cells = np.bincount(lab, weights=cov, minlength=n)
        pop = np.bincount(lab, weights=grid.population[ok], minlength=n)
        cov_pop = np.bincount(lab, weights=grid.population[ok] * cov, minlength=n)
        dev = np.bincount(lab, weights=grid.devices[ok], minlength=n)
        cov_dev = np.bincount(lab, weights=grid.devices[ok] * cov, minlength=n)
        return tuple(
            AreaShare(
                code=r.code,
                name=r.name,
                cells=int(cells[i]),
                covered_cells=round(cov_cells[i]),
                population=float(pop[i]),
                covered_population=float(cov_pop[i]),
                devices=float(dev[i]),
                covered_devices=float(cov_dev[i]),
            )
            for i, r in enumerate(regions)
        )

    city = AreaShare(
        code="75056",
        name="Paris",
        cells=grid.n_cells,
        covered_cells=int(covered.sum()),
        population=float(grid.population.sum()),
        covered_population=float(grid.population[covered].sum()),
        devices=float(grid.devices.sum()),
        covered_devices=float(grid.devices[covered].sum()),
    )
    return CoverageReport(
        radius_m=float(radius_m),
        cell_m=grid.cell_m,
        sites=sites,
        city=city,
        by_arrondissement=shares(grid.arrondissement, grid.arrondissements),
        by_quartier=shares(grid.quartier, grid.quartiers),
        covered=covered,
    )


@dataclass(frozen=True, slots=True)
class DeviceSignal:
    """A device out of coverage: its nearest site, the distance to it and the estimated
    signal of that site at the device (dBm, see `propagation.signal_dbm`)."""

    device: str
    name: str
    lat: float
    lon: float
    nearest_site: str
    distance_m: float
    signal_dbm: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "nearest_site": self.nearest_site,
            "distance_m": self.distance_m,
            "signal_dbm": self.signal_dbm,
        }


def find_uncovered_devices(
    devices: Sequence[Point],
    sites: Sequence[Located],
    radius_m: float,
    *,
    band: Band | str = Band.GHZ_2_4,
    model: Model | str = Model.P1411,
    environment: Environment | str = Environment.NLOS_URBAN,
    location_probability: float = 0.5,
    projection: Projection = PARIS,
) -> tuple[DeviceSignal, ...]:
    """The devices farther than `radius_m` from every site, in input order, each with its
    nearest site and the estimated (median by default) signal of that site there."""
    radius = check_radius(radius_m)
    if not devices:
        return ()
    if not sites:
        raise PlanningError("no site to measure the devices against")
    dx, dy = positions(devices, projection)
    sx, sy = positions(sites, projection)
    nearest, distance = _nearest(dx, dy, sx, sy)
    out = np.flatnonzero(distance > radius)
    signal = signal_dbm(
        distance[out],
        band,
        model=model,
        environment=environment,
        location_probability=location_probability,
    )
    return tuple(
        DeviceSignal(
            device=devices[i].id,
            name=devices[i].name,
            lat=devices[i].lat,
            lon=devices[i].lon,
            nearest_site=sites[int(nearest[i])].id,
            distance_m=float(distance[i]),
            signal_dbm=float(s),
        )
        for i, s in zip(out.tolist(), signal.tolist(), strict=True)
    )


@jit
def _build(
    cx: F64,
    cy: F64,
    px: F64,
    py: F64,
    radius: float,
    x0: float,
    y0: float,
    bucket: float,
) -> tuple[I64, I32]:
    nbx = int((px.max() - x0) / bucket) + 1
    nby = int((py.max() - y0) / bucket) + 1
    key = np.empty(len(px), dtype=np.int64)
    for j in range(len(px)):
        key[j] = int((py[j] - y0) / bucket) * nbx + int((px[j] - x0) / bucket)
    order = np.argsort(key, kind="mergesort")
    start = np.zeros(nbx * nby + 1, dtype=np.int64)
    for j in range(len(px)):
        start[key[j] + 1] += 1
    for b in range(nbx * nby):
        start[b + 1] += start[b]
    r2 = radius * radius
    # Two passes over the same neighbourhoods: count each cell's pairs, then fill them.
    ptr = np.zeros(len(cx) + 1, dtype=np.int64)
    index = np.empty(0, dtype=np.int32)
    for phase in range(2):
        if phase == 1:
            index = np.empty(ptr[-1], dtype=np.int32)
        for i in range(len(cx)):
            bx = math.floor((cx[i] - x0) / bucket)
            by = math.floor((cy[i] - y0) / bucket)
            k = ptr[i] if phase == 1 else 0
            for yy in range(max(by - 1, 0), min(by + 1, nby - 1) + 1):
                for xx in range(max(bx - 1, 0), min(bx + 1, nbx - 1) + 1):
                    b = yy * nbx + xx
                    for s in range(start[b], start[b + 1]):
                        j = order[s]
                        d2 = (px[j] - cx[i]) ** 2 + (py[j] - cy[i]) ** 2
                        if d2 <= r2:
                            if phase == 1:
                                index[k] = j
                            k += 1
            if phase == 0:
                ptr[i + 1] = k
            else:
                index[ptr[i] : k] = np.sort(index[ptr[i] : k])
        if phase == 0:
            for i in range(len(cx)):
                ptr[i + 1] += ptr[i]
    return ptr, index


@jit
def _transpose(ptr: I64, index: I32, n_cols: int) -> tuple[I64, I32]:
    counts = np.zeros(n_cols + 1, dtype=np.int64)
    for k in range(len(index)):
        counts[index[k] + 1] += 1
    for c in range(n_cols):
        counts[c + 1] += counts[c]
    out = np.empty(len(index), dtype=np.int32)
    fill = counts[:-1].copy()
    for r in range(len(ptr) - 1):
        for k in range(ptr[r], ptr[r + 1]):
            c = index[k]
            out[fill[c]] = r
            fill[c] += 1
    return counts, out


@jit
def _nearest(dx: F64, dy: F64, sx: F64, sy: F64) -> tuple[I64, F64]:
    order = np.argsort(sx)
    xs = sx[order]
    nearest = np.empty(len(dx), dtype=np.int64)
    distance = np.empty(len(dx), dtype=np.float64)
    for i in range(len(dx)):
        best = np.inf
        arg = -1
        pos = np.searchsorted(xs, dx[i])
        # Sweep outwards in x; stop each side once |Δx| alone exceeds the best distance.
        lo, hi = pos - 1, pos
        while lo >= 0 or hi < len(xs):
            if hi < len(xs):
                gap = xs[hi] - dx[i]
                if gap * gap > best:
                    hi = len(xs)
                else:
                    j = order[hi]
                    d2 = gap * gap + (sy[j] - dy[i]) ** 2
                    if d2 < best or (d2 == best and j < arg):
                        best, arg = d2, j
                    hi += 1
            if lo >= 0:
                gap = dx[i] - xs[lo]
                if gap * gap > best:
                    lo = -1
                else:
                    j = order[lo]
                    d2 = gap * gap + (sy[j] - dy[i]) ** 2
                    if d2 < best or (d2 == best and j < arg):
                        best, arg = d2, j
                    lo -= 1
        nearest[i] = arg
        distance[i] = math.sqrt(best)
    return nearest, distance
