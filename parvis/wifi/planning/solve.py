"""Extension plans: maximal covering (p sites or a budget) and set covering to a target.

Models (I cells with weight w_i, J candidates with cost c_j, N_i the candidates within the
radius of cell i, e_i the number of existing sites reaching it; existing sites are fixed):

- **Maximal covering** (MCLP, Church & ReVelle 1974):
  max Σ w_i z_i  s.t.  z_i ≤ e_i + Σ_{j∈N_i} y_j,  Σ y_j ≤ p  (or Σ c_j y_j ≤ B),
  y binary, z ∈ [0, 1]. With **backup coverage** (Hogan & ReVelle 1986) a cell reached twice
  is worth θ·w_i more: max Σ w_i z_i + θ w_i u_i  s.t.  z_i + u_i ≤ e_i + Σ y_j (θ ≤ 1).
- **Set covering to a target** (partial covering): min Σ y_j (or Σ c_j y_j) s.t.
  Σ w_i z_i ≥ t · Σ w_i, z_i ≤ e_i + Σ y_j.

`maximize_coverage` reduces the instance (`reduce`: exact), runs the lazy greedy (`greedy`),
and with `method="exact"`: solves the LP relaxation of the reduced MILP; builds a warm start
(local search from the greedy and from the rounded LP, then two small sub-MILPs: RENS and a
neighbourhood search, see `_warm_start`); stops there if the LP bound already proves it
optimal; otherwise hands the reduced MILP and the warm start to HiGHS (presolve off: the
model is already reduced) under what is left of the time limit. A plan always holds a
solution: the warm start if HiGHS finds nothing better in time, with the proven gap.

`minimize_sites` counts sites through maximal covering: ceil of the set-covering LP is a
lower bound, and the smallest p whose exact maximal covering reaches the target is the
optimum (see `_fewest_sites`). With `by_cost` it solves the set-covering MILP directly.

`solve_plain_milp` builds the textbook MILP on the whole instance, without any reduction or
warm start, with HiGHS's defaults (presolve on): the benchmark's peer.

Every reported objective is recomputed on the whole instance from the chosen candidates
(`evaluate`), whatever solver chose them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from parvis.wifi.planning._jit import jit
from parvis.wifi.planning.exact import Milp, MilpResult, solve_lp, solve_milp
from parvis.wifi.planning.greedy import (
    GreedyResult,
    greedy_max_cover,
    greedy_set_cover,
    improve_by_swaps,
    value_of,
)
from parvis.wifi.planning.model import B1, F64, I32, I64, Candidate, PlanningError
from parvis.wifi.planning.problem import Instance
from parvis.wifi.planning.reduce import Reduced, Sizes, reduce_instance

METHODS = ("exact", "greedy")
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_MIP_GAP = 1e-6
"""Relative gap at which a MILP counts as solved: far below one inhabitant out of two
million, so the result is the optimum for any practical purpose (HiGHS's own default is
1e-4, which would stop up to 200 inhabitants short)."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What a set of chosen candidates achieves on the whole instance."""

    covered_weight: float  # weight of the cells reached at least once (existing included)
    backup_weight: float  # weight of the cells reached at least twice
    covered_cells: int
    covered_population: float
    cost: float


@dataclass(frozen=True, eq=False)
class Plan:
    """A solved plan and how it was obtained.

    `model` is "max-cover" (p sites), "max-cover-budget" or "set-cover"; `method` "exact",
    "greedy" or "plain-milp"; `status` "optimal" (proven within `mip_gap`), "time_limit"
    (the best found, with its proven `gap`), "heuristic" (greedy: no bound) or "infeasible"
    (target out of reach: `best_reachable_share` says how far one can go). `chosen` lists
    candidate indices (in the greedy's order of choice, or ascending for a MILP).
    `objective` is the model's objective: covered weight (plus θ × backup weight) for
    maximal covering, number of sites (or cost) for set covering; `bound` the best proven
    bound on it. `greedy_objective` is the plain greedy's objective; `sizes` the problem
    before and after reduction; `milp_size` the MILP handed to HiGHS (rows, columns,
    nonzeros, integers); `timings` the seconds of each step.
    """

    instance: Instance
    model: str
    method: str
    status: str
    message: str
    chosen: tuple[int, ...]
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    evaluation: Evaluation
    parameters: Mapping[str, Any]
    sizes: Sizes
    timings: Mapping[str, float] = field(default_factory=dict)
    greedy_objective: float | None = None
    best_reachable_share: float | None = None
    milp_size: Mapping[str, int] = field(default_factory=dict)

    @property
    def chosen_candidates(self) -> tuple[Candidate, ...]:
        return tuple(self.instance.candidates[j] for j in self.chosen)

    @property
    def chosen_ids(self) -> tuple[str, ...]:
        return tuple(self.instance.candidates[j].id for j in self.chosen)

    @property
    def covered_share(self) -> float:
        """Share of the objective weight (population, plus devices if weighted) covered."""
        total = self.instance.total_weight
        return self.evaluation.covered_weight / total if total else 0.0

    @property
    def area_share(self) -> float:
        n = self.instance.n_cells
        return self.evaluation.covered_cells / n if n else 0.0

    @property
    def population_share(self) -> float:
        total = float(self.instance.population.sum())
        return self.evaluation.covered_population / total if total else 0.0

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    def covered(self) -> B1:
        """Per cell, whether an existing or chosen site reaches it (for maps and reports)."""
        return reach_counts(self.instance, self.chosen) > 0

    def summary(self) -> dict[str, Any]:
        """The one-line summary of the CLI's `--json`: shares, sites chosen, objective,
        bound, gap, seconds."""
        return {
            "model": self.model,
            "method": self.method,
            "status": self.status,
            "message": self.message,
            **{k: v for k, v in self.parameters.items() if v is not None},
            "sites_chosen": len(self.chosen),
            "cost": self.evaluation.cost,
            "covered_share": self.covered_share,
            "population_share": self.population_share,
            "area_share": self.area_share,
            "objective": self.objective if math.isfinite(self.objective) else None,
            "bound": self.bound,
            "gap": self.gap,
            "greedy_objective": self.greedy_objective,
            "best_reachable_share": self.best_reachable_share,
            "seconds": self.seconds,
        }


