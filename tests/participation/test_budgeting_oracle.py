"""Our rules against pabutools (the optional `oracle` extra) on many small random elections.

pabutools is GPL-3.0 and is never imported by Parvis itself: it is only a test oracle. These
tests are skipped when it is not installed (`pip install -e '.[oracle]'`). Elections are kept
small and tie-heavy (equal costs, repeated ballots, ids such as "9" and "10", free projects,
empty ballots) to exercise tie-breaking; pabutools runs with exact fractions (gmpy2).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from parvis.participation.budgeting import Election, count, read_pb
from tests.participation.budgeting_helpers import ASSEN, WIELICZKA, path_of

pabutools = pytest.importorskip(
    "pabutools", reason="pabutools (the optional 'oracle' extra) is not installed"
)
from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    Instance,
    Project,
    parse_pabulib,
)
from pabutools.rules import (  # noqa: E402
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)

RULES = ("greedy", "mes", "mes-cardinality", "mes-greedy", "mes-add1", "phragmen")


def theirs(costs: dict[str, int], budget: int, ballots: list[list[str]], rule: str) -> list[str]:
    projects = {k: Project(k, c) for k, c in costs.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots])
    result: Any
    if rule == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes":
        result = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    elif rule == "mes-cardinality":
        result = method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat)
    elif rule == "mes-greedy":
        result = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat}, {"sat_class": Cost_Sat}],
        )
    elif rule == "mes-add1":
        result = exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": Cost_Sat},
            budget_step=len(ballots),
            exhaustive_stop=False,
        )
    else:
        result = sequential_phragmen(instance, profile)
    return sorted(p.name for p in result)


def ours(costs: dict[str, int], budget: int, ballots: list[list[str]], rule: str) -> list[str]:
    election = Election.build(costs, budget, ballots)
    if rule == "mes-cardinality":
        return sorted(count(election, "mes", utility="cardinality").selected)
    return sorted(count(election, rule).selected)


def tie_heavy(seed: int) -> tuple[dict[str, int], int, list[list[str]]]:
    rng = random.Random(seed)
    m = rng.randint(1, 7)
    costs = {str(rng.choice([i, i + 8, 100 + i])): rng.choice([0, 2, 4, 4, 6, 9]) for i in range(m)}
    budget = rng.choice([0, 2, 4, 6, 8, 12, rng.randint(0, 30)])
    ids = list(costs)
    base = [[p for p in ids if rng.random() < 0.5] for _ in range(3)]
    voters = rng.randint(0, 10)
    ballots = [
        list(rng.choice(base)) if rng.random() < 0.7 else [p for p in ids if rng.random() < 0.3]
        for _ in range(voters)
    ]
    return costs, budget, ballots


def varied(seed: int) -> tuple[dict[str, int], int, list[list[str]]]:
    rng = random.Random(10_000 + seed)
    m = rng.randint(1, 8)
    costs = {f"p{i}": rng.randint(1, 60) for i in range(m)}
    budget = rng.randint(1, sum(costs.values()) + 1)
    ballots = [[p for p in costs if rng.random() < 0.35] for _ in range(rng.randint(1, 25))]
    return costs, budget, ballots


@pytest.mark.parametrize("seed", range(120))
@pytest.mark.parametrize("make", [tie_heavy, varied])
def test_same_outcomes_as_pabutools(seed: int, make: Any) -> None:
    costs, budget, ballots = make(seed)
    for rule in RULES:
        if rule == "mes-add1" and (not ballots or budget == 0):
            continue
        assert ours(costs, budget, ballots, rule) == theirs(costs, budget, ballots, rule), rule


@pytest.mark.parametrize("name", [ASSEN, WIELICZKA])
def test_phragmen_on_real_files(name: str) -> None:
    instance, profile = parse_pabulib(str(path_of(name)))
    expected = sorted(p.name for p in sequential_phragmen(instance, profile.as_multiprofile()))
    assert sorted(count(read_pb(path_of(name)), "phragmen").selected) == expected
