"""The planners on hand-made and random instances: exact against brute force, reductions
against the plain MILP, greedy against exact, bad input and infeasible targets."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from parvis.wifi.planning import (
    PlanningError,
    evaluate,
    maximize_coverage,
    minimize_sites,
    reduce_instance,
    solve_plain_milp,
)
from parvis.wifi.planning.greedy import greedy_max_cover, improve_by_swaps, value_of
from tests.wifi.wifi_helpers import brute_max, brute_min, make_instance, random_instance, value


def small() -> object:
    """Five cells, four candidates, one existing site:

    cell   weight  candidates  existing
    0      10      a           -
    1      8       a, b        -
    2      7       b, c        -
    3      6       c           site
    4      1       d           -
    """
    return make_instance(
        [10, 8, 7, 6, 1],
        [[0], [0, 1], [1, 2], [2], [3]],
        n_candidates=4,
        fixed=[[], [], [], [0], []],
        n_sites=1,
        costs=[3, 1, 1, 1],
    )


def test_hand_made_optima() -> None:
    inst = small()
    # Existing site: cell 3 (6). p = 1: a covers 10 + 8. p = 2: a + b or a + c add 7 more.
    one = maximize_coverage(inst, p=1)  # type: ignore[arg-type]
    assert one.objective == 6 + 18 and one.chosen_ids == ("c0",)
    assert one.status == "optimal" and one.gap == 0
    two = maximize_coverage(inst, p=2)  # type: ignore[arg-type]
    assert two.objective == 6 + 25
    assert two.covered_share == pytest.approx(31 / 32)
    assert two.area_share == pytest.approx(4 / 5)
    # Budget 2 (a costs 3): b + d cover 8 + 7 + 1 (b + c only 8 + 7).
    cheap = maximize_coverage(inst, budget=2)  # type: ignore[arg-type]
    assert cheap.objective == 6 + 16 and sorted(cheap.chosen_ids) == ["c1", "c3"]
    assert cheap.evaluation.cost == 2
    # Backup coverage (θ = 0.5).
    backup = maximize_coverage(inst, p=2, backup_weight=0.5)  # type: ignore[arg-type]
    assert backup.objective == pytest.approx(brute_max(inst, p=2, backup=0.5))  # type: ignore[arg-type]
    # Set covering: 100 % needs a (cell 0), d (cell 4) and b or c (cell 2): 3 sites.
    full = minimize_sites(inst, target=1.0)  # type: ignore[arg-type]
    assert full.objective == 3 and full.status == "optimal"
    assert full.covered_share == 1.0
    assert minimize_sites(inst, target=0.5).objective == 1  # type: ignore[arg-type]
    cost = minimize_sites(inst, target=1.0, by_cost=True)  # type: ignore[arg-type]
    assert cost.objective == 5  # a (3) + d (1) + b or c (1)


@pytest.mark.parametrize("seed", range(12))
def test_exact_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    inst = random_instance(rng, cells=25, candidates=8, sites=2, weight_ties=seed % 3 == 0)
    for p in (1, 2, 4):
        assert maximize_coverage(inst, p=p).objective == pytest.approx(brute_max(inst, p=p))
    budget = 3.0 + seed % 3
    assert maximize_coverage(inst, budget=budget).objective == pytest.approx(
        brute_max(inst, budget=budget)
    )
    theta = 0.3
    assert maximize_coverage(inst, p=3, backup_weight=theta).objective == pytest.approx(
        brute_max(inst, p=3, backup=theta)
    )
    target = 0.8
    expected = brute_min(inst, target)
    plan = minimize_sites(inst, target=target)
    if expected is None:
        assert plan.status == "infeasible"
    else:
        assert plan.objective == expected and plan.status == "optimal"
        assert plan.covered_share >= target - 1e-9
        by_cost = minimize_sites(inst, target=target, by_cost=True)
        assert by_cost.objective == brute_min(inst, target, by_cost=True)


@pytest.mark.parametrize("seed", range(6))
def test_reductions_preserve_the_optimum(seed: int) -> None:
    """The reduced, warm-started MILP and the plain textbook MILP agree on larger random
    instances (too large for brute force), with and without backup coverage."""
    rng = np.random.default_rng(100 + seed)
    inst = random_instance(rng, cells=300, candidates=40, sites=5, density=0.06)
    reduced = reduce_instance(inst)
    s = reduced.sizes
    assert s.rows <= s.cells and s.reduced_candidates <= s.candidates
    assert s.merged_cells > 0  # the helper duplicates some cells
    for p in (3, 10):
        ours = maximize_coverage(inst, p=p)
        plain = solve_plain_milp(inst, p=p)
        assert ours.status == plain.status == "optimal"
        assert ours.objective == pytest.approx(plain.objective, rel=1e-9)
        assert ours.objective == pytest.approx(value(inst, ours.chosen), rel=1e-12)
    ours = maximize_coverage(inst, p=6, backup_weight=0.5)
    plain = solve_plain_milp(inst, p=6, backup_weight=0.5)
    assert ours.objective == pytest.approx(plain.objective, rel=1e-9)
    ours = maximize_coverage(inst, budget=12)
    plain = solve_plain_milp(inst, budget=12)
    assert ours.objective == pytest.approx(plain.objective, rel=1e-9)


def test_reduction_steps_on_a_hand_made_instance() -> None:
    inst = make_instance(
        [5, 4, 3, 2, 1, 9, 0],
        # cell 0 served by a site; cells 1, 2 same candidates; cell 3 only c; cell 4 nobody;
        # cell 5 only a; cell 6 weighs nothing.
        [[0, 1], [1, 2], [1, 2], [2], [], [0], [0, 1]],
        n_candidates=4,
        fixed=[[0], [], [], [], [], [], []],
        n_sites=1,
    )
    r = reduce_instance(inst)
    assert r.constant == 5
    assert r.sizes.constant_cells == 1 and r.sizes.unreachable_cells == 1
    assert r.sizes.merged_cells == 1 and r.sizes.folded_cells == 2
    assert r.n_rows == 1 and r.w1.tolist() == [7.0]
    # Candidate d (3) reaches nothing: dropped; a gains 9 (cell 5), c gains 2 (cell 3).
    assert r.candidates.tolist() == [0, 1, 2]
    assert r.gain.tolist() == [9.0, 0.0, 2.0]
    for p in range(4):
        best = max(
            (value_of(r, np.array(s, dtype=np.int64)), s)
            for s in ([], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2])
            if len(s) <= p
        )[0]
        assert best == brute_max(inst, p=p)


@pytest.mark.parametrize("seed", range(8))
def test_greedy_is_celf_and_never_beats_exact(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    inst = random_instance(rng, cells=120, candidates=30, sites=3, density=0.08)
    reduced = reduce_instance(inst)
    for p in (2, 5, 12):
        lazy = greedy_max_cover(reduced, p=p)
        assert lazy.value == pytest.approx(value(inst, lazy.chosen.tolist()))
        # The plain greedy, re-evaluating every candidate every round, picks the same.
        chosen: list[int] = []
        for _ in range(p):
            gains = [
                (value(inst, [*chosen, j]) - value(inst, chosen), -j)
                for j in range(inst.n_candidates)
                if j not in chosen
            ]
            gain, minus_j = max(gains)
            if gain <= 1e-12:
                break
            chosen.append(-minus_j)
        assert value(inst, chosen) == pytest.approx(lazy.value)
        exact = maximize_coverage(inst, p=p)
        greedy = maximize_coverage(inst, p=p, method="greedy")
        assert greedy.status == "heuristic" and greedy.bound is None
        assert greedy.objective <= exact.objective + 1e-9
        assert greedy.objective >= (1 - 1 / math.e) * exact.objective
        swapped = improve_by_swaps(reduced, lazy.local, p=p)
        assert lazy.value - 1e-9 <= swapped.value <= exact.objective + 1e-9
        assert len(swapped.local) <= p


def test_infeasible_target_says_how_far_one_can_go() -> None:
    inst = small()
    # Cell 4 (weight 1 of 32) only d reaches; drop d: at most 31/32 reachable.
    no_d = make_instance(
        [10, 8, 7, 6, 1],
        [[0], [0, 1], [1, 2], [2], []],
        n_candidates=3,
        fixed=[[], [], [], [0], []],
        n_sites=1,
    )
    plan = minimize_sites(no_d, target=1.0)
    assert plan.status == "infeasible"
    assert plan.message == "infeasible, best reachable share is 96.88%"
    assert plan.best_reachable_share == pytest.approx(31 / 32)
    assert plan.chosen == ()
    summary = plan.summary()
    assert summary["objective"] is None and summary["best_reachable_share"] == pytest.approx(
        31 / 32
    )
    json.dumps(summary, allow_nan=False)
    assert minimize_sites(inst, target=1.0, method="greedy").status == "heuristic"  # type: ignore[arg-type]


def test_targets_already_met_and_trivial_cases() -> None:
    inst = small()
    met = minimize_sites(inst, target=6 / 32)  # type: ignore[arg-type]
    assert met.objective == 0 and met.status == "optimal" and met.chosen == ()
    zero = maximize_coverage(inst, p=0)  # type: ignore[arg-type]
    assert zero.objective == 6 and zero.status == "optimal"
    broke = maximize_coverage(inst, budget=0)  # type: ignore[arg-type]
    assert broke.objective == 6
    every = maximize_coverage(inst, p=4)  # type: ignore[arg-type]
    # "At most p": a fourth site would add nothing, so none is chosen.
    assert every.objective == 32 and len(every.chosen) == 3
    assert solve_plain_milp(inst, p=4).objective == 32  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"p": -1}, "p must be between 0 and the number of candidates"),
        ({"p": 5}, r"p must be between 0 and the number of candidates \(4\), got 5"),
        ({"p": 2.5}, "p must be a whole number"),
        ({"p": True}, "p must be a whole number"),
        ({}, "give either p"),
        ({"p": 1, "budget": 2.0}, "give either p"),
        ({"budget": -1.0}, "budget must be finite and ≥ 0"),
        ({"budget": float("nan")}, "budget must be finite"),
        ({"p": 1, "backup_weight": 1.5}, r"backup weight must be in \[0, 1\]"),
        ({"p": 1, "method": "magic"}, "unknown method 'magic'"),
        ({"p": 1, "time_limit": 0}, "time limit must be a positive"),
        ({"p": 1, "mip_gap": 1.0}, r"MIP gap must be in \[0, 1\)"),
    ],
)
def test_bad_max_cover_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        maximize_coverage(small(), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("target", [0, -0.1, 1.01, float("nan"), "half"])
def test_bad_target(target: object) -> None:
    with pytest.raises(PlanningError, match="target share"):
        minimize_sites(small(), target=target)  # type: ignore[arg-type]


def test_time_limit_gives_a_plan_not_a_hang() -> None:
    rng = np.random.default_rng(7)
    inst = random_instance(rng, cells=3000, candidates=400, sites=10, density=0.01)
    plan = maximize_coverage(inst, p=60, time_limit=0.05)
    assert plan.status in ("optimal", "time_limit", "heuristic")
    assert len(plan.chosen) <= 60
    assert plan.objective == pytest.approx(value(inst, plan.chosen))
    assert plan.greedy_objective is not None and plan.objective >= plan.greedy_objective - 1e-9
    if plan.status == "time_limit":
        assert plan.gap is not None and plan.gap >= 0
    json.dumps(plan.summary(), allow_nan=False)


def test_evaluation_and_summary() -> None:
    inst = small()
    plan = maximize_coverage(inst, p=2)  # type: ignore[arg-type]
    e = evaluate(inst, list(plan.chosen))  # type: ignore[arg-type]
    assert e == plan.evaluation
    assert plan.covered().sum() == e.covered_cells
    summary = plan.summary()
    for key in (
        "covered_share",
        "population_share",
        "area_share",
        "sites_chosen",
        "objective",
        "bound",
        "gap",
        "seconds",
        "status",
    ):
        assert key in summary
    assert json.loads(json.dumps(summary)) == summary