# -- evaluation ------------------------------------------------------------------------------


def reach_counts(instance: Instance, chosen: Sequence[int]) -> I64:
    """Per cell, how many sites (existing plus chosen candidates) reach it."""
    mask = np.zeros(instance.n_candidates, dtype=np.int64)
    if len(chosen):
        mask[np.asarray(chosen, dtype=np.int64)] = 1
    return _row_sums(instance.cover.ptr, instance.cover.index, mask) + instance.existing


def evaluate(instance: Instance, chosen: Sequence[int]) -> Evaluation:
    """The covered weight, backup weight, cells, population and cost of a choice."""
    reach = reach_counts(instance, chosen)
    once = reach >= 1
    return Evaluation(
        covered_weight=float(instance.weight[once].sum()),
        backup_weight=float(instance.weight[reach >= 2].sum()),
        covered_cells=int(once.sum()),
        covered_population=float(instance.population[once].sum()),
        cost=float(instance.cost[np.asarray(chosen, dtype=np.int64)].sum()) if len(chosen) else 0.0,
    )


# -- public solvers --------------------------------------------------------------------------


def maximize_coverage(
    instance: Instance,
    *,
    p: int | None = None,
    budget: float | None = None,
    method: str = "exact",
    backup_weight: float = 0.0,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = DEFAULT_MIP_GAP,
    threads: int | None = None,
) -> Plan:
    """Choose at most `p` new sites (or sites costing at most `budget`) that cover the most
    weight, the existing sites being fixed. `backup_weight` θ ∈ [0, 1] counts a cell reached
    twice θ times more (0: no backup coverage)."""
    started = time.perf_counter()
    p, budget = _check_p_budget(instance, p, budget)
    method = _check_method(method)
    theta = _check_unit(backup_weight, "backup weight", allow_zero=True)
    time_limit = _check_time_limit(time_limit)
    mip_gap = _check_gap(mip_gap)
    model = "max-cover" if budget is None else "max-cover-budget"
    parameters = {"p": p, "budget": budget, "backup_weight": theta or None}
    timings: dict[str, float] = {}

    t = time.perf_counter()
    reduced = reduce_instance(instance, backup_weight=theta)
    timings["reduce"] = time.perf_counter() - t
    t = time.perf_counter()
    greedy = greedy_max_cover(reduced, p=p, budget=budget)
    timings["greedy"] = time.perf_counter() - t
    greedy_value = _max_objective(evaluate(instance, greedy.chosen.tolist()), theta)

    if method == "greedy" or reduced.n_candidates == 0 or (p == 0 and budget is None):
        return _plan_from(
            instance, model, method, greedy.chosen.tolist(), theta, started, parameters,
            reduced.sizes, timings, greedy_value, status="heuristic" if method == "greedy"
            else "optimal", bound=None if method == "greedy" else greedy_value,
        )  # fmt: skip

    exact = _solve_reduced_max(
        reduced, greedy, p=p, budget=budget, mip_gap=mip_gap,
        deadline=started + time_limit, threads=threads, timings=timings,
    )  # fmt: skip
    return _plan_from_milp(
        instance, model, "exact", exact.result, reduced.candidates[: exact.n_y], exact.warm,
        theta, started, parameters, reduced.sizes, timings, greedy_value, maximize=True,
        milp=exact.milp_size,
    )  # fmt: skip


@dataclass(frozen=True, eq=False)
class _ReducedSolution:
    """The exact solve of a reduced maximal-covering problem: HiGHS's result (or the LP's,
    when the LP bound closes the gap), the warm start, and the best choice with its value
    on the reduced problem (constant included)."""

    result: MilpResult
    warm: GreedyResult
    n_y: int
    local: I64
    value: float
    milp_size: Mapping[str, int]


