"""Wi-Fi coverage and extension planning: the pure core (no database, no HTTP).

Plain data in, plain data out:

    from parvis.wifi.planning import (
        build_grid, build_instance, load_candidates, maximize_coverage, measure_coverage,
        read_wifi_sites, usable_radius, write_plan,
    )

    sites = read_wifi_sites()                        # the 277 Paris Wi-Fi sites (shipped)
    grid = build_grid(50)                            # 50 m cells, population-weighted
    radius = usable_radius("2.4").radius_m           # 44 m: P.1411 NLoS, 90 % of locations
    measure_coverage(grid, sites, 100).population_share        # 0.078 at 100 m
    instance = build_instance(grid, sites, load_candidates(("crossing", "velib")), 100)
    plan = maximize_coverage(instance, p=500, time_limit=60)   # exact (HiGHS), warm-started
    plan.summary()                                   # shares, sites, objective, bound, gap…
    write_plan(plan, "out/")                         # the whole instance, re-checkable

Modules: `sources` (shipped data and uploads), `propagation` (path loss, link budgets,
radius), `grid` (demand cells), `coverage` (who covers whom, shares, devices left out),
`problem` (the instance), `reduce` (exact reductions), `greedy` (lazy greedy, local
search), `exact` (HiGHS), `solve` (the planners), `instance` (export and import). See
docs/wifi-planning.md for the models, parameters and formulations.
"""

from __future__ import annotations

from parvis.wifi.planning.coverage import (
    AreaShare,
    Coverage,
    CoverageReport,
    DeviceSignal,
    build_coverage,
    cover_cells,
    find_uncovered_devices,
    measure_coverage,
    report_coverage,
)
from parvis.wifi.planning.geo import PARIS, Projection, Region
from parvis.wifi.planning.grid import DemandGrid, build_grid
from parvis.wifi.planning.instance import ExportedPlan, plan_document, read_plan, write_plan
from parvis.wifi.planning.model import (
    OPERATIONAL,
    Candidate,
    PlanningError,
    Point,
    Site,
)
from parvis.wifi.planning.problem import FixedSite, Instance, build_instance
from parvis.wifi.planning.propagation import (
    Band,
    Environment,
    LinkBudget,
    Model,
    Radius,
    free_space_loss_db,
    location_margin_db,
    path_loss_db,
    range_m,
    signal_dbm,
    usable_radius,
)
from parvis.wifi.planning.reduce import Reduced, Sizes, reduce_instance
from parvis.wifi.planning.solve import (
    Evaluation,
    Plan,
    evaluate,
    maximize_coverage,
    minimize_sites,
    reach_counts,
    solve_plain_milp,
)
from parvis.wifi.planning.sources import (
    KINDS,
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

__all__ = [
    "KINDS",
    "OPERATIONAL",
    "PARIS",
    "AreaShare",
    "Band",
    "Candidate",
    "Coverage",
    "CoverageReport",
    "DemandGrid",
    "DeviceSignal",
    "Environment",
    "Evaluation",
    "ExportedPlan",
    "FixedSite",
    "Instance",
    "LinkBudget",
    "Model",
    "Plan",
    "PlanningError",
    "Point",
    "Projection",
    "Radius",
    "Reduced",
    "Region",
    "Site",
    "Sizes",
    "build_coverage",
    "build_grid",
    "build_instance",
    "candidates_from_points",
    "cover_cells",
    "distance_outside_paris",
    "evaluate",
    "find_uncovered_devices",
    "free_space_loss_db",
    "load_candidates",
    "location_margin_db",
    "maximize_coverage",
    "measure_coverage",
    "merge_points",
    "minimize_sites",
    "parse_points_csv",
    "parse_points_geojson",
    "path_loss_db",
    "plan_document",
    "range_m",
    "reach_counts",
    "read_crossings",
    "read_fountains",
    "read_plan",
    "read_points",
    "read_population",
    "read_toilets",
    "read_velib_stations",
    "read_wifi_sites",
    "reduce_instance",
    "report_coverage",
    "signal_dbm",
    "solve_plain_milp",
    "usable_radius",
    "write_plan",
]
