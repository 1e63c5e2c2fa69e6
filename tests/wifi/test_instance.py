"""A plan exports its whole instance; the instance read back from the files alone gives the
same optimum (JSON and CSV), and bad files are refused clearly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from parvis.wifi.planning import (
    PlanningError,
    build_instance,
    evaluate,
    load_candidates,
    maximize_coverage,
    minimize_sites,
    read_plan,
    read_wifi_sites,
    solve_plain_milp,
    write_plan,
)
from tests.wifi.wifi_helpers import paris_grid


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, int]:
    grid = paris_grid(200.0)
    instance = build_instance(
        grid, read_wifi_sites(), load_candidates(("crossing", "velib"), costs={"velib": 2}), 100.0
    )
    plan = maximize_coverage(instance, p=150)
    out = tmp_path_factory.mktemp("plan")
    paths = write_plan(plan, out)
    assert [p.name for p in paths] == ["plan.json", "cells.csv", "candidates.csv", "coverage.csv"]
    return out, plan.objective, instance.n_cells


def test_json_round_trip_re_solves_to_the_same_optimum(plan_dir: tuple[Path, float, int]) -> None:
    out, objective, n_cells = plan_dir
    exported = read_plan(out / "plan.json")
    assert exported.model == "max-cover" and exported.parameters["p"] == 150
    assert exported.instance.n_cells == n_cells
    assert exported.solution["status"] == "optimal"
    # The stored choice reaches the stored objective…
    assert evaluate(exported.instance, exported.chosen).covered_weight == pytest.approx(objective)
    # …and re-solving from the file alone, with both solvers, finds the same optimum.
    again = maximize_coverage(exported.instance, p=150)
    assert again.objective == pytest.approx(objective, rel=1e-9)
    plain = solve_plain_milp(exported.instance, p=150)
    assert plain.objective == pytest.approx(objective, rel=1e-9)


def test_csv_files_alone_define_the_problem(
    plan_dir: tuple[Path, float, int], tmp_path: Path
) -> None:
    out, objective, n_cells = plan_dir
    for name in ("cells.csv", "candidates.csv", "coverage.csv"):
        (tmp_path / name).write_bytes((out / name).read_bytes())
    exported = read_plan(tmp_path)  # no plan.json: read from the CSVs
    assert exported.instance.n_cells == n_cells
    assert len(exported.chosen_ids) == 150
    assert evaluate(exported.instance, exported.chosen).covered_weight == pytest.approx(objective)
    assert maximize_coverage(exported.instance, p=150).objective == pytest.approx(objective)
    with (tmp_path / "candidates.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    existing = [r for r in rows if r["fixed"] == "1"]
    assert len(existing) == 277 and {r["kind"] for r in existing} == {"existing"}
    assert {r["cost"] for r in rows if r["kind"] == "velib"} == {"2.0"}


def test_set_cover_plans_export_too(tmp_path: Path) -> None:
    grid = paris_grid(200.0)
    instance = build_instance(grid, read_wifi_sites(), load_candidates(("velib",)), 100.0)
    plan = minimize_sites(instance, target=0.2)
    write_plan(plan, tmp_path)
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert doc["model"] == "set-cover" and doc["solution"]["sites_chosen"] == len(plan.chosen)
    again = read_plan(tmp_path)
    assert minimize_sites(again.instance, target=0.2).objective == plan.objective
    infeasible = minimize_sites(instance, target=0.99)
    write_plan(infeasible, tmp_path / "infeasible")  # NaN objective written as null
    assert read_plan(tmp_path / "infeasible").solution["objective"] is None


def test_bad_plan_files(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(PlanningError, match="not valid JSON"):
        read_plan(bad)
    bad.write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(PlanningError, match="not a parvis-wifi-plan document"):
        read_plan(bad)
    bad.write_text('{"format": "parvis-wifi-plan", "version": 9}', encoding="utf-8")
    with pytest.raises(PlanningError, match="unsupported version 9"):
        read_plan(bad)
    bad.write_text('{"format": "parvis-wifi-plan", "version": 1, "instance": {}}', encoding="utf-8")
    with pytest.raises(PlanningError, match="malformed instance"):
        read_plan(bad)
    doc = {
        "format": "parvis-wifi-plan",
        "version": 1,
        "instance": {
            "radius_m": 100,
            "cell_m": 50,
            "cells": {"lat": [48.85], "lon": [2.35], "weight": [1.0], "population": [1.0]},
            "candidates": [],
            "sites": [],
            "cover": {"ptr": [0, 1], "index": [3]},
            "fixed": {"ptr": [0, 0], "index": []},
        },
    }
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(PlanningError, match="inconsistent coverage matrix"):
        read_plan(bad)
    with pytest.raises(PlanningError, match="cannot read"):
        read_plan(tmp_path / "nowhere")