def _solve_reduced_max(
    reduced: Reduced,
    greedy: GreedyResult,
    *,
    p: int | None,
    budget: float | None,
    mip_gap: float,
    deadline: float,
    threads: int | None,
    timings: dict[str, float],
) -> _ReducedSolution:
    """LP relaxation, warm start (see `_warm_start`), then HiGHS on the reduced MILP with
    its presolve off (the instance is already reduced), unless the LP bound already proves
    the warm start optimal."""
    t = time.perf_counter()
    milp, n_y = _reduced_max_milp(reduced, p=p, budget=budget)
    _add(timings, "build", time.perf_counter() - t)
    lp = solve_lp(milp, time_limit=deadline - time.perf_counter(), threads=threads)
    _add(timings, "lp", lp.seconds)
    warm = _warm_start(
        reduced, milp, greedy, lp, n_y, p=p, budget=budget, deadline=deadline,
        threads=threads, timings=timings,
    )  # fmt: skip
    if lp.bound is not None and _closed(lp.bound, warm.value, mip_gap):
        result = MilpResult("optimal", "LP bound", None, warm.value, lp.bound, 0.0, 0.0, 0)
        return _ReducedSolution(result, warm, n_y, warm.local, warm.value, milp_size(milp))
    start = _reduced_start(reduced, warm, n_y, milp.n_cols)
    result = solve_milp(
        milp,
        time_limit=deadline - time.perf_counter(),
        mip_gap=mip_gap,
        start=start,
        threads=threads,
        presolve=False,
    )
    _add(timings, "solve", result.seconds)
    local, value = warm.local, warm.value
    if result.x is not None:
        mine = np.flatnonzero(result.x[:n_y] > 0.5).astype(np.int64)
        mine_value = value_of(reduced, mine)
        if mine_value > value:
            local, value = mine, mine_value
    return _ReducedSolution(result, warm, n_y, local, value, milp_size(milp))


def _add(timings: dict[str, float], key: str, seconds: float) -> None:
    timings[key] = timings.get(key, 0.0) + seconds


def _warm_start(
    reduced: Reduced,
    milp: Milp,
    greedy: GreedyResult,
    lp: MilpResult,
    n_y: int,
    *,
    p: int | None,
    budget: float | None,
    deadline: float,
    threads: int | None,
    timings: dict[str, float],
) -> GreedyResult:
    """A near-optimal first incumbent for HiGHS, in four steps, each kept if it is better:

    1. local search (swaps) from the greedy choice;
    2. the LP relaxation rounded down (its y at 1), completed greedily, then swaps;
    3. RENS (Berthold 2014): the MILP with every y the LP left integral fixed there, so only
       the fractional ones (about 100 of 6,000 here: the LP is nearly integral) are free;
    4. a neighbourhood search: the MILP with every y fixed at the incumbent's value except
       the fractional ones, those where the incumbent and the LP disagree, and the
       candidates sharing a cell with them.

    HiGHS proves optimality much faster from a good incumbent (on the 25 m Paris instance
    with p = 1,500: about 1 s from the optimum, 7 s from 29 inhabitants short of it, 11 s
    from the greedy): it can prune with reduced costs at once. Steps 3 and 4 are small
    MILPs, each under a fraction of the time left (at most 5 s)."""
    t = time.perf_counter()
    best = improve_by_swaps(reduced, greedy.local, p=p, budget=budget)
    if lp.x is None:
        _add(timings, "swaps", time.perf_counter() - t)
        return best
    y = lp.x[:n_y]
    integral = (y < 1e-6) | (y > 1.0 - 1e-6)
    rounded = np.flatnonzero(y > 1.0 - 1e-6)
    rounded = rounded[np.argsort(-y[rounded], kind="stable")]
    if p is not None:
        rounded = rounded[:p]
    else:
        assert budget is not None
        rounded = rounded[np.cumsum(reduced.cost[rounded]) <= budget * (1 + 1e-12)]
    base = greedy_max_cover(reduced, p=p, budget=budget, start=np.sort(rounded))
    best = max(best, improve_by_swaps(reduced, base.local, p=p, budget=budget), key=_value)
    _add(timings, "swaps", time.perf_counter() - t)

    def sub_milp(free: B1, values: F64, start: F64 | None) -> GreedyResult | None:
        left = deadline - time.perf_counter()
        if left <= 0.5:
            return None
        lower, upper = milp.col_lower.copy(), milp.col_upper.copy()
        lower[:n_y][~free] = values[~free]
        upper[:n_y][~free] = values[~free]
        restricted = replace(milp, col_lower=lower, col_upper=upper)
        result = solve_milp(
            restricted, time_limit=min(left / 8, 5.0), mip_gap=1e-7, start=start, threads=threads
        )
        if result.x is None:
            return None
        local = np.flatnonzero(result.x[:n_y] > 0.5).astype(np.int64)
        return improve_by_swaps(reduced, local, p=p, budget=budget)

    t = time.perf_counter()
    rens = sub_milp(~integral, np.round(y), None)
    if rens is not None:
        best = max(best, rens, key=_value)
    _add(timings, "rens", time.perf_counter() - t)
    t = time.perf_counter()
    incumbent = np.zeros(n_y)
    incumbent[best.local] = 1.0
    differ = ~integral | (np.round(y) != incumbent)
    free = _with_neighbours(differ, reduced)
    near = sub_milp(free, incumbent, _reduced_start(reduced, best, n_y, milp.n_cols))
    if near is not None:
        best = max(best, near, key=_value)
    _add(timings, "neighbourhood", time.perf_counter() - t)
    return best


