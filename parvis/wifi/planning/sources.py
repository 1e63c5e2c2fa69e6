"""Readers for the Paris data Parvis ships and for staff uploads of points.

Shipped files (in `parvis/data/paris/`, Ville de Paris open data, ODbL « Source : Ville de
Paris », see data/README.md):

- `paris_wifi_sites_2026.csv`: the Paris Wi-Fi sites (277 sites, 699 APs);
- `modules-sonores-passages-pietons.geojson`: audio modules on traffic-signal poles (10,432),
  merged into crossings (about 4,960, see `merge_points`);
- `velib-emplacement-des-stations.geojson`: Vélib' stations (1,465, some in the suburbs);
- `sanisettesparis.geojson`: public toilets (615, one-point MultiPoints);
- `fontaines-a-boire.geojson`: drinking fountains (1,210).

Staff uploads (devices, candidates of their own) are CSV or GeoJSON points; every row is
checked and the first bad one is named in a `PlanningError` ("line 12: …", "feature 3: …").
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from parvis.wifi.planning._jit import jit
from parvis.wifi.planning.geo import (
    DATA_DIR,
    PARIS,
    EdgeSet,
    Projection,
    distance_to_edges,
    locate_points,
    pack_edges,
    read_regions,
)
from parvis.wifi.planning.model import (
    F64,
    I64,
    Candidate,
    PlanningError,
    Point,
    Site,
    check_cost,
)

WIFI_SITES = DATA_DIR / "paris_wifi_sites_2026.csv"
CROSSINGS = DATA_DIR / "modules-sonores-passages-pietons.geojson"
VELIB = DATA_DIR / "velib-emplacement-des-stations.geojson"
TOILETS = DATA_DIR / "sanisettesparis.geojson"
FOUNTAINS = DATA_DIR / "fontaines-a-boire.geojson"
ARRONDISSEMENTS = DATA_DIR / "arrondissements.geojson"
QUARTIERS = DATA_DIR / "quartiers_administratifs.geojson"
POPULATION = DATA_DIR / "paris_population_arrondissements_2022.csv"

KINDS = ("crossing", "velib", "toilet", "fountain")
"""The kinds of shipped candidates, in the order `load_candidates` returns them."""

CROSSING_MERGE_M = 15.0
"""Audio modules closer than this to a crossing's first module belong to that crossing."""

PARIS_BBOX = (48.80, 48.92, 2.20, 2.50)
"""(lat min, lat max, lon min, lon max): a quick plausibility box around the city."""


# -- shipped data ----------------------------------------------------------------------------


def read_wifi_sites(path: str | Path = WIFI_SITES) -> tuple[Site, ...]:
    """The Paris Wi-Fi sites of an opendata.paris.fr export (`;`-separated, UTF-8 with or
    without BOM, `geo_point_2d` as "lat, lon"), in file order. A site without a code gets the
    id "line<N>" (its line in the file)."""
    rows = _csv_rows(_read_text(path), Path(path).name)
    header = rows.header
    need = ("Code Site", "Nom du site", "Nombre de bornes", "Etat du site", "geo_point_2d")
    missing = [c for c in need if c not in header]
    if missing:
        raise PlanningError(f"{Path(path).name}: missing columns {', '.join(missing)}")
    sites = []
    seen: set[str] = set()
    for line, record in rows:
        where = f"{Path(path).name}, line {line}"
        # Two sites of the 2026 export (one closed for works, one under study) have no code.
        site_id = record["Code Site"].strip() or f"line{line}"
        if site_id in seen:
            raise PlanningError(f"{where}: site code {site_id} appears twice")
        seen.add(site_id)
        lat, lon = _lat_lon_text(record["geo_point_2d"], where)
        try:
            aps = int(record["Nombre de bornes"].strip() or "0")
        except ValueError:
            raise PlanningError(
                f"{where}: AP count {record['Nombre de bornes']!r} is not a whole number"
            ) from None
        if aps < 0:
            raise PlanningError(f"{where}: negative AP count {aps}")
        sites.append(
            Site(
                id=site_id,
                name=record["Nom du site"].strip(),
                lat=lat,
                lon=lon,
                access_points=aps,
                state=record["Etat du site"].strip(),
                address=record.get("Adresse", "").strip(),
                postcode=record.get("Code postal", "").strip(),
            )
        )
    return tuple(sites)


