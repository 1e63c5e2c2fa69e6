"""The demand grid over Paris, coverage matrices, covered shares and devices left out."""

from __future__ import annotations

import numpy as np
import pytest

from parvis.wifi.planning import (
    PARIS,
    PlanningError,
    Point,
    build_coverage,
    build_grid,
    cover_cells,
    find_uncovered_devices,
    measure_coverage,
    read_wifi_sites,
    report_coverage,
    signal_dbm,
)
from parvis.wifi.planning.geo import locate_points, pack_edges
from tests.wifi.wifi_helpers import paris_grid

POPULATION = 2_129_257
CITY_KM2 = 105.37  # the union of the 20 arrondissements (research note)


def test_grid_covers_paris_with_its_population() -> None:
    grid = paris_grid(100.0)
    assert grid.n_cells == pytest.approx(CITY_KM2 * 100, rel=0.01)  # one cell per hectare
    assert grid.population.sum() == pytest.approx(POPULATION)
    assert len(grid.arrondissements) == 20 and len(grid.quartiers) == 80
    assert (grid.arrondissement >= 0).all() and (grid.quartier >= 0).all()
    # Quartiers nest in their arrondissements.
    parents = np.array(
        [
            grid.arrondissements.index(next(a for a in grid.arrondissements if a.code == q.parent))
            for q in grid.quartiers
        ]
    )
    assert (parents[grid.quartier] == grid.arrondissement).all()
    # Uniform density inside an arrondissement: the 11e (75111) is the densest.
    density = {
        grid.arrondissements[a].code: grid.population[grid.arrondissement == a][0]
        for a in range(20)
    }
    assert max(density, key=density.__getitem__) == "75111"
    # The lattice maps back to the cells.
    assert (grid.lattice >= 0).sum() == grid.n_cells


def test_cells_are_where_the_polygons_say() -> None:
    # The scan-line fill and the point-in-polygon test agree on every cell centre.
    grid = paris_grid(200.0)
    edges = pack_edges(grid.arrondissements)
    assert (locate_points(edges, grid.x, grid.y) == grid.arrondissement).all()
    # And on lattice positions outside the city.
    rows, cols = np.divmod(np.flatnonzero(grid.lattice < 0), grid.nx)
    x = grid.x_min + (cols + 0.5) * grid.cell_m
    y = grid.y_min + (rows + 0.5) * grid.cell_m
    assert (locate_points(edges, x, y) == -1).all()


def test_grids_of_the_same_size_share_their_cells() -> None:
    # Cell centres sit at odd multiples of half a cell from the projection centre.
    grid = paris_grid(200.0)
    assert np.allclose((grid.x - 100.0) / 200.0, np.round((grid.x - 100.0) / 200.0))
    assert np.allclose((grid.y - 100.0) / 200.0, np.round((grid.y - 100.0) / 200.0))
    lat, lon = PARIS.to_latlon(grid.x, grid.y)
    assert np.allclose(lat, grid.lat) and np.allclose(lon, grid.lon)


@pytest.mark.parametrize("cell", [4.9, 1000.5, float("nan"), "abc", -50])
def test_bad_cell_sizes(cell: object) -> None:
    with pytest.raises(PlanningError, match="cell size"):
        build_grid(cell)  # type: ignore[arg-type]


def test_coarse_grid_keeps_every_arrondissement() -> None:
    grid = paris_grid(1000.0)
    assert set(grid.arrondissement.tolist()) == set(range(20))
    assert grid.population.sum() == pytest.approx(POPULATION)


def test_population_by_quartier_and_missing_population() -> None:
    base = paris_grid(200.0)
    by_quartier = {q.code: 1000.0 for q in base.quartiers}
    grid = build_grid(200.0, population_by_quartier=by_quartier)
    assert grid.population.sum() == pytest.approx(80_000)
    per_quartier = np.bincount(grid.quartier, weights=grid.population)
    assert np.allclose(per_quartier, 1000.0)
    with pytest.raises(
        PlanningError, match=r"no population for arrondissement 75109 \(9ème Ardt\)"
    ):
        build_grid(200.0, population={"75102": 1.0})


def test_devices_weigh_their_cells() -> None:
    devices = [
        Point("a", "", 48.8566, 2.3522, 2.0),
        Point("b", "", 48.8566, 2.3522),
        Point("c", "", 48.87, 2.30),
    ]
    grid = paris_grid(200.0).with_devices(devices)
    assert grid.devices.sum() == 4.0
    cell = grid.cells_of(np.array([48.8566]), np.array([2.3522]))[0]
    assert grid.devices[cell] == 3.0
    weights = grid.weights(device_weight=100.0)
    assert weights.sum() == pytest.approx(POPULATION + 400.0)
    with pytest.raises(PlanningError, match=r"device 'far' .* is outside Paris"):
        grid.with_devices([Point("far", "", 48.70, 2.10)])
    with pytest.raises(PlanningError, match="device weight"):
        grid.weights(device_weight=-1)