def _value(result: GreedyResult) -> float:
    return result.value


def _with_neighbours(mask: B1, reduced: Reduced) -> B1:
    """`mask` plus every candidate sharing a row (a merged cell) with one in `mask`."""
    cols = reduced.columns()
    return _spread(mask, cols.ptr, cols.index, reduced.rows.ptr, reduced.rows.index)


def _closed(bound: float, value: float, mip_gap: float) -> bool:
    """Whether `value` is within the gap tolerance of `bound` (HiGHS's rule: relative gap,
    or an absolute gap of 1e-6)."""
    slack = abs(bound - value)
    return slack <= 1e-6 or slack <= mip_gap * max(abs(value), 1e-9)


def minimize_sites(
    instance: Instance,
    *,
    target: float,
    by_cost: bool = False,
    method: str = "exact",
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = DEFAULT_MIP_GAP,
    threads: int | None = None,
) -> Plan:
    """The fewest new sites (the cheapest, with `by_cost`) whose coverage, with the existing
    sites, reaches `target` (a share in (0, 1]) of the total weight. An unreachable target
    gives a plan with status "infeasible" and the best reachable share."""
    started = time.perf_counter()
    target = _check_unit(target, "target share", allow_zero=False)
    method = _check_method(method)
    time_limit = _check_time_limit(time_limit)
    mip_gap = _check_gap(mip_gap)
    parameters = {"target": target, "by_cost": by_cost}
    timings: dict[str, float] = {}
    t = time.perf_counter()
    reduced = reduce_instance(instance)
    timings["reduce"] = time.perf_counter() - t
    total = instance.total_weight
    need = target * total
    # Everything the candidates can reach: all of them chosen.
    reachable = reduced.constant + float(reduced.gain.sum() + reduced.w1.sum())
    tol = 1e-9 * max(total, 1.0)
    if reachable < need - tol:
        share = reachable / total if total else 0.0
        return Plan(
            instance=instance,
            model="set-cover",
            method=method,
            status="infeasible",
            message=f"infeasible, best reachable share is {100 * share:.2f}%",
            chosen=(),
            objective=math.nan,
            bound=None,
            gap=None,
            seconds=time.perf_counter() - started,
            evaluation=evaluate(instance, []),
            parameters=parameters,
            sizes=reduced.sizes,
            timings=timings,
            best_reachable_share=share,
        )
    t = time.perf_counter()
    greedy = greedy_set_cover(reduced, target_weight=need, by_cost=by_cost)
    timings["greedy"] = time.perf_counter() - t
    greedy_value = _min_objective(instance, greedy.chosen.tolist(), by_cost)
    if method == "greedy" or len(greedy.chosen) == 0:
        return _plan_from(
            instance, "set-cover", method, greedy.chosen.tolist(), 0.0, started, parameters,
            reduced.sizes, timings, greedy_value, status="heuristic" if method == "greedy"
            and len(greedy.chosen) else "optimal", bound=None if method == "greedy" and
            len(greedy.chosen) else greedy_value, by_cost=by_cost,
        )  # fmt: skip
    deadline = started + time_limit
    t = time.perf_counter()
    milp, n_y = _reduced_set_milp(reduced, need=need - reduced.constant, by_cost=by_cost)
    _add(timings, "build", time.perf_counter() - t)
    if by_cost:
        start = _reduced_start(reduced, greedy, n_y, milp.n_cols)
        result = solve_milp(
            milp,
            time_limit=deadline - time.perf_counter(),
            mip_gap=mip_gap,
            start=start,
            threads=threads,
            presolve=False,
        )
        _add(timings, "solve", result.seconds)
        return _plan_from_milp(
            instance, "set-cover", "exact", result, reduced.candidates[:n_y], greedy, 0.0,
            started, parameters, reduced.sizes, timings, greedy_value, maximize=False,
            by_cost=True, milp=milp_size(milp),
        )  # fmt: skip
    fewest = _fewest_sites(
        reduced, milp, greedy, need=need, mip_gap=mip_gap, deadline=deadline,
        threads=threads, timings=timings,
    )  # fmt: skip
    return _plan_from_milp(
        instance, "set-cover", "exact", fewest.result, reduced.candidates[:n_y], fewest.warm,
        0.0, started, parameters, reduced.sizes, timings, greedy_value, maximize=False,
        milp=fewest.milp_size,
    )  # fmt: skip