def read_crossings(
    path: str | Path = CROSSINGS,
    *,
    merge_m: float = CROSSING_MERGE_M,
    cost: float = 1.0,
    projection: Projection = PARIS,
) -> tuple[Candidate, ...]:
    """Signalised crossings: the audio modules of the traffic-signal poles, merged (modules
    within `merge_m` of a crossing's first module are that crossing, see `merge_points`).
    A crossing sits at its first module (a real pole) and is named after its street label;
    its id is "crossing:" + that module's `code_ouvrage`."""
    cost = check_cost(cost, "crossing cost")
    points = _geojson_points(path, id_key="code_ouvrage", name_key="libelle_voie")
    lat = np.array([p.lat for p in points])
    lon = np.array([p.lon for p in points])
    x, y = projection.to_xy(lat, lon)
    leader, size = merge_points(x, y, merge_m)
    out = []
    used: dict[str, int] = {}
    for i, members in zip(leader.tolist(), size.tolist(), strict=True):
        p = points[i]
        key = f"crossing:{p.id}"
        used[key] = used.get(key, 0) + 1
        if used[key] > 1:  # one code_ouvrage appears on two modules far apart
            key = f"{key}#{used[key]}"
        out.append(Candidate(key, "crossing", p.name, p.lat, p.lon, cost, members))
    return tuple(out)


def read_velib_stations(path: str | Path = VELIB, *, cost: float = 1.0) -> tuple[Candidate, ...]:
    """Vélib' stations (id "velib:" + station code), in Paris and the first ring."""
    cost = check_cost(cost, "Vélib' cost")
    points = _geojson_points(path, id_key="stationcode", name_key="name")
    return tuple(Candidate(f"velib:{p.id}", "velib", p.name, p.lat, p.lon, cost) for p in points)


def read_toilets(path: str | Path = TOILETS, *, cost: float = 1.0) -> tuple[Candidate, ...]:
    """Public toilets (sanisettes). The export has no identifier: the id is "toilet:" + the
    feature's 1-based position in the file; the name is the address."""
    cost = check_cost(cost, "toilet cost")
    points = _geojson_points(path, id_key=None, name_key="adresse")
    return tuple(Candidate(f"toilet:{p.id}", "toilet", p.name, p.lat, p.lon, cost) for p in points)


def read_fountains(path: str | Path = FOUNTAINS, *, cost: float = 1.0) -> tuple[Candidate, ...]:
    """Drinking fountains (id "fountain:" + `gid`, named after their street)."""
    cost = check_cost(cost, "fountain cost")
    points = _geojson_points(path, id_key="gid", name_key="voie")
    return tuple(
        Candidate(f"fountain:{p.id}", "fountain", p.name, p.lat, p.lon, cost) for p in points
    )


def load_candidates(
    kinds: Iterable[str] = KINDS,
    *,
    costs: Mapping[str, float] | None = None,
    merge_m: float = CROSSING_MERGE_M,
) -> tuple[Candidate, ...]:
    """The shipped candidates of the given kinds (see `KINDS`), kind by kind in file order;
    `costs` maps a kind to the cost of one site of that kind (1 by default)."""
    costs = dict(costs or {})
    wanted = list(dict.fromkeys(kinds))
    unknown = [k for k in [*wanted, *costs] if k not in KINDS]
    if unknown:
        raise PlanningError(f"unknown candidate kind {unknown[0]!r} (known: {', '.join(KINDS)})")
    out: list[Candidate] = []
    for kind in wanted:
        cost = costs.get(kind, 1.0)
        if kind == "crossing":
            out.extend(read_crossings(merge_m=merge_m, cost=cost))
        elif kind == "velib":
            out.extend(read_velib_stations(cost=cost))
        elif kind == "toilet":
            out.extend(read_toilets(cost=cost))
        else:
            out.extend(read_fountains(cost=cost))
    return tuple(out)


def read_population(path: str | Path = POPULATION) -> dict[str, float]:
    """Population by arrondissement INSEE code ("75101" -> 15568.0)."""
    rows = _csv_rows(_read_text(path), Path(path).name)
    if "c_arinsee" not in rows.header or "population_totale" not in rows.header:
        raise PlanningError(f"{Path(path).name}: needs columns c_arinsee and population_totale")
    out: dict[str, float] = {}
    for line, record in rows:
        try:
            value = float(record["population_totale"])
        except ValueError:
            raise PlanningError(f"{Path(path).name}, line {line}: bad population") from None
        if not math.isfinite(value) or value < 0:
            raise PlanningError(f"{Path(path).name}, line {line}: bad population {value}")
        out[record["c_arinsee"].strip()] = value
    return out


# -- merging nearby points -------------------------------------------------------------------


