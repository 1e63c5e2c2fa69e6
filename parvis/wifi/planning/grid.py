"""The demand grid: square cells over Paris, each with its arrondissement, quartier and weight.

A cell belongs to the city when its centre lies in an arrondissement (scan filling of the
shipped arrondissement polygons on the local projection, see `geo`). Cells are aligned on
multiples of the cell size from the projection centre, so two grids of the same size always
share their cells, and are numbered row by row from the south-west.

Weights
-------
- **area**: every cell counts the same (cell_m² each);
- **population**: the population of an arrondissement (INSEE 2022, shipped) is spread evenly
  over its cells, so the population of the covered cells is the covered population under the
  assumption of a uniform density inside each arrondissement. The quartiers get the same
  density (no population per quartier is shipped); a `population_by_quartier` mapping, when
  given, is spread over the quartier's cells instead. Both Bois count at the density of their
  arrondissement (12e, 16e), as in the research note;
- **devices**: optional points (sensors, actuators, footfall counters) add their weight to
  the cell that contains them.

The planner's objective weight of a cell is `population + device_weight × devices` (see
`DemandGrid.weights`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from parvis.wifi.planning._jit import jit
from parvis.wifi.planning.geo import (
    PARIS,
    Projection,
    Region,
    distance_to_edges,
    pack_edges,
    read_regions,
    scan_fill,
)
from parvis.wifi.planning.model import F64, I32, PlanningError, Point
from parvis.wifi.planning.sources import ARRONDISSEMENTS, QUARTIERS, read_population

MIN_CELL_M = 5.0
MAX_CELL_M = 1000.0


@dataclass(frozen=True, eq=False)
class DemandGrid:
    """Cells of `cell_m` × `cell_m` metres over Paris.

    Per cell (arrays of length `n_cells`): the centre `x`, `y` (metres, `projection`) and
    `lat`, `lon`; `arrondissement` and `quartier` (indices into `arrondissements` and
    `quartiers`); `population` (inhabitants); `devices` (sum of device weights, 0 without
    devices). `lattice` maps each of the `ny` × `nx` lattice positions (row-major from
    (`x_min`, `y_min`)) to its cell index, or -1 outside the city.
    """

    cell_m: float
    projection: Projection
    x_min: float
    y_min: float
    nx: int
    ny: int
    lattice: I32
    x: F64
    y: F64
    lat: F64
    lon: F64
    arrondissement: I32
    quartier: I32
    population: F64
    devices: F64
    arrondissements: tuple[Region, ...]
    quartiers: tuple[Region, ...]

    @property
    def n_cells(self) -> int:
        return len(self.x)

    @property
    def cell_area_m2(self) -> float:
        return self.cell_m * self.cell_m

    @property
    def has_devices(self) -> bool:
        return bool(self.devices.any())

    def weights(self, device_weight: float = 0.0) -> F64:
        """The planner's weight of each cell: its population plus `device_weight` per device
        (e.g. 100: a device counts as much as 100 inhabitants)."""
        if not (math.isfinite(device_weight) and device_weight >= 0):
            raise PlanningError(f"device weight must be ≥ 0, got {device_weight!r}")
        if device_weight == 0:
            return self.population.copy()
        out: F64 = self.population + device_weight * self.devices
        return out

    def cells_of(self, lat: F64, lon: F64, *, snap_m: float | None = None) -> I32:
        """The cell containing each point, or the nearest cell within `snap_m` metres (one
        cell diagonal by default) for points just outside the city; -1 beyond."""
        x, y = self.projection.to_xy(lat, lon)
        snap = self.cell_m * math.sqrt(2.0) if snap_m is None else snap_m
        return _cells_of(
            x, y, self.lattice, self.x_min, self.y_min, self.cell_m, self.nx, self.ny, snap
        )

    def with_devices(self, devices: Sequence[Point]) -> DemandGrid:
        """This grid with the device weights of `devices` (replacing any earlier ones). A
        device farther than one cell diagonal from every cell is an error naming it."""
        counts = np.zeros(self.n_cells, dtype=np.float64)
        if devices:
            lat = np.array([d.lat for d in devices], dtype=np.float64)
            lon = np.array([d.lon for d in devices], dtype=np.float64)
            cells = self.cells_of(lat, lon)
            bad = np.flatnonzero(cells < 0)
            if len(bad):
                d = devices[int(bad[0])]
                raise PlanningError(
                    f"device {d.id!r} at ({d.lat:.6f}, {d.lon:.6f}) is outside Paris "
                    f"(no grid cell within {self.cell_m * math.sqrt(2.0):.0f} m)"
                )
            weights = np.array([d.weight for d in devices], dtype=np.float64)
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise PlanningError("device weights must be finite and ≥ 0")
            np.add.at(counts, cells, weights)
        return replace(self, devices=counts)


def build_grid(
    cell_m: float = 50.0,
    *,
    devices: Sequence[Point] = (),
    population: Mapping[str, float] | None = None,
    population_by_quartier: Mapping[str, float] | None = None,
    arrondissements: str | Path = ARRONDISSEMENTS,
    quartiers: str | Path = QUARTIERS,
    projection: Projection = PARIS,
) -> DemandGrid:
    """The demand grid of Paris with cells of `cell_m` metres (5 to 1,000).

    `population` maps arrondissement INSEE codes to inhabitants (the shipped INSEE 2022
    figures by default); `population_by_quartier` (quartier INSEE code -> inhabitants), when
    given, is used instead. `devices` add device weights (see `DemandGrid.with_devices`).
    """
    try:
        cell = float(cell_m)
    except (TypeError, ValueError):
        raise PlanningError(f"cell size is not a number: {cell_m!r}") from None
    if not (math.isfinite(cell) and MIN_CELL_M <= cell <= MAX_CELL_M):
        raise PlanningError(
            f"cell size must be in [{MIN_CELL_M:.0f}, {MAX_CELL_M:.0f}] metres, got {cell_m!r}"
        )
    arr_regions = read_regions(arrondissements, level="arrondissement")
    qu_regions = read_regions(quartiers, level="quartier")
    arr_edges = pack_edges(arr_regions, projection)
    qu_edges = pack_edges(qu_regions, projection)
    box = arr_edges.bbox
    x_min = math.floor(box[:, 0].min() / cell) * cell
    y_min = math.floor(box[:, 1].min() / cell) * cell
    nx = math.ceil((box[:, 2].max() - x_min) / cell) + 1
    ny = math.ceil((box[:, 3].max() - y_min) / cell) + 1
    labels = scan_fill(arr_edges, x_min, y_min, cell, nx, ny)
    _give_every_region_a_cell(labels, arr_regions, projection, x_min, y_min, cell, nx, ny)
    positions = np.flatnonzero(labels >= 0)
    lattice = np.full(nx * ny, -1, dtype=np.int32)
    lattice[positions] = np.arange(len(positions), dtype=np.int32)
    rows, cols = np.divmod(positions, nx)
    x = x_min + (cols + 0.5) * cell
    y = y_min + (rows + 0.5) * cell
    lat, lon = projection.to_latlon(x, y)
    arrondissement = labels[positions].astype(np.int32)

    # Quartiers: scan filled the same way; a cell whose centre falls in no quartier, or in a
    # quartier of another arrondissement (the two layers do not share their vertices exactly),
    # goes to the nearest quartier of its own arrondissement, so quartiers nest exactly.
    quartier = scan_fill(qu_edges, x_min, y_min, cell, nx, ny)[positions]
    parent_index = {r.code: i for i, r in enumerate(arr_regions)}
    qu_parent = np.array([parent_index.get(q.parent, -1) for q in qu_regions], dtype=np.int32)
    wrong = np.flatnonzero((quartier < 0) | (qu_parent[np.maximum(quartier, 0)] != arrondissement))
    if len(wrong):  # none with the shipped layers, which nest exactly
        qu_alone = [pack_edges([q], projection) for q in qu_regions]
        for i in wrong.tolist():
            own = np.flatnonzero(qu_parent == arrondissement[i])
            here_x, here_y = x[i : i + 1], y[i : i + 1]
            gaps = [float(distance_to_edges(qu_alone[q], here_x, here_y)[0]) for q in own]
            quartier[i] = own[int(np.argmin(gaps))] if len(own) else -1

    population_per_cell = _spread_population(
        arr_regions, qu_regions, arrondissement, quartier, population, population_by_quartier
    )
    grid = DemandGrid(
        cell_m=cell,
        projection=projection,
        x_min=x_min,
        y_min=y_min,
        nx=nx,
        ny=ny,
        lattice=lattice,
        x=x,
        y=y,
        lat=lat,
        lon=lon,
        arrondissement=arrondissement,
        quartier=quartier.astype(np.int32),
        population=population_per_cell,
        devices=np.zeros(len(positions), dtype=np.float64),
        arrondissements=arr_regions,
        quartiers=qu_regions,
    )
    return grid.with_devices(devices) if devices else grid


def _give_every_region_a_cell(
    labels: I32,
    regions: Sequence[Region],
    projection: Projection,
    x_min: float,
    y_min: float,
    cell: float,
    nx: int,
    ny: int,
) -> None:
    """With coarse cells a small arrondissement (the 2e is under 1 km²) may hold no cell
    centre: give it the lattice cell under the mean of its vertices, so that its population
    is not lost."""
    present = set(np.unique(labels[labels >= 0]).tolist())
    for r, region in enumerate(regions):
        if r in present:
            continue
        ring = region.rings[0]
        x, y = projection.to_xy(ring[:-1, 1], ring[:-1, 0])
        col = min(nx - 1, max(0, int((x.mean() - x_min) // cell)))
        row = min(ny - 1, max(0, int((y.mean() - y_min) // cell)))
        labels[row * nx + col] = r


def _spread_population(
    arr_regions: Sequence[Region],
    qu_regions: Sequence[Region],
    arrondissement: I32,
    quartier: I32,
    population: Mapping[str, float] | None,
    population_by_quartier: Mapping[str, float] | None,
) -> F64:
    if population_by_quartier is not None:
        regions, labels, values, level = qu_regions, quartier, population_by_quartier, "quartier"
    else:
        values = read_population() if population is None else population
        regions, labels, level = arr_regions, arrondissement, "arrondissement"
    counts = np.bincount(labels[labels >= 0], minlength=len(regions))
    per_region = np.zeros(len(regions), dtype=np.float64)
    for r, region in enumerate(regions):
        if region.code not in values:
            raise PlanningError(f"no population for {level} {region.code} ({region.name})")
        value = float(values[region.code])
        if not (math.isfinite(value) and value >= 0):
            raise PlanningError(f"bad population for {level} {region.code}: {value!r}")
        if counts[r] == 0 and value > 0:
            raise PlanningError(
                f"{level} {region.code} ({region.name}) holds no cell at this cell size"
            )
        per_region[r] = value / counts[r] if counts[r] else 0.0
    out: F64 = np.where(labels >= 0, per_region[np.maximum(labels, 0)], 0.0)
    return out


@jit
def _cells_of(
    x: F64,
    y: F64,
    lattice: I32,
    x_min: float,
    y_min: float,
    cell: float,
    nx: int,
    ny: int,
    snap: float,
) -> I32:
    out = np.full(len(x), -1, dtype=np.int32)
    reach = math.ceil(snap / cell) + 1
    for i in range(len(x)):
        col = math.floor((x[i] - x_min) / cell)
        row = math.floor((y[i] - y_min) / cell)
        if 0 <= col < nx and 0 <= row < ny and lattice[row * nx + col] >= 0:
            out[i] = lattice[row * nx + col]
            continue
        best = snap * snap
        for r in range(row - reach, row + reach + 1):
            if r < 0 or r >= ny:
                continue
            for c in range(col - reach, col + reach + 1):
                if c < 0 or c >= nx or lattice[r * nx + c] < 0:
                    continue
                dx = x_min + (c + 0.5) * cell - x[i]
                dy = y_min + (r + 0.5) * cell - y[i]
                d2 = dx * dx + dy * dy
                if d2 <= best:
                    best = d2
                    out[i] = lattice[r * nx + c]
    return out