def _fewest_sites(
    reduced: Reduced,
    milp: Milp,
    greedy: GreedyResult,
    *,
    need: float,
    mip_gap: float,
    deadline: float,
    threads: int | None,
    timings: dict[str, float],
) -> _ReducedSolution:
    """The fewest sites reaching `need` (constant included), through maximal covering.

    The set-covering MILP itself is slow to solve (many equivalent solutions, one
    knapsack-like row coupling every cell), but its LP relaxation is tight: ceil(LP) is a
    lower bound on the number of sites. The best coverage with p sites grows with p, so the
    smallest p whose exact maximal covering reaches the target is the optimum: p is searched
    from the LP bound (tried first: it is usually the answer) up to the greedy's count, by
    bisection; a maximal covering proven to fall short at p proves that p − 1 … 0 sites do
    too."""
    lp = solve_lp(milp, time_limit=deadline - time.perf_counter(), threads=threads)
    _add(timings, "lp", lp.seconds)
    lower = 0
    if lp.bound is not None:
        lower = max(0, math.ceil(lp.bound - 1e-6 * max(1.0, abs(lp.bound))))
    best = greedy
    upper = len(greedy.local)
    tol = 1e-9 * max(need, 1.0)
    lo, hi = lower, upper - 1
    proven, first = True, True
    while lo <= hi:
        if deadline - time.perf_counter() <= 0.5:
            proven = False
            break
        p = lo if first else (lo + hi) // 2
        first = False
        g = greedy_max_cover(reduced, p=p)
        solved = _solve_reduced_max(
            reduced, g, p=p, budget=None, mip_gap=mip_gap, deadline=deadline,
            threads=threads, timings=timings,
        )  # fmt: skip
        if solved.value >= need - tol:
            local = solved.local
            best = GreedyResult(reduced.candidates[local], local, solved.value, True)
            upper = len(local)
            hi = upper - 1
        elif solved.result.bound is not None and solved.result.bound < need - tol:
            lo = p + 1  # proven: p sites cannot reach the target, nor can fewer
        else:
            proven = False  # out of time before knowing
            break
    status = "optimal" if proven else "time_limit"
    detail = f"LP bound {lower}, maximal covering up to {upper} sites"
    result = MilpResult(status, detail, None, float(upper), float(lo), None, 0.0, 0)
    return _ReducedSolution(
        result, best, reduced.n_candidates, best.local, best.value, milp_size(milp)
    )


def solve_plain_milp(
    instance: Instance,
    *,
    p: int | None = None,
    budget: float | None = None,
    backup_weight: float = 0.0,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = DEFAULT_MIP_GAP,
    threads: int | None = None,
) -> Plan:
    """The textbook MCLP on the whole instance, handed to HiGHS as is: one binary per
    candidate and per existing site (fixed to 1), one coverage variable and one row per
    cell, Σ y = p over the candidates (or Σ c y ≤ B); no reduction, no warm start. The
    benchmark's peer, and an independent check of `maximize_coverage`."""
    started = time.perf_counter()
    p, budget = _check_p_budget(instance, p, budget)
    theta = _check_unit(backup_weight, "backup weight", allow_zero=True)
    time_limit = _check_time_limit(time_limit)
    mip_gap = _check_gap(mip_gap)
    t = time.perf_counter()
    milp = _plain_max_milp(instance, p=p, budget=budget, backup_weight=theta)
    timings = {"build": time.perf_counter() - t}
    left = time_limit - (time.perf_counter() - started)
    result = solve_milp(milp, time_limit=left, mip_gap=mip_gap, threads=threads)
    timings["solve"] = result.seconds
    sizes = Sizes(  # nothing reduced
        cells=instance.n_cells,
        candidates=instance.n_candidates,
        pairs=instance.cover.nnz,
        rows=instance.n_cells,
        reduced_candidates=instance.n_candidates,
        reduced_pairs=instance.cover.nnz,
        constant_cells=0,
        unreachable_cells=0,
        folded_cells=0,
        merged_cells=0,
    )
    model = "max-cover" if budget is None else "max-cover-budget"
    parameters = {"p": p, "budget": budget, "backup_weight": theta or None}
    columns = np.arange(instance.n_candidates, dtype=np.int64)
    return _plan_from_milp(
        instance, model, "plain-milp", result, columns, None, theta, started, parameters,
        sizes, timings, None, maximize=True, milp=milp_size(milp),
    )  # fmt: skip


# -- MILP construction -----------------------------------------------------------------------