def merge_points(x: F64, y: F64, radius_m: float) -> tuple[I64, I64]:
    """Greedy "leader" clustering: points are taken in order; a point within `radius_m` of an
    existing cluster's leader joins the nearest such cluster, otherwise it leads a new one.

    Leaders are found through a hash grid of `radius_m` cells (a point's leader can only be in
    its cell or the 8 around it), so the cost is linear. Returns the index of each cluster's
    leader (in order of creation) and each cluster's size. On the 10,432 audio modules with
    15 m this gives 4,958 crossings (the research note found about 4,950 with its own
    deduplication). Unlike single linkage it never chains a whole avenue into one cluster:
    every member is within `radius_m` of its leader."""
    if not (math.isfinite(radius_m) and radius_m > 0):
        raise PlanningError(f"merge distance must be positive, got {radius_m!r}")
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    gx = np.floor((x - x.min()) / radius_m).astype(np.int64)
    gy = np.floor((y - y.min()) / radius_m).astype(np.int64)
    leader, size, n = _leader_cluster(x, y, gx, gy, float(radius_m))
    return leader[:n], size[:n]


@jit
def _leader_cluster(x: F64, y: F64, gx: I64, gy: I64, radius: float) -> tuple[I64, I64, int]:
    n = len(x)
    width = gx.max() + 3
    # Leaders per hash cell as linked lists (head per cell, next per leader).
    keys = (gy + 1) * width + (gx + 1)
    unique_keys = np.unique(keys)
    head = np.full(len(unique_keys), -1, dtype=np.int64)
    nxt = np.full(n, -1, dtype=np.int64)
    leader = np.empty(n, dtype=np.int64)
    size = np.zeros(n, dtype=np.int64)
    n_clusters = 0
    r2 = radius * radius
    for i in range(n):
        best = -1
        best_d2 = r2
        for dy in range(-1, 2):
            for dx in range(-1, 2):
                key = keys[i] + dy * width + dx
                slot = np.searchsorted(unique_keys, key)
                if slot >= len(unique_keys) or unique_keys[slot] != key:
                    continue
                c = head[slot]
                while c >= 0:
                    j = leader[c]
                    d2 = (x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2
                    if d2 <= best_d2:
                        best_d2 = d2
                        best = c
                    c = nxt[c]
        if best >= 0:
            size[best] += 1
        else:
            slot = np.searchsorted(unique_keys, keys[i])
            leader[n_clusters] = i
            size[n_clusters] = 1
            nxt[n_clusters] = head[slot]
            head[slot] = n_clusters
            n_clusters += 1
    return leader, size, n_clusters


# -- staff uploads ---------------------------------------------------------------------------

_LAT = ("lat", "latitude", "y")
_LON = ("lon", "lng", "long", "longitude", "x")
_LATLON = ("geo_point_2d", "geo_point", "latlon", "lat_lon", "coordinates")
_ID = ("id", "identifiant", "code", "ref")
_NAME = ("name", "nom", "label", "libelle")
_WEIGHT = ("weight", "poids", "count", "devices")


def parse_points_csv(
    text: str | bytes,
    *,
    source: str = "upload",
    outside_m: float | None = 0.0,
) -> tuple[Point, ...]:
    """Points from CSV text (`,` `;` or tab separated, header required): coordinates in
    `lat`/`lon` columns (or `latitude`/`longitude`, `lng`…) or in one "lat, lon" column
    (`geo_point_2d`); optional `id`, `name`, `weight`. Points farther than `outside_m` metres
    outside Paris are refused (None: no check)."""
    rows = _csv_rows(_decode(text, source), source)
    columns = {c.strip().lower(): c for c in rows.header}
    lat_col = next((columns[c] for c in _LAT if c in columns), None)
    lon_col = next((columns[c] for c in _LON if c in columns), None)
    both_col = next((columns[c] for c in _LATLON if c in columns), None)
    if (lat_col is None or lon_col is None) and both_col is None:
        raise PlanningError(
            f"{source}: no coordinates: give 'lat' and 'lon' columns or a 'geo_point_2d' column "
            f"(found: {', '.join(rows.header) or 'no header'})"
        )
    id_col = next((columns[c] for c in _ID if c in columns), None)
    name_col = next((columns[c] for c in _NAME if c in columns), None)
    weight_col = next((columns[c] for c in _WEIGHT if c in columns), None)
    points: list[tuple[str, Point]] = []
    for line, record in rows:
        where = f"{source}, line {line}"
        if lat_col is not None and lon_col is not None:
            lat = _coordinate(record[lat_col], "latitude", where)
            lon = _coordinate(record[lon_col], "longitude", where)
        else:
            assert both_col is not None
            lat, lon = _lat_lon_text(record[both_col], where)
        _check_degrees(lat, lon, where)
        point_id = (record[id_col].strip() if id_col else "") or str(len(points) + 1)
        name = record[name_col].strip() if name_col else ""
        weight = _weight(record[weight_col], where) if weight_col else 1.0
        points.append((where, Point(point_id, name, lat, lon, weight)))
    return _checked(points, source, outside_m)


def parse_points_geojson(
    text: str | bytes,
    *,
    source: str = "upload",
    outside_m: float | None = 0.0,
) -> tuple[Point, ...]:
    """Points from a GeoJSON FeatureCollection of Points (or one-point MultiPoints); `id`,
    `name` and `weight` are read from the feature or its properties when present."""
    try:
        data = json.loads(_decode(text, source))
    except json.JSONDecodeError as exc:
        raise PlanningError(f"{source} is not valid JSON: {exc}") from None
    points = [(where, point) for where, point in _points_of(data, source, None, None)]
    return _checked(points, source, outside_m)


def read_points(path: str | Path, *, outside_m: float | None = 0.0) -> tuple[Point, ...]:
    """Points from a `.csv` or `.geojson`/`.json` file (see `parse_points_csv`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanningError(f"cannot read {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return parse_points_geojson(raw, source=path.name, outside_m=outside_m)
    if suffix in (".csv", ".txt", ".tsv"):
        return parse_points_csv(raw, source=path.name, outside_m=outside_m)
    raise PlanningError(f"{path.name}: unknown format (use .csv or .geojson)")


def candidates_from_points(
    points: Sequence[Point], *, kind: str = "upload", cost: float = 1.0
) -> tuple[Candidate, ...]:
    """Uploaded points as candidates of one `kind` (id "kind:point id")."""
    if not kind or ":" in kind:
        raise PlanningError(f"bad candidate kind {kind!r}")
    cost = check_cost(cost, f"{kind} cost")
    ids = [f"{kind}:{p.id}" for p in points]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise PlanningError(f"candidate id {dup} appears twice")
    return tuple(
        Candidate(i, kind, p.name, p.lat, p.lon, cost) for i, p in zip(ids, points, strict=True)
    )


def distance_outside_paris(lat: F64, lon: F64, *, projection: Projection = PARIS) -> F64:
    """For each point, how far outside Paris it is in metres (0 inside any arrondissement)."""
    edges = _city_edges(str(ARRONDISSEMENTS), projection)
    x, y = projection.to_xy(lat, lon)
    inside = locate_points(edges, x, y) >= 0
    out = np.zeros(len(x), dtype=np.float64)
    if (~inside).any():
        out[~inside] = distance_to_edges(edges, x[~inside], y[~inside])
    return out


# -- helpers ---------------------------------------------------------------------------------


class _Rows:
    """A parsed CSV: its header and its records with their physical line numbers."""

    def __init__(self, header: list[str], records: list[tuple[int, dict[str, str]]]) -> None:
        self.header = header
        self.records = records

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.records)


def _read_text(path: str | Path) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PlanningError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PlanningError(f"{Path(path).name} is not UTF-8 text") from None


def _decode(text: str | bytes, source: str) -> str:
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanningError(f"{source} is not UTF-8 text") from None
    return text.removeprefix("\ufeff")


def _csv_rows(text: str, source: str) -> _Rows:
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise PlanningError(f"{source} is empty") from None
    except csv.Error as exc:
        raise PlanningError(f"{source}, line 1: {exc}") from None
    records = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise PlanningError(
                    f"{source}, line {reader.line_num}: {len(row)} fields, "
                    f"the header has {len(header)}"
                )
            records.append((reader.line_num, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        raise PlanningError(f"{source}, line {reader.line_num}: {exc}") from None
    return _Rows(header, records)


def _coordinate(text: str, what: str, where: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise PlanningError(f"{where}: {what} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise PlanningError(f"{where}: {what} {text.strip()!r} is not a finite number")
    return value


def _lat_lon_text(text: str, where: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise PlanningError(f"{where}: position {text.strip()!r} is not 'lat, lon'")
    lat = _coordinate(parts[0], "latitude", where)
    lon = _coordinate(parts[1], "longitude", where)
    _check_degrees(lat, lon, where)
    return lat, lon


def _check_degrees(lat: float, lon: float, where: str) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise PlanningError(f"{where}: ({lat:g}, {lon:g}) is not a (lat, lon) position")


def _weight(text: str, where: str) -> float:
    if not text.strip():
        return 1.0
    value = _coordinate(text, "weight", where)
    if value < 0:
        raise PlanningError(f"{where}: negative weight {value:g}")
    return value


def _geojson_points(path: str | Path, *, id_key: str | None, name_key: str) -> list[Point]:
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanningError(f"{Path(path).name} is not valid JSON: {exc}") from None
    return [p for _, p in _points_of(data, Path(path).name, id_key, name_key)]


def _points_of(
    data: Any, source: str, id_key: str | None, name_key: str | None
) -> Iterable[tuple[str, Point]]:
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise PlanningError(f"{source} is not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise PlanningError(f"{source}: 'features' is not a list")
    for n, feature in enumerate(features, start=1):
        where = f"{source}, feature {n}"
        if not isinstance(feature, Mapping):
            raise PlanningError(f"{where}: not a GeoJSON Feature")
        lat, lon = _point_geometry(feature.get("geometry"), where)
        props = feature.get("properties") or {}
        if not isinstance(props, Mapping):
            raise PlanningError(f"{where}: properties are not an object")
        if id_key is None and name_key is None:  # an upload: look for usual keys
            raw_id = feature.get("id", next((props[k] for k in _ID if k in props), None))
            raw_name = next((props[k] for k in _NAME if k in props), "")
            raw_weight = next((props[k] for k in _WEIGHT if k in props), None)
            weight = 1.0 if raw_weight is None else _weight(str(raw_weight), where)
        else:
            raw_id = props.get(id_key) if id_key else n
            raw_name = props.get(name_key, "") if name_key else ""
            weight = 1.0
        point_id = str(raw_id).strip() if raw_id not in (None, "") else str(n)
        yield where, Point(point_id, str(raw_name or "").strip(), lat, lon, weight)


def _point_geometry(geometry: Any, where: str) -> tuple[float, float]:
    if not isinstance(geometry, Mapping):
        raise PlanningError(f"{where}: no geometry")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "MultiPoint":
        if not isinstance(coords, list) or len(coords) != 1:
            n = len(coords) if isinstance(coords, list) else 0
            raise PlanningError(f"{where}: a MultiPoint must hold exactly one point, not {n}")
        coords = coords[0]
    elif kind != "Point":
        raise PlanningError(f"{where}: geometry type {kind!r} is not a Point")
    if (
        not isinstance(coords, list | tuple)
        or len(coords) < 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])
    ):
        raise PlanningError(f"{where}: coordinates {coords!r} are not [lon, lat] numbers")
    lon, lat = float(coords[0]), float(coords[1])
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise PlanningError(f"{where}: coordinates are not finite")
    _check_degrees(lat, lon, where)
    return lat, lon


def _checked(
    points: list[tuple[str, Point]], source: str, outside_m: float | None
) -> tuple[Point, ...]:
    if not points:
        raise PlanningError(f"{source}: no point")
    ids = [p.id for _, p in points]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for where, p in points:
            if p.id in seen:
                raise PlanningError(f"{where}: id {p.id!r} appears twice")
            seen.add(p.id)
    if outside_m is not None:
        if not (math.isfinite(outside_m) and outside_m >= 0):
            raise PlanningError(f"outside tolerance must be ≥ 0 metres, got {outside_m!r}")
        lat = np.array([p.lat for _, p in points])
        lon = np.array([p.lon for _, p in points])
        away = distance_outside_paris(lat, lon)
        bad = np.flatnonzero(away > outside_m)
        if len(bad):
            where, p = points[int(bad[0])]
            hint = ""
            if PARIS_BBOX[0] <= p.lon <= PARIS_BBOX[1] and PARIS_BBOX[2] <= p.lat <= PARIS_BBOX[3]:
                hint = " (latitude and longitude swapped?)"
            raise PlanningError(
                f"{where}: point ({p.lat:.6f}, {p.lon:.6f}) is outside Paris "
                f"({_km(float(away[bad[0]]))} from the city boundary){hint}"
                + (f"; {len(bad) - 1} more points are outside" if len(bad) > 1 else "")
            )
    return tuple(p for _, p in points)


def _km(metres: float) -> str:
    if metres > 100_000:  # the local projection means nothing that far: just say "far"
        return "more than 100 km"
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


@lru_cache(maxsize=4)
def _city_edges(path: str, projection: Projection) -> EdgeSet:
    return pack_edges(read_regions(path, level="arrondissement"), projection)
