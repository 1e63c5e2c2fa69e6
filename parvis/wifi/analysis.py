"""Between the database and the pure planning core: the demand grids (built once per process
and cell size), the sites and candidates as the core sees them, coverage reports."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis.kernel.errors import InvalidInput
from parvis.wifi.models import WifiCandidate, WifiSite
from parvis.wifi.planning.coverage import (
    CoverageReport,
    find_uncovered_devices,
    measure_coverage,
)
from parvis.wifi.planning.grid import DemandGrid, build_grid
from parvis.wifi.planning.model import Candidate, PlanningError, Site
from parvis.wifi.planning.sources import parse_points_csv, parse_points_geojson

DEFAULT_CELL_M = 50.0
DEFAULT_RADIUS_M = 100.0
_grids: dict[float, DemandGrid] = {}
_lock = threading.Lock()


def grid_of(cell_m: float) -> DemandGrid:
    """The population-weighted demand grid over Paris for this cell size (cached: a 25 m grid
    takes seconds to build and never changes)."""
    with _lock:
        grid = _grids.get(cell_m)
        if grid is None:
            if len(_grids) >= 4:
                _grids.clear()
            grid = _grids[cell_m] = build_grid(cell_m)
        return grid


@dataclass(frozen=True)
class Inventory:
    sites: tuple[Site, ...]
    candidates: tuple[Candidate, ...]
    candidate_rows: tuple[int, ...]  # database id of each candidate, in the same order


def load_sites(db: Session) -> tuple[Site, ...]:
    """The operational sites from the database, as the planning core takes them."""
    return tuple(
        Site(
            id=s.code,
            name=s.name,
            lat=s.lat,
            lon=s.lon,
            access_points=s.access_points,
            state=s.state,
            address=s.address,
            postcode=s.postcode,
        )
        for s in db.scalars(
            select(WifiSite).where(WifiSite.operational.is_(True)).order_by(WifiSite.id)
        )
    )


def load_inventory(db: Session, *, kinds: Sequence[str] | None = None) -> Inventory:
    """The operational sites and the candidates (of `kinds`, all by default)."""
    query = select(WifiCandidate).order_by(WifiCandidate.id)
    if kinds:
        query = query.where(WifiCandidate.kind.in_(list(kinds)))
    rows = list(db.scalars(query))
    candidates = tuple(
        Candidate(id=str(c.id), kind=c.kind, name=c.name, lat=c.lat, lon=c.lon, cost=c.cost_eur)
        for c in rows
    )
    return Inventory(load_sites(db), candidates, tuple(c.id for c in rows))


def coverage_now(db: Session, cell_m: float, radius_m: float) -> CoverageReport:
    """How much of Paris the operational sites cover with this radius."""
    grid = grid_of(cell_m)
    return measure_coverage(grid, load_sites(db), radius_m)


def report_json(report: CoverageReport) -> dict[str, Any]:
    """The report as JSON, shares rounded to 0.01 point and people to one."""
    rounded: dict[str, Any] = _rounded(report.to_dict())
    return rounded


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if abs(value) <= 1 else round(value, 1)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def cells_geojson(db: Session, cell_m: float, radius_m: float) -> dict[str, Any]:
    """The demand cells as squares with their population and whether they are covered (for
    maps; coarse cells only, a fine grid would be megabytes)."""
    grid = grid_of(cell_m)
    report = coverage_now(db, cell_m, radius_m)
    half_lat = cell_m / 2 / 111_320.0
    features = []
    for i in range(grid.n_cells):
        lat, lon = float(grid.lat[i]), float(grid.lon[i])
        half_lon = half_lat / math.cos(math.radians(lat))
        ring = [
            [round(lon - half_lon, 6), round(lat - half_lat, 6)],
            [round(lon + half_lon, 6), round(lat - half_lat, 6)],
            [round(lon + half_lon, 6), round(lat + half_lat, 6)],
            [round(lon - half_lon, 6), round(lat + half_lat, 6)],
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                "properties": {
                    "covered": bool(report.covered[i]),
                    "population": round(float(grid.population[i]), 1),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"cell_m": cell_m, "radius_m": radius_m},
    }


def check_devices(db: Session, data: bytes, filename: str, radius_m: float) -> dict[str, Any]:
    """Devices (CSV with lat/lon, or GeoJSON points) against today's sites: the share within
    `radius_m`, and those out of coverage with their nearest site and estimated signal."""
    try:
        if filename.endswith(".geojson"):
            devices = parse_points_geojson(data, source="devices")
        else:
            devices = parse_points_csv(data, source="devices")
        sites = load_sites(db)
        out = find_uncovered_devices(devices, sites, radius_m)
    except PlanningError as error:
        raise InvalidInput(str(error)) from None
    return {
        "radius_m": radius_m,
        "devices": len(devices),
        "covered": len(devices) - len(out),
        "covered_share": (len(devices) - len(out)) / len(devices) if devices else None,
        "out_of_coverage": [
            {
                **d.to_dict(),
                "distance_m": round(d.distance_m, 1),
                "signal_dbm": round(d.signal_dbm, 1),
            }
            for d in out
        ],
    }