def _reduced_max_milp(reduced: Reduced, *, p: int | None, budget: float | None) -> tuple[Milp, int]:
    """Columns: y (reduced candidates, objective = folded gain), z (one per row, w1), u (one
    per row with w2 > 0). Rows: z + u − Σ y ≤ 0 per row, then Σ y ≤ p or Σ c y ≤ B."""
    n, m = reduced.n_candidates, reduced.n_rows
    has_u = reduced.w2 > 0
    n_u = int(has_u.sum())
    ptr, idx, val = _covering_rows(reduced.rows.ptr, reduced.rows.index, has_u, 0, n, n + m)
    if budget is None:
        assert p is not None
        last, limit = np.ones(n), float(p)
    else:
        last, limit = reduced.cost, float(budget)
    return _assemble(
        maximize=True,
        offset=reduced.constant,
        cost=np.concatenate([reduced.gain, reduced.w1, reduced.w2[has_u]]),
        n_y=n,
        n_cont=m + n_u,
        ptr=ptr,
        idx=idx,
        val=val,
        extra_index=np.arange(n, dtype=np.int32),
        extra_value=last,
        extra_lower=-np.inf,
        extra_upper=limit,
    ), n


def _reduced_set_milp(reduced: Reduced, *, need: float, by_cost: bool) -> tuple[Milp, int]:
    """min Σ c y (or Σ y) s.t. z − Σ y ≤ 0 per row and Σ gain·y + Σ w1·z ≥ need."""
    n, m = reduced.n_candidates, reduced.n_rows
    ptr, idx, val = _covering_rows(
        reduced.rows.ptr, reduced.rows.index, np.zeros(m, dtype=np.bool_), 0, n, n + m
    )
    return _assemble(
        maximize=False,
        offset=0.0,
        cost=np.concatenate([reduced.cost if by_cost else np.ones(n), np.zeros(m)]),
        n_y=n,
        n_cont=m,
        ptr=ptr,
        idx=idx,
        val=val,
        extra_index=np.arange(n + m, dtype=np.int32),
        extra_value=np.concatenate([reduced.gain, reduced.w1]),
        extra_lower=need,
        extra_upper=np.inf,
    ), n


def _plain_max_milp(
    instance: Instance, *, p: int | None, budget: float | None, backup_weight: float
) -> Milp:
    """Columns: y for the candidates, y for the existing sites (bounds [1, 1]), z per cell,
    u per cell with backup. Rows: z (+ u) − Σ y ≤ 0 per cell, then Σ y = p or Σ c y ≤ B."""
    n, s, cells = instance.n_candidates, len(instance.sites), instance.n_cells
    both_ptr, both_idx = _hstack(
        instance.cover.ptr, instance.cover.index, instance.fixed.ptr, instance.fixed.index, n
    )
    has_u = np.full(cells, backup_weight > 0)
    n_u = cells if backup_weight > 0 else 0
    ptr, idx, val = _covering_rows(both_ptr, both_idx, has_u, 0, n + s, n + s + cells)
    w = instance.weight
    cost = np.concatenate([np.zeros(n + s), w, backup_weight * w if n_u else np.zeros(0)])
    if budget is None:
        assert p is not None
        values, lower, upper = np.ones(n), float(p), float(p)
    else:
        values, lower, upper = instance.cost, -np.inf, float(budget)
    milp = _assemble(
        maximize=True,
        offset=0.0,
        cost=cost,
        n_y=n + s,
        n_cont=cells + n_u,
        ptr=ptr,
        idx=idx,
        val=val,
        extra_index=np.arange(n, dtype=np.int32),
        extra_value=values,
        extra_lower=lower,
        extra_upper=upper,
    )
    milp.col_lower[n : n + s] = 1.0  # existing sites are built
    return milp


def _assemble(
    *,
    maximize: bool,
    offset: float,
    cost: F64,
    n_y: int,
    n_cont: int,
    ptr: I64,
    idx: I32,
    val: F64,
    extra_index: I32,
    extra_value: F64,
    extra_lower: float,
    extra_upper: float,
) -> Milp:
    n_cols = n_y + n_cont
    n_rows = len(ptr) - 1
    row_ptr = np.concatenate([ptr, [ptr[-1] + len(extra_index)]]).astype(np.int64)
    return Milp(
        maximize=maximize,
        offset=offset,
        col_cost=np.ascontiguousarray(cost, dtype=np.float64),
        col_lower=np.zeros(n_cols),
        col_upper=np.ones(n_cols),
        integer=np.concatenate([np.ones(n_y, dtype=np.bool_), np.zeros(n_cont, dtype=np.bool_)]),
        row_ptr=row_ptr,
        row_index=np.concatenate([idx, extra_index]).astype(np.int32),
        row_value=np.concatenate([val, extra_value]).astype(np.float64),
        row_lower=np.concatenate([np.full(n_rows, -np.inf), [extra_lower]]),
        row_upper=np.concatenate([np.zeros(n_rows), [extra_upper]]),
    )