def test_coverage_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    cx, cy = rng.uniform(0, 2000, 3000), rng.uniform(0, 1000, 3000)
    px, py = rng.uniform(-100, 2100, 200), rng.uniform(-100, 1100, 200)
    for radius in (30.0, 100.0, 450.0):
        cov = build_coverage(cx, cy, px, py, radius)
        d = np.hypot(cx[:, None] - px[None, :], cy[:, None] - py[None, :])
        for i in range(len(cx)):
            assert cov.row(i).tolist() == np.flatnonzero(d[i] <= radius).tolist()
        t = cov.transpose()
        assert t.nnz == cov.nnz and t.n_rows == 200 and t.n_cols == 3000
        for j in range(200):
            assert t.row(j).tolist() == np.flatnonzero(d[:, j] <= radius).tolist()
    empty = build_coverage(cx, cy, np.zeros(0), np.zeros(0), 100.0)
    assert empty.nnz == 0 and empty.n_rows == 3000


@pytest.mark.parametrize("radius", [0, -5, 2000.1, float("inf"), "far"])
def test_bad_radius(radius: object) -> None:
    with pytest.raises(PlanningError, match="radius"):
        build_coverage(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1), radius)  # type: ignore[arg-type]


def test_current_network_coverage_reproduces_the_note() -> None:
    """The note: 277 sites cover 7.9 % of the population-weighted area at 100 m and 16.4 %
    at 150 m. On our 100 m grid (cell centres in the arrondissements, population spread
    evenly over each arrondissement's cells) we get 7.85 % and 16.42 %; the operational
    sites alone (271) give 7.73 %. The small differences with the note come from where the
    grid's cells fall (ours are aligned on multiples of the cell size from Notre-Dame)."""
    grid = paris_grid(100.0)
    sites = read_wifi_sites()
    at_100 = measure_coverage(grid, sites, 100.0)
    assert at_100.population_share == pytest.approx(0.0785, abs=0.0015)
    assert at_100.area_share == pytest.approx(0.069, abs=0.002)
    at_150 = measure_coverage(grid, sites, 150.0)
    assert at_150.population_share == pytest.approx(0.164, abs=0.002)
    working = measure_coverage(grid, [s for s in sites if s.operational], 100.0)
    assert working.population_share < at_100.population_share
    # Arrondissements and quartiers add up to the city.
    assert sum(a.covered_population for a in at_100.by_arrondissement) == pytest.approx(
        at_100.city.covered_population
    )
    assert sum(q.covered_cells for q in at_100.by_quartier) == at_100.city.covered_cells
    fourth = next(a for a in at_100.by_arrondissement if a.code == "75104")
    assert fourth.population_share > at_100.population_share  # 25 sites in the 4e
    assert at_100.device_share is None
    assert at_100.to_dict()["city"]["cells"] == grid.n_cells


def test_report_flags_must_match_the_grid() -> None:
    grid = paris_grid(200.0)
    with pytest.raises(PlanningError, match="one covered flag per grid cell"):
        report_coverage(grid, np.zeros(3, dtype=bool), radius_m=100, sites=0)
    devices = [Point("d", "", 48.8566, 2.3522)]
    with_devices = grid.with_devices(devices)
    # A device counts as covered when its cell's centre is (at most 141 m away here).
    covered = cover_cells(with_devices, devices, 150.0).counts > 0
    report = report_coverage(with_devices, covered, radius_m=150, sites=1)
    assert report.device_share == 1.0


def test_uncovered_devices_with_their_signal() -> None:
    sites = read_wifi_sites()
    devices = [
        Point("near", "at a site", sites[0].lat, sites[0].lon),
        Point("far", "Bois de Vincennes", 48.8330, 2.4330),
        Point("mid", "", 48.8400, 2.3000),
    ]
    out = find_uncovered_devices(devices, sites, 100.0)
    assert [d.device for d in out] == ["far", "mid"]
    lat = np.array([s.lat for s in sites])
    lon = np.array([s.lon for s in sites])
    for d in out:
        x, y = PARIS.to_xy(lat, lon)
        dx, dy = PARIS.to_xy(np.array([d.lat]), np.array([d.lon]))
        dist = np.hypot(x - dx[0], y - dy[0])
        assert d.distance_m == pytest.approx(dist.min())
        assert sites[int(np.argmin(dist))].id == d.nearest_site
        assert d.distance_m > 100.0
        assert d.signal_dbm == pytest.approx(signal_dbm(d.distance_m, "2.4"))
        assert d.signal_dbm < -75.0
    assert find_uncovered_devices([], sites, 100.0) == ()
    with pytest.raises(PlanningError, match="no site"):
        find_uncovered_devices(devices, [], 100.0)
