"""Readers of the shipped Paris data and of staff uploads, with row-level errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from parvis.wifi.planning import (
    KINDS,
    PlanningError,
    candidates_from_points,
    distance_outside_paris,
    load_candidates,
    merge_points,
    parse_points_csv,
    parse_points_geojson,
    read_crossings,
    read_fountains,
    read_points,
    read_population,
    read_toilets,
    read_velib_stations,
    read_wifi_sites,
)
from parvis.wifi.planning.sources import CROSSINGS, DATA_DIR, WIFI_SITES

IDLESS = ["line47", "line277"]  # the two sites the export gives no code
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "paris"


def test_wifi_sites() -> None:
    sites = read_wifi_sites()
    assert len(sites) == 277
    assert sum(s.access_points for s in sites) == 699
    assert sum(s.operational for s in sites) == 271
    assert len({s.id for s in sites}) == 277
    first = sites[0]
    assert (first.id, first.name, first.access_points) == (
        "PW0158",
        "BERGES RIVE DROITE - PONT AU CHANGE",
        1,
    )
    assert first.lat == pytest.approx(48.85751278386862)
    assert first.lon == pytest.approx(2.346563042652778)
    # Two sites have no code in the export: they are named after their line.
    assert [s.id for s in sites if s.id.startswith("line")] == IDLESS
    # Three sites are outside Paris (postcodes 92100, 93120, 94380).
    away = distance_outside_paris(
        np.array([s.lat for s in sites]), np.array([s.lon for s in sites])
    )
    assert int((away > 0).sum()) == 3


def test_shipped_candidates() -> None:
    crossings = read_crossings()
    assert len(crossings) == 4958  # 10,432 audio modules merged within 15 m
    assert sum(c.members for c in crossings) == 10432
    assert len({c.id for c in crossings}) == len(crossings)
    assert crossings[0].id == "crossing:S75488"
    assert len(read_velib_stations()) == 1465
    toilets = read_toilets()
    assert len(toilets) == 615 and toilets[0].id == "toilet:1"
    assert len(read_fountains()) == 1210
    everything = load_candidates()
    assert len(everything) == 4958 + 1465 + 615 + 1210
    assert [c.kind for c in everything][:1] == ["crossing"]
    assert {c.kind for c in everything} == set(KINDS)
    priced = load_candidates(("velib",), costs={"velib": 2.5})
    assert {c.cost for c in priced} == {2.5}
    with pytest.raises(PlanningError, match="unknown candidate kind 'lamp'"):
        load_candidates(("lamp",))
    with pytest.raises(PlanningError, match="must be positive"):
        load_candidates(("velib",), costs={"velib": 0})


def test_population() -> None:
    population = read_population()
    assert len(population) == 20
    assert sum(population.values()) == 2_129_257


@pytest.mark.skipif(not SHARED.exists(), reason="the shared data folder is not here")
@pytest.mark.parametrize(
    "name",
    [
        "paris_wifi_sites_2026.csv",
        "modules-sonores-passages-pietons.geojson",
        "velib-emplacement-des-stations.geojson",
        "sanisettesparis.geojson",
        "fontaines-a-boire.geojson",
    ],
)
def test_shipped_files_are_byte_copies(name: str) -> None:
    ours = hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest()
    theirs = hashlib.sha256((SHARED / name).read_bytes()).hexdigest()
    assert ours == theirs


def test_merge_points_leader_clustering() -> None:
    # Three modules of one crossing (within 15 m of the first), one 40 m away, and a chain
    # at 10 m steps that single linkage would merge into one cluster.
    x = np.array([0.0, 10.0, 0.0, 40.0, 100.0, 110.0, 120.0, 130.0])
    y = np.array([0.0, 0.0, 14.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    leader, size = merge_points(x, y, 15.0)
    assert leader.tolist() == [0, 3, 4, 6]
    assert size.tolist() == [3, 1, 2, 2]
    with pytest.raises(PlanningError, match="merge distance"):
        merge_points(x, y, 0.0)
    empty = merge_points(np.zeros(0), np.zeros(0), 15.0)
    assert len(empty[0]) == 0


def test_crossings_merge_distance_is_a_parameter(tmp_path: Path) -> None:
    data = json.loads(CROSSINGS.read_text(encoding="utf-8"))
    data["features"] = data["features"][:200]
    small = tmp_path / "modules.geojson"
    small.write_text(json.dumps(data), encoding="utf-8")
    assert len(read_crossings(small, merge_m=1e-6)) <= 200
    assert len(read_crossings(small, merge_m=500)) < len(read_crossings(small, merge_m=15))


def test_upload_csv_variants() -> None:
    semicolon = parse_points_csv("id;name;lat;lon;weight\nd1;Kiosk;48.85;2.35;2\nd2;;48.86;2,36;\n")
    assert [(p.id, p.name, p.lat, p.lon, p.weight) for p in semicolon] == [
        ("d1", "Kiosk", 48.85, 2.35, 2.0),
        ("d2", "", 48.86, 2.36, 1.0),
    ]
    comma = parse_points_csv(b"\xef\xbb\xbfLatitude,Longitude\n48.85,2.35\n48.86,2.36\n")
    assert [p.id for p in comma] == ["1", "2"]
    ods = parse_points_csv('nom;geo_point_2d\nA;"48.85, 2.35"\n')
    assert (ods[0].name, ods[0].lat, ods[0].lon) == ("A", 48.85, 2.35)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("id;name\na;b\n", "no coordinates"),
        ("lat;lon\n48.85;2.35\nabc;2.35\n", r"upload, line 3: latitude 'abc' is not a number"),
        ("lat;lon\n48.85;2.35\n48.85\n", r"line 3: 1 fields, the header has 2"),
        ("lat;lon\n48.85;nan\n", r"line 2: longitude 'nan' is not a finite number"),
        ("lat;lon\n95;2.35\n", r"line 2: \(95, 2.35\) is not a \(lat, lon\) position"),
        (
            "lat;lon\n48.70;2.10\n",
            r"line 2: point \(48.700000, 2.100000\) is outside Paris \(18.8 km",
        ),
        ("lat;lon\n2.35;48.85\n", "swapped"),
        ("id;lat;lon\na;48.85;2.35\na;48.86;2.35\n", r"line 3: id 'a' appears twice"),
        ("lat;lon;weight\n48.85;2.35;-1\n", "negative weight"),
        ("geo_point_2d\n48.85 2.35\n", "is not 'lat, lon'"),
        ("lat;lon\n", "no point"),
    ],
)
def test_upload_csv_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        parse_points_csv(text)


def test_outside_tolerance() -> None:
    just_out = "lat;lon\n48.8155;2.3430\n"  # a few tens of metres south of the boundary
    with pytest.raises(PlanningError, match="outside Paris"):
        parse_points_csv(just_out)
    assert len(parse_points_csv(just_out, outside_m=500)) == 1
    assert len(parse_points_csv("lat;lon\n48.7;2.1\n", outside_m=None)) == 1


def _fc(*features: object) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _point(lon: float, lat: float, **props: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def test_upload_geojson() -> None:
    points = parse_points_geojson(
        _fc(
            _point(2.35, 48.85, id="s1", name="Sensor", weight=3),
            {
                "type": "Feature",
                "geometry": {"type": "MultiPoint", "coordinates": [[2.36, 48.86]]},
                "properties": None,
            },
        )
    )
    assert [(p.id, p.name, p.weight) for p in points] == [("s1", "Sensor", 3.0), ("2", "", 1.0)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (
            _fc(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[2.35, 48.85], [2.36, 48.86]],
                    },
                }
            ),
            r"feature 1: geometry type 'LineString' is not a Point",
        ),
        (_fc(_point(2.35, 48.85), {"type": "Feature", "geometry": None}), "feature 2: no geometry"),
        (
            _fc(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "MultiPoint",
                        "coordinates": [[2.35, 48.85], [2.36, 48.86]],
                    },
                }
            ),
            "exactly one point, not 2",
        ),
        (
            _fc({"type": "Feature", "geometry": {"type": "Point", "coordinates": ["2.35", 48.85]}}),
            "are not \\[lon, lat\\] numbers",
        ),
        (_fc(_point(2.1, 48.7)), "feature 1: point .* is outside Paris"),
        (_fc(), "no point"),
    ],
)
def test_upload_geojson_errors_name_the_feature(text: str, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        parse_points_geojson(text)


def test_read_points_by_extension(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("lat,lon\n48.85,2.35\n", encoding="utf-8")
    (tmp_path / "d.geojson").write_text(_fc(_point(2.35, 48.85)), encoding="utf-8")
    (tmp_path / "d.xlsx").write_bytes(b"PK")
    assert len(read_points(tmp_path / "d.csv")) == 1
    assert len(read_points(tmp_path / "d.geojson")) == 1
    with pytest.raises(PlanningError, match="unknown format"):
        read_points(tmp_path / "d.xlsx")
    with pytest.raises(PlanningError, match="cannot read"):
        read_points(tmp_path / "missing.csv")
    with pytest.raises(PlanningError, match="not UTF-8"):
        parse_points_csv(b"lat,lon\n\xff\n")


def test_candidates_from_points() -> None:
    points = parse_points_csv("id;lat;lon\nlamp1;48.85;2.35\nlamp2;48.86;2.35\n")
    candidates = candidates_from_points(points, kind="lamp", cost=0.5)
    assert [c.id for c in candidates] == ["lamp:lamp1", "lamp:lamp2"]
    assert {c.cost for c in candidates} == {0.5}
    with pytest.raises(PlanningError, match="bad candidate kind"):
        candidates_from_points(points, kind="a:b")
    with pytest.raises(PlanningError, match="must be positive"):
        candidates_from_points(points, kind="lamp", cost=-1)


def test_bad_site_file(tmp_path: Path) -> None:
    header = WIFI_SITES.read_text(encoding="utf-8-sig").splitlines()[0]
    bad = tmp_path / "sites.csv"
    bad.write_text(
        header + "\nX;addr;75001;PW1;two;Opérationnel;{};48.85, 2.35\n", encoding="utf-8"
    )
    with pytest.raises(PlanningError, match=r"sites\.csv, line 2: AP count 'two'"):
        read_wifi_sites(bad)
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(PlanningError, match="missing columns"):
        read_wifi_sites(bad)