def _reduced_start(reduced: Reduced, greedy: GreedyResult, n_y: int, n_cols: int) -> F64:
    """The greedy choice as a full column vector of the reduced MILP: y, then z and u at the
    best values the chosen y allow."""
    position = {int(j): k for k, j in enumerate(reduced.candidates.tolist())}
    y = np.zeros(n_y)
    for j in greedy.chosen.tolist():
        if j in position:
            y[position[j]] = 1.0
    reach = _row_sums(reduced.rows.ptr, reduced.rows.index, y.astype(np.int64))
    z = np.minimum(reach, 1).astype(np.float64)
    has_u = reduced.w2 > 0
    u = np.clip(reach[has_u] - 1, 0, 1).astype(np.float64)
    out: F64 = np.concatenate([y, z, u])
    assert len(out) == n_cols
    return out


# -- plans -----------------------------------------------------------------------------------


def _plan_from(
    instance: Instance,
    model: str,
    method: str,
    chosen: list[int],
    theta: float,
    started: float,
    parameters: Mapping[str, Any],
    sizes: Sizes,
    timings: dict[str, float],
    greedy_value: float | None,
    *,
    status: str,
    bound: float | None,
    by_cost: bool = False,
) -> Plan:
    evaluation = evaluate(instance, chosen)
    if model == "set-cover":
        objective = _min_objective(instance, chosen, by_cost)
    else:
        objective = _max_objective(evaluation, theta)
    gap = 0.0 if bound is not None else None
    message = (
        "greedy solution (lazy evaluation), no optimality bound"
        if status == "heuristic"
        else "optimal (no choice left to make)"
    )
    timings["total"] = time.perf_counter() - started
    return Plan(
        instance=instance,
        model=model,
        method=method,
        status=status,
        message=message,
        chosen=tuple(int(j) for j in chosen),
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=timings["total"],
        evaluation=evaluation,
        parameters=parameters,
        sizes=sizes,
        timings=timings,
        greedy_objective=greedy_value,
    )


def _plan_from_milp(
    instance: Instance,
    model: str,
    method: str,
    result: MilpResult,
    columns: I64,
    greedy: GreedyResult | None,
    theta: float,
    started: float,
    parameters: Mapping[str, Any],
    sizes: Sizes,
    timings: dict[str, float],
    greedy_value: float | None,
    *,
    maximize: bool,
    by_cost: bool = False,
    milp: Mapping[str, int] | None = None,
) -> Plan:
    """A plan from a MILP result: the MILP's choice if it has one, else the greedy's; the
    objective recomputed on the whole instance; the gap from HiGHS's bound."""
    chosen: list[int] | None = None
    if result.x is not None:
        y = result.x[: len(columns)]
        chosen = sorted(columns[y > 0.5].tolist())
    fallback = greedy.chosen.tolist() if greedy is not None else None
    if chosen is None and fallback is None:
        raise PlanningError(f"HiGHS found no solution ({result.detail}) within the time limit")

    def objective_of(choice: list[int]) -> float:
        if maximize:
            return _max_objective(evaluate(instance, choice), theta)
        return _min_objective(instance, choice, by_cost)

    note = ""
    if chosen is None:
        chosen = fallback
        if result.status != "optimal":
            note = "; HiGHS found no solution: the warm start is returned"
    elif fallback is not None:
        mine, theirs = objective_of(chosen), objective_of(fallback)
        if (theirs > mine) if maximize else (theirs < mine):
            chosen, note = fallback, "; the warm start was kept (better than HiGHS's)"
    assert chosen is not None
    objective = objective_of(chosen)
    bound = result.bound
    gap = None
    if bound is not None:
        slack = (bound - objective) if maximize else (objective - bound)
        gap = max(0.0, slack) / max(abs(objective), 1e-9)
    if result.status == "optimal":
        status = "optimal"
        message = "proven optimal" + ("" if result.detail == "Optimal" else f" ({result.detail})")
    elif result.status == "time_limit":
        status = "time_limit"
        message = "time limit reached" + (f", gap {100 * gap:.3f}%" if gap is not None else "")
    else:
        status = "heuristic"
        message = f"HiGHS stopped ({result.detail}); best solution found returned"
    timings["total"] = time.perf_counter() - started
    return Plan(
        instance=instance,
        model=model,
        method=method,
        status=status,
        message=message + note,
        chosen=tuple(int(j) for j in chosen),
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=timings["total"],
        evaluation=evaluate(instance, chosen),
        parameters=parameters,
        sizes=sizes,
        timings=timings,
        greedy_objective=greedy_value,
        milp_size=dict(milp or {}),
    )


def milp_size(milp: Milp) -> dict[str, int]:
    """The size of a MILP as HiGHS receives it."""
    return {
        "rows": milp.n_rows,
        "columns": milp.n_cols,
        "nonzeros": milp.nnz,
        "integers": int(milp.integer.sum()),
    }


