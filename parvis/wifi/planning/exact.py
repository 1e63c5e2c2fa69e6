"""A mixed-integer program in flat arrays, and its solution by HiGHS (`highspy`).

The model is passed in one call (row-wise sparse matrix), a warm-start solution can be
given, and the solve is bounded by a time limit; the result carries HiGHS's status, the best
solution found, its objective, the proven bound and the relative gap between them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

# `_Highs` is the binding itself; `highspy.Highs` wraps it with Python callbacks and prints a
# banner on standard output, which would break the one-line `--json` output of the CLI.
from highspy._core import _Highs

from parvis.wifi.planning.model import B1, F64, I32, I64, PlanningError


@dataclass(frozen=True, eq=False)
class Milp:
    """max/min `col_cost · x + offset` subject to `row_lower ≤ A x ≤ row_upper` and
    `col_lower ≤ x ≤ col_upper`, `x[integer]` integral. A is row-wise: row r has the
    entries `row_value[row_ptr[r]:row_ptr[r+1]]` in columns `row_index[…]`."""

    maximize: bool
    offset: float
    col_cost: F64
    col_lower: F64
    col_upper: F64
    integer: B1
    row_ptr: I64
    row_index: I32
    row_value: F64
    row_lower: F64
    row_upper: F64

    @property
    def n_cols(self) -> int:
        return len(self.col_cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    @property
    def nnz(self) -> int:
        return len(self.row_index)


@dataclass(frozen=True, eq=False)
class MilpResult:
    """`status`: "optimal" (gap within the tolerance), "time_limit" (stopped; `x` is the best
    solution found, if any), "infeasible", or "error" (`detail` says what HiGHS reported).
    `objective` and `bound` include the offset; `gap` = |bound − objective| / |objective|."""

    status: str
    detail: str
    x: F64 | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    nodes: int


def solve_milp(
    milp: Milp,
    *,
    time_limit: float,
    mip_gap: float,
    start: F64 | None = None,
    threads: int | None = None,
    presolve: bool = True,
) -> MilpResult:
    """Solve `milp` with HiGHS within `time_limit` seconds, stopping at a relative gap of
    `mip_gap`; `start` (a full column vector) is offered as the first incumbent. HiGHS's
    presolve can be turned off for models that are already reduced (it costs time there
    and, on the Paris instances, makes the root node slower)."""
    began = time.perf_counter()
    h = _load(milp, time_limit=time_limit, threads=threads, integral=True)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if not presolve:
        h.setOptionValue("presolve", "off")
    # HiGHS also stops at an absolute gap (1e-6 by default); with weights in inhabitants that
    # is already far below one person, so it is left as is.
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = np.ascontiguousarray(start, dtype=np.float64)
        h.setSolution(solution)
    h.run()
    model_status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.perf_counter() - began
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    gap = None
    if objective is not None and bound is not None:
        gap = abs(bound - objective) / max(abs(objective), 1e-9)
    name = h.modelStatusToString(model_status)
    return MilpResult(
        _kind(model_status), name, x, objective, bound, gap, seconds, int(info.mip_node_count)
    )


def solve_lp(milp: Milp, *, time_limit: float, threads: int | None = None) -> MilpResult:
    """The linear relaxation of `milp` (integrality dropped): its optimum is a bound on the
    MILP's (`bound` = `objective`), and its solution guides a rounding heuristic."""
    began = time.perf_counter()
    h = _load(milp, time_limit=time_limit, threads=threads, integral=False)
    h.run()
    model_status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.perf_counter() - began
    if model_status != highspy.HighsModelStatus.kOptimal:
        name = h.modelStatusToString(model_status)
        return MilpResult(_kind(model_status), name, None, None, None, None, seconds, 0)
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    value = float(info.objective_function_value)
    return MilpResult("optimal", "Optimal", x, value, value, 0.0, seconds, 0)


def _load(milp: Milp, *, time_limit: float, threads: int | None, integral: bool) -> _Highs:
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    integrality = milp.integer if integral else np.zeros(milp.n_cols, dtype=np.bool_)
    status = h.passModel(
        milp.n_cols,
        milp.n_rows,
        milp.nnz,
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize if milp.maximize else highspy.ObjSense.kMinimize),
        float(milp.offset),
        np.ascontiguousarray(milp.col_cost, dtype=np.float64),
        np.ascontiguousarray(milp.col_lower, dtype=np.float64),
        np.ascontiguousarray(milp.col_upper, dtype=np.float64),
        np.ascontiguousarray(milp.row_lower, dtype=np.float64),
        np.ascontiguousarray(milp.row_upper, dtype=np.float64),
        np.ascontiguousarray(milp.row_ptr[:-1], dtype=np.int32),
        np.ascontiguousarray(milp.row_index, dtype=np.int32),
        np.ascontiguousarray(milp.row_value, dtype=np.float64),
        np.ascontiguousarray(integrality, dtype=np.int32),
    )
    if status != highspy.HighsStatus.kOk:
        raise PlanningError(f"HiGHS refused the model ({status.name})")
    return h


def _kind(model_status: highspy.HighsModelStatus) -> str:
    if model_status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if model_status == highspy.HighsModelStatus.kTimeLimit:
        return "time_limit"
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    return "error"
