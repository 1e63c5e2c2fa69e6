"""Local metric projection, city polygons, point-in-polygon and polygon scan filling.

Projection
----------
All distances are computed on a local **equirectangular** projection centred on Paris
(Notre-Dame, 48.8566 N, 2.3522 E):

    x = R · cos(φ0) · (λ − λ0),    y = R · (φ − φ0)        (angles in radians, R = 6,371,008.8 m)

Paris spans ±0.045° of latitude around φ0, over which cos φ changes by at most 0.09 %: a
100 m radius is then wrong by at most 9 cm, and a 25 m cell by 2 cm, far below the accuracy of
the published positions. Outside a city of this size, use a true projection.

Polygons
--------
A region (arrondissement, quartier) is a GeoJSON Polygon or MultiPolygon; all its rings,
holes included, are packed into one array of edges and tested with the even-odd rule, which
handles holes and several parts alike. Points exactly on an edge follow the half-open rule
(an edge counts when one end is strictly above the point's line and the other on or below),
so a point on the border of two regions belongs to exactly one of them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parvis.wifi.planning._jit import jit
from parvis.wifi.planning.model import F64, I32, I64, PlanningError

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "paris"
"""The data Parvis ships (see data/README.md for origin and licence)."""


@dataclass(frozen=True, slots=True)
class Projection:
    """Equirectangular projection around (`lat0`, `lon0`), in metres (see module docstring)."""

    lat0: float = 48.8566
    lon0: float = 2.3522

    @property
    def metres_per_degree_lat(self) -> float:
        return math.pi / 180.0 * EARTH_RADIUS_M

    @property
    def metres_per_degree_lon(self) -> float:
        return self.metres_per_degree_lat * math.cos(math.radians(self.lat0))

    def to_xy(self, lat: Iterable[float] | F64, lon: Iterable[float] | F64) -> tuple[F64, F64]:
        """Metres east (x) and north (y) of the centre, for arrays of degrees."""
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
        x: F64 = (lon_a - self.lon0) * self.metres_per_degree_lon
        y: F64 = (lat_a - self.lat0) * self.metres_per_degree_lat
        return x, y

    def to_latlon(self, x: F64, y: F64) -> tuple[F64, F64]:
        """Degrees (lat, lon) of projected points: the inverse of `to_xy`."""
        lat: F64 = np.asarray(y, dtype=np.float64) / self.metres_per_degree_lat + self.lat0
        lon: F64 = np.asarray(x, dtype=np.float64) / self.metres_per_degree_lon + self.lon0
        return lat, lon


PARIS = Projection()


@dataclass(frozen=True, eq=False)
class Region:
    """A polygonal area: `code` is its INSEE code (arrondissement "75101", quartier
    "7510101"), `parent` the arrondissement code of a quartier ("" for an arrondissement).
    `rings` are closed (lon, lat) rings, outer boundaries and holes alike."""

    code: str
    name: str
    parent: str
    rings: tuple[F64, ...]


@dataclass(frozen=True, eq=False)
class EdgeSet:
    """The edges of several regions, projected: region `r` owns edges `ptr[r]:ptr[r+1]`
    from (x0, y0) to (x1, y1); `bbox[r]` is (xmin, ymin, xmax, ymax)."""

    ptr: I64
    x0: F64
    y0: F64
    x1: F64
    y1: F64
    bbox: F64

    @property
    def n_regions(self) -> int:
        return len(self.ptr) - 1


def read_regions(path: str | Path, *, level: str) -> tuple[Region, ...]:
    """The arrondissements (`level="arrondissement"`) or quartiers (`level="quartier"`) of a
    Ville de Paris GeoJSON export, in file order."""
    if level not in ("arrondissement", "quartier"):
        raise PlanningError(f"unknown level {level!r} (arrondissement or quartier)")
    data = _read_json(path)
    regions = []
    for n, feature in enumerate(_features(data, path), start=1):
        props = feature.get("properties") or {}
        where = f"{Path(path).name}, feature {n}"
        try:
            if level == "arrondissement":
                code = str(int(props["c_arinsee"]))
                name = str(props.get("l_ar") or props.get("l_aroff") or code)
                parent = ""
            else:
                code = str(int(props["c_quinsee"]))
                name = str(props.get("l_qu") or code)
                parent = str(75100 + int(props["c_ar"]))
        except (KeyError, TypeError, ValueError):
            raise PlanningError(f"{where}: missing or bad region code") from None
        regions.append(Region(code, name, parent, polygon_rings(feature.get("geometry"), where)))
    if not regions:
        raise PlanningError(f"{Path(path).name}: no region")
    return tuple(regions)


def polygon_rings(geometry: Any, where: str) -> tuple[F64, ...]:
    """The rings of a GeoJSON Polygon or MultiPolygon as (k, 2) arrays of (lon, lat), each
    checked: at least 4 positions, closed, finite, plausible degrees."""
    if not isinstance(geometry, Mapping):
        raise PlanningError(f"{where}: no geometry")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords if isinstance(coords, list) else []
    else:
        raise PlanningError(f"{where}: geometry type {kind!r} is not a Polygon or MultiPolygon")
    rings: list[F64] = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise PlanningError(f"{where}: empty polygon")
        for ring in polygon:
            try:
                array = np.asarray(ring, dtype=np.float64)
            except (TypeError, ValueError):
                raise PlanningError(f"{where}: a ring has non-numeric coordinates") from None
            if array.ndim != 2 or array.shape[1] < 2 or array.shape[0] < 4:
                raise PlanningError(f"{where}: a ring needs at least 4 (lon, lat) positions")
            array = np.ascontiguousarray(array[:, :2])
            if not np.isfinite(array).all():
                raise PlanningError(f"{where}: a ring has non-finite coordinates")
            if np.abs(array[:, 0]).max() > 180 or np.abs(array[:, 1]).max() > 90:
                raise PlanningError(f"{where}: coordinates are not (lon, lat) degrees")
            if not np.array_equal(array[0], array[-1]):
                raise PlanningError(f"{where}: a ring is not closed")
            rings.append(array)
    if not rings:
        raise PlanningError(f"{where}: empty polygon")
    return tuple(rings)


def pack_edges(regions: Sequence[Region], projection: Projection = PARIS) -> EdgeSet:
    """The projected edges of `regions`, ready for `locate_points` and `scan_fill`."""
    ptr = np.zeros(len(regions) + 1, dtype=np.int64)
    parts: list[tuple[F64, F64, F64, F64]] = []
    bbox = np.empty((len(regions), 4), dtype=np.float64)
    for r, region in enumerate(regions):
        xs0, ys0, xs1, ys1 = [], [], [], []
        for ring in region.rings:
            x, y = projection.to_xy(ring[:, 1], ring[:, 0])
            xs0.append(x[:-1])
            ys0.append(y[:-1])
            xs1.append(x[1:])
            ys1.append(y[1:])
        part = (np.concatenate(xs0), np.concatenate(ys0), np.concatenate(xs1), np.concatenate(ys1))
        parts.append(part)
        ptr[r + 1] = ptr[r] + len(part[0])
        bbox[r] = (
            min(part[0].min(), part[2].min()),
            min(part[1].min(), part[3].min()),
            max(part[0].max(), part[2].max()),
            max(part[1].max(), part[3].max()),
        )
    return EdgeSet(
        ptr=ptr,
        x0=np.concatenate([p[0] for p in parts]),
        y0=np.concatenate([p[1] for p in parts]),
        x1=np.concatenate([p[2] for p in parts]),
        y1=np.concatenate([p[3] for p in parts]),
        bbox=bbox,
    )


def locate_points(edges: EdgeSet, x: F64, y: F64) -> I32:
    """For each projected point, the index of the first region containing it, or -1."""
    return _locate(
        np.ascontiguousarray(x, dtype=np.float64),
        np.ascontiguousarray(y, dtype=np.float64),
        edges.ptr,
        edges.x0,
        edges.y0,
        edges.x1,
        edges.y1,
        edges.bbox,
    )


def distance_to_edges(edges: EdgeSet, x: F64, y: F64) -> F64:
    """For each projected point, its distance in metres to the nearest edge of any region."""
    return _edge_distance(
        np.ascontiguousarray(x, dtype=np.float64),
        np.ascontiguousarray(y, dtype=np.float64),
        edges.x0,
        edges.y0,
        edges.x1,
        edges.y1,
    )


def scan_fill(edges: EdgeSet, x_min: float, y_min: float, cell_m: float, nx: int, ny: int) -> I32:
    """Label a lattice of `ny` rows × `nx` columns of cells (centres at x_min + (c + ½)·cell,
    y_min + (r + ½)·cell) with the first region containing each centre, -1 if none.

    One horizontal scan line per row: the crossings of the region's edges with the line,
    sorted, bound the runs of inside cells (even-odd rule). The cost is rows × edges plus the
    cells filled, instead of cells × edges for a point-by-point test."""
    labels = np.full(ny * nx, -1, dtype=np.int32)
    _scan_fill(
        edges.ptr,
        edges.x0,
        edges.y0,
        edges.x1,
        edges.y1,
        edges.bbox,
        float(x_min),
        float(y_min),
        float(cell_m),
        int(nx),
        int(ny),
        labels,
    )
    return labels


def _read_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise PlanningError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PlanningError(f"{Path(path).name} is not valid JSON: {exc}") from None


def _features(data: Any, path: str | Path) -> list[Mapping[str, Any]]:
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise PlanningError(f"{Path(path).name} is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise PlanningError(f"{Path(path).name}: 'features' is not a list")
    bad = next((n for n, f in enumerate(features, 1) if not isinstance(f, Mapping)), None)
    if bad is not None:
        raise PlanningError(f"{Path(path).name}, feature {bad}: not a GeoJSON Feature")
    return features


@jit
def _inside(px: float, py: float, lo: int, hi: int, x0: F64, y0: F64, x1: F64, y1: F64) -> bool:
    inside = False
    for e in range(lo, hi):
        ya, yb = y0[e], y1[e]
        # Half-open rule: the edge counts when the point's line separates its two ends.
        if (ya > py) != (yb > py):
            xc = x0[e] + (py - ya) * (x1[e] - x0[e]) / (yb - ya)
            if px < xc:
                inside = not inside
    return inside


@jit
def _locate(px: F64, py: F64, ptr: I64, x0: F64, y0: F64, x1: F64, y1: F64, bbox: F64) -> I32:
    out = np.full(len(px), -1, dtype=np.int32)
    for i in range(len(px)):
        for r in range(len(ptr) - 1):
            if not (bbox[r, 0] <= px[i] <= bbox[r, 2] and bbox[r, 1] <= py[i] <= bbox[r, 3]):
                continue
            if _inside(px[i], py[i], ptr[r], ptr[r + 1], x0, y0, x1, y1):
                out[i] = r
                break
    return out


@jit
def _edge_distance(px: F64, py: F64, x0: F64, y0: F64, x1: F64, y1: F64) -> F64:
    out = np.empty(len(px), dtype=np.float64)
    for i in range(len(px)):
        best = np.inf
        for e in range(len(x0)):
            dx, dy = x1[e] - x0[e], y1[e] - y0[e]
            length2 = dx * dx + dy * dy
            t = 0.0
            if length2 > 0.0:
                t = ((px[i] - x0[e]) * dx + (py[i] - y0[e]) * dy) / length2
                t = min(1.0, max(0.0, t))
            ex, ey = x0[e] + t * dx - px[i], y0[e] + t * dy - py[i]
            d2 = ex * ex + ey * ey
            if d2 < best:
                best = d2
        out[i] = math.sqrt(best)
    return out


@jit
def _scan_fill(
    ptr: I64,
    x0: F64,
    y0: F64,
    x1: F64,
    y1: F64,
    bbox: F64,
    x_min: float,
    y_min: float,
    cell: float,
    nx: int,
    ny: int,
    labels: I32,
) -> None:
    crossings = np.empty(int(np.max(np.diff(ptr))) + 1, dtype=np.float64)
    for r in range(len(ptr) - 1):
        row_lo = max(0, math.floor((bbox[r, 1] - y_min) / cell - 0.5))
        row_hi = min(ny - 1, math.ceil((bbox[r, 3] - y_min) / cell - 0.5))
        for row in range(row_lo, row_hi + 1):
            yc = y_min + (row + 0.5) * cell
            k = 0
            for e in range(ptr[r], ptr[r + 1]):
                ya, yb = y0[e], y1[e]
                if (ya > yc) != (yb > yc):
                    crossings[k] = x0[e] + (yc - ya) * (x1[e] - x0[e]) / (yb - ya)
                    k += 1
            xs = np.sort(crossings[:k])
            base = row * nx
            for j in range(0, k - 1, 2):
                # Centres x with xs[j] <= x < xs[j+1]: the same half-open rule as `_inside`
                # (there, a point is inside when an odd number of crossings lie right of it).
                c_lo = max(0, math.ceil((xs[j] - x_min) / cell - 0.5))
                c_hi = min(nx - 1, math.ceil((xs[j + 1] - x_min) / cell - 0.5) - 1)
                for c in range(c_lo, c_hi + 1):
                    if labels[base + c] < 0:
                        labels[base + c] = r