def _max_objective(evaluation: Evaluation, theta: float) -> float:
    return evaluation.covered_weight + theta * evaluation.backup_weight


def _min_objective(instance: Instance, chosen: Sequence[int], by_cost: bool) -> float:
    if not by_cost:
        return float(len(chosen))
    return float(instance.cost[np.asarray(chosen, dtype=np.int64)].sum()) if len(chosen) else 0.0


# -- validation ------------------------------------------------------------------------------


def _check_p_budget(
    instance: Instance, p: int | None, budget: float | None
) -> tuple[int | None, float | None]:
    if (p is None) == (budget is None):
        raise PlanningError("give either p (a number of new sites) or a budget, not both")
    if p is not None:
        if isinstance(p, bool) or not isinstance(p, int | np.integer):
            raise PlanningError(f"p must be a whole number of sites, got {p!r}")
        if not 0 <= p <= instance.n_candidates:
            raise PlanningError(
                f"p must be between 0 and the number of candidates ({instance.n_candidates}), "
                f"got {p}"
            )
        return int(p), None
    try:
        value = float(budget)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PlanningError(f"budget is not a number: {budget!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise PlanningError(f"budget must be finite and ≥ 0, got {budget!r}")
    return None, value


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise PlanningError(f"unknown method {method!r} (exact or greedy)")
    return method


def _check_unit(value: float, what: str, *, allow_zero: bool) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanningError(f"{what} is not a number: {value!r}") from None
    low_ok = number >= 0 if allow_zero else number > 0
    if not (math.isfinite(number) and low_ok and number <= 1):
        interval = "[0, 1]" if allow_zero else "(0, 1]"
        raise PlanningError(f"{what} must be in {interval}, got {value!r}")
    return number


def _check_time_limit(value: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanningError(f"time limit is not a number: {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise PlanningError(f"time limit must be a positive number of seconds, got {value!r}")
    return number


def _check_gap(value: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanningError(f"MIP gap is not a number: {value!r}") from None
    if not (math.isfinite(number) and 0 <= number < 1):
        raise PlanningError(f"MIP gap must be in [0, 1), got {value!r}")
    return number


# -- compiled helpers ------------------------------------------------------------------------


@jit
def _row_sums(ptr: I64, idx: I32, values: I64) -> I64:
    out = np.zeros(len(ptr) - 1, dtype=np.int64)
    for r in range(len(ptr) - 1):
        s = 0
        for k in range(ptr[r], ptr[r + 1]):
            s += values[idx[k]]
        out[r] = s
    return out


@jit
def _covering_rows(
    ptr: I64, idx: I32, has_u: B1, y_offset: int, z_offset: int, u_offset: int
) -> tuple[I64, I32, F64]:
    """Rows `z_r (+ u_r) − Σ_{j in row r} y_j`: z_r is column z_offset + r, u columns are
    numbered from u_offset in the order of the rows that have one."""
    n = len(ptr) - 1
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    for r in range(n):
        out_ptr[r + 1] = out_ptr[r] + 1 + (1 if has_u[r] else 0) + (ptr[r + 1] - ptr[r])
    out_idx = np.empty(out_ptr[-1], dtype=np.int32)
    out_val = np.empty(out_ptr[-1], dtype=np.float64)
    u = u_offset
    for r in range(n):
        k = out_ptr[r]
        out_idx[k] = z_offset + r
        out_val[k] = 1.0
        k += 1
        if has_u[r]:
            out_idx[k] = u
            out_val[k] = 1.0
            u += 1
            k += 1
        for e in range(ptr[r], ptr[r + 1]):
            out_idx[k] = y_offset + idx[e]
            out_val[k] = -1.0
            k += 1
    return out_ptr, out_idx, out_val


@jit
def _hstack(a_ptr: I64, a_idx: I32, b_ptr: I64, b_idx: I32, b_offset: int) -> tuple[I64, I32]:
    n = len(a_ptr) - 1
    ptr = np.zeros(n + 1, dtype=np.int64)
    for r in range(n):
        ptr[r + 1] = ptr[r] + (a_ptr[r + 1] - a_ptr[r]) + (b_ptr[r + 1] - b_ptr[r])
    idx = np.empty(ptr[-1], dtype=np.int32)
    for r in range(n):
        k = ptr[r]
        for e in range(a_ptr[r], a_ptr[r + 1]):
            idx[k] = a_idx[e]
            k += 1
        for e in range(b_ptr[r], b_ptr[r + 1]):
            idx[k] = b_offset + b_idx[e]
            k += 1
    return ptr, idx


@jit
def _spread(mask: B1, col_ptr: I64, col_idx: I32, row_ptr: I64, row_idx: I32) -> B1:
    out = mask.copy()
    for j in range(len(mask)):
        if mask[j]:
            for e in range(col_ptr[j], col_ptr[j + 1]):
                r = col_idx[e]
                for f in range(row_ptr[r], row_ptr[r + 1]):
                    out[row_idx[f]] = True
    return out
