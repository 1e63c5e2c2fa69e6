"""Export a plan with its whole instance, and read it back, so anyone can re-check it.

`write_plan(plan, directory)` writes four files:

- `plan.json`: everything in one JSON document (format "parvis-wifi-plan", version 1):
  the model and its parameters, the solution (chosen candidate ids, objective, bound, gap,
  status, covered shares) and the whole instance: per cell its centre, weight and
  population; the candidates (id, kind, name, position, cost); the existing sites; and the
  coverage as two CSR matrices (`cover`: cell -> candidates, `fixed`: cell -> sites);
- `cells.csv`: `cell,lat,lon,weight,population`;
- `candidates.csv`: `column,id,kind,name,lat,lon,cost,fixed,chosen`, the candidates first
  (`fixed` 0), then the existing sites (`kind` "existing", cost 0, `fixed` 1): the
  textbook MILP's columns, existing sites fixed to 1;
- `coverage.csv`: `cell,column`, one line per pair within the radius.

The CSV files alone define the textbook problem (max Σ weight·z, z_cell ≤ Σ y_column over
its pairs, y fixed to 1 where `fixed`, Σ y ≤ p or Σ cost·y ≤ budget), so another solver can
re-solve it; `read_plan` reads either form back into an `Instance`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parvis.wifi.planning.coverage import Coverage
from parvis.wifi.planning.model import Candidate, PlanningError
from parvis.wifi.planning.problem import FixedSite, Instance
from parvis.wifi.planning.solve import Plan

FORMAT = "parvis-wifi-plan"
VERSION = 1
FILES = ("plan.json", "cells.csv", "candidates.csv", "coverage.csv")


@dataclass(frozen=True, eq=False)
class ExportedPlan:
    """A plan read back: its instance, the chosen candidate ids and what the file says
    about the solution (`solution` is the plan's summary; empty when read from the CSVs)."""

    instance: Instance
    model: str
    parameters: Mapping[str, Any]
    chosen_ids: tuple[str, ...]
    solution: Mapping[str, Any]

    @property
    def chosen(self) -> list[int]:
        return self.instance.index_of(self.chosen_ids)


def plan_document(plan: Plan) -> dict[str, Any]:
    """The JSON document of `write_plan` (as Python data)."""
    inst = plan.instance
    return {
        "format": FORMAT,
        "version": VERSION,
        "model": plan.model,
        "parameters": dict(plan.parameters),
        "solution": {
            **plan.summary(),
            "chosen": list(plan.chosen_ids),
            "timings": dict(plan.timings),
            "sizes": plan.sizes.to_dict(),
        },
        "instance": instance_document(inst),
    }


def instance_document(inst: Instance) -> dict[str, Any]:
    """The instance part of the JSON document."""
    return {
        "radius_m": inst.radius_m,
        "cell_m": inst.cell_m,
        "cells": {
            "lat": inst.lat.tolist(),
            "lon": inst.lon.tolist(),
            "weight": inst.weight.tolist(),
            "population": inst.population.tolist(),
        },
        "candidates": [
            {
                "id": c.id,
                "kind": c.kind,
                "name": c.name,
                "lat": c.lat,
                "lon": c.lon,
                "cost": c.cost,
                "members": c.members,
            }
            for c in inst.candidates
        ],
        "sites": [{"id": s.id, "name": s.name, "lat": s.lat, "lon": s.lon} for s in inst.sites],
        "cover": {"ptr": inst.cover.ptr.tolist(), "index": inst.cover.index.tolist()},
        "fixed": {"ptr": inst.fixed.ptr.tolist(), "index": inst.fixed.index.tolist()},
    }


def write_plan(plan: Plan, directory: str | Path) -> list[Path]:
    """Write `plan.json`, `cells.csv`, `candidates.csv` and `coverage.csv` into `directory`
    (created if needed); returns their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    inst = plan.instance
    paths = [out / name for name in FILES]
    paths[0].write_text(
        json.dumps(plan_document(plan), ensure_ascii=False, allow_nan=False),
        encoding="utf-8",
    )
    with paths[1].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cell", "lat", "lon", "weight", "population"])
        for i in range(inst.n_cells):
            w.writerow(
                [i, repr(float(inst.lat[i])), repr(float(inst.lon[i])),
                 repr(float(inst.weight[i])), repr(float(inst.population[i]))]
            )  # fmt: skip
    chosen = set(plan.chosen)
    with paths[2].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["column", "id", "kind", "name", "lat", "lon", "cost", "fixed", "chosen"])
        for j, c in enumerate(inst.candidates):
            w.writerow(
                [j, c.id, c.kind, c.name, repr(c.lat), repr(c.lon), repr(c.cost), 0,
                 int(j in chosen)]
            )  # fmt: skip
        n = inst.n_candidates
        for k, s in enumerate(inst.sites):
            w.writerow([n + k, s.id, "existing", s.name, repr(s.lat), repr(s.lon), 0.0, 1, 1])
    with paths[3].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cell", "column"])
        n = inst.n_candidates
        for i in range(inst.n_cells):
            for j in inst.cover.row(i).tolist():
                w.writerow([i, j])
            for k in inst.fixed.row(i).tolist():
                w.writerow([i, n + k])
    return paths


def read_plan(path: str | Path) -> ExportedPlan:
    """A plan written by `write_plan`: from its `plan.json` (a file, or the directory that
    holds it), or, for a directory without it, from the three CSV files."""
    path = Path(path)
    if path.is_dir():
        if (path / "plan.json").exists():
            path = path / "plan.json"
        else:
            return read_plan_csv(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlanningError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PlanningError(f"{path.name} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlanningError(f"{path.name} is not a {FORMAT} document")
    if data.get("version") != VERSION:
        raise PlanningError(f"{path.name}: unsupported version {data.get('version')!r}")
    try:
        inst = _instance_from(data["instance"])
        solution = data.get("solution") or {}
        chosen = tuple(str(c) for c in solution.get("chosen", ()))
        return ExportedPlan(
            instance=inst,
            model=str(data.get("model", "")),
            parameters=dict(data.get("parameters") or {}),
            chosen_ids=chosen,
            solution=solution,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PlanningError):
            raise
        raise PlanningError(f"{path.name}: malformed instance ({exc!r})") from None


def read_plan_csv(directory: str | Path) -> ExportedPlan:
    """The instance and the chosen candidates from `cells.csv`, `candidates.csv` and
    `coverage.csv` (the `plan.json` is not needed)."""
    d = Path(directory)
    try:
        cells = _csv(d / "cells.csv")
        columns = _csv(d / "candidates.csv")
        pairs = _csv(d / "coverage.csv")
        n_cells = len(cells)
        lat = np.array([float(r["lat"]) for r in cells])
        lon = np.array([float(r["lon"]) for r in cells])
        weight = np.array([float(r["weight"]) for r in cells])
        population = np.array([float(r["population"]) for r in cells])
        if [int(r["cell"]) for r in cells] != list(range(n_cells)):
            raise PlanningError("cells.csv: cells must be numbered 0, 1, 2… in order")
        if [int(r["column"]) for r in columns] != list(range(len(columns))):
            raise PlanningError("candidates.csv: columns must be numbered 0, 1, 2… in order")
        candidates: list[Candidate] = []
        sites: list[FixedSite] = []
        chosen: list[str] = []
        column_of: dict[int, tuple[bool, int]] = {}
        for r in columns:
            if int(r["fixed"]):
                column_of[int(r["column"])] = (True, len(sites))
                sites.append(FixedSite(r["id"], r["name"], float(r["lat"]), float(r["lon"])))
            else:
                column_of[int(r["column"])] = (False, len(candidates))
                candidates.append(
                    Candidate(
                        r["id"], r["kind"], r["name"], float(r["lat"]), float(r["lon"]),
                        float(r["cost"]),
                    )
                )  # fmt: skip
                if int(r["chosen"]):
                    chosen.append(r["id"])
        cand_pairs: list[tuple[int, int]] = []
        site_pairs: list[tuple[int, int]] = []
        for r in pairs:
            cell, column = int(r["cell"]), int(r["column"])
            if not 0 <= cell < n_cells or column not in column_of:
                raise PlanningError(f"coverage.csv: pair ({cell}, {column}) out of range")
            fixed, k = column_of[column]
            (site_pairs if fixed else cand_pairs).append((cell, k))
    except (KeyError, ValueError) as exc:
        if isinstance(exc, PlanningError):
            raise
        raise PlanningError(f"{d}: malformed CSV ({exc!r})") from None
    inst = Instance(
        weight=weight,
        population=population,
        lat=lat,
        lon=lon,
        cover=_csr(cand_pairs, n_cells, len(candidates)),
        fixed=_csr(site_pairs, n_cells, len(sites)),
        candidates=tuple(candidates),
        sites=tuple(sites),
        radius_m=0.0,  # not in the CSV files: the pairs already say who covers whom
        cell_m=0.0,
    )
    return ExportedPlan(inst, "", {}, tuple(chosen), {})


def _instance_from(doc: Mapping[str, Any]) -> Instance:
    cells = doc["cells"]
    candidates = tuple(
        Candidate(
            str(c["id"]), str(c["kind"]), str(c["name"]), float(c["lat"]), float(c["lon"]),
            float(c["cost"]), int(c.get("members", 1)),
        )
        for c in doc["candidates"]
    )  # fmt: skip
    sites = tuple(
        FixedSite(str(s["id"]), str(s["name"]), float(s["lat"]), float(s["lon"]))
        for s in doc["sites"]
    )
    n = len(cells["weight"])
    return Instance(
        weight=np.asarray(cells["weight"], dtype=np.float64),
        population=np.asarray(cells["population"], dtype=np.float64),
        lat=np.asarray(cells["lat"], dtype=np.float64),
        lon=np.asarray(cells["lon"], dtype=np.float64),
        cover=_coverage(doc["cover"], n, len(candidates)),
        fixed=_coverage(doc["fixed"], n, len(sites)),
        candidates=candidates,
        sites=sites,
        radius_m=float(doc["radius_m"]),
        cell_m=float(doc.get("cell_m") or 0.0),
    )


def _coverage(doc: Mapping[str, Any], n_rows: int, n_cols: int) -> Coverage:
    ptr = np.asarray(doc["ptr"], dtype=np.int64)
    index = np.asarray(doc["index"], dtype=np.int32)
    if (
        len(ptr) != n_rows + 1
        or ptr[0] != 0
        or ptr[-1] != len(index)
        or (np.diff(ptr) < 0).any()
        or (len(index) and (index.min() < 0 or index.max() >= n_cols))
    ):
        raise PlanningError("inconsistent coverage matrix")
    return Coverage(ptr, index, n_cols)


def _csr(pairs: Sequence[tuple[int, int]], n_rows: int, n_cols: int) -> Coverage:
    if not pairs:
        return Coverage(np.zeros(n_rows + 1, dtype=np.int64), np.zeros(0, dtype=np.int32), n_cols)
    array = np.unique(np.asarray(pairs, dtype=np.int64), axis=0)  # sorted by cell, then column
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(array[:, 0], minlength=n_rows), out=ptr[1:])
    return Coverage(ptr, array[:, 1].astype(np.int32), n_cols)


def _csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except OSError as exc:
        raise PlanningError(f"cannot read {path}: {exc.strerror or exc}") from None
