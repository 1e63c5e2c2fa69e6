"""Sequential Phragmén for participatory budgeting (approval ballots), exact.

Voters earn virtual money at the same rate, starting from 0. As soon as the supporters of a
project hold its cost between them, it is bought and they spend everything they had: their
"load" becomes `(sum of their loads + cost) / number of supporters`. In each round the project
that can be bought earliest (lowest new load) is taken, ties by the tie-breaking order. The
rule stops when the next project (or any project tied with it) does not fit in the budget
left; projects that cost more than the whole budget are never considered; a project nobody
supports has an infinite load. This is pabutools' `sequential_phragmen`, including its stop.

Exactness: loads are integers over one common denominator (rescaled when a new load needs it)
and new loads are compared by their correctly rounded floats, then exactly when the floats
are equal, as in `rules.mes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import gcd
from operator import mul
from typing import Any

import numpy as np

from parvis.participation.budgeting.explain import ProjectExplanation, Status, money
from parvis.participation.budgeting.model import Election
from parvis.participation.budgeting.rules.base import (
    TIE_OPTION,
    Progress,
    RuleResult,
    int_money,
    tie_order,
)

PHRAGMEN_OPTIONS = (TIE_OPTION,)

_INF = float("inf")


def sequential_phragmen(
    election: Election, options: Mapping[str, Any], progress: Progress | None
) -> RuleResult:
    money_ = int_money(election)
    rank = tie_order(election, options["tie_breaking"])
    view = election.approval_view
    m = len(election.projects)
    costs = money_.costs
    budget = money_.budget
    weight = view.weight.astype(np.float64)
    supp = [view.supporters(p) for p in range(m)]
    supp_w = [weight[s] for s in supp]
    approvals = [int(a) for a in view.approvals]
    scores = election.scores

    denom = 1
    loads: list[int] = [0]  # class loads over denom; class 0: load 0
    cls = np.zeros(view.n_ballots, dtype=np.int64)
    remaining = [p for p in range(m) if costs[p] <= budget]
    selected: list[int] = []
    rounds: dict[int, tuple[int, Fraction]] = {}
    spent = 0
    stop: tuple[int, list[int], Fraction | None] | None = None
    round_no = 0
    while remaining:
        best: list[int] = []
        best_key: tuple[float, int, int] | None = None  # (float, num, den)
        for p in remaining:
            if approvals[p] == 0:
                key = (_INF, 1, 0)
            else:
                cnt = np.bincount(cls[supp[p]], weights=supp_w[p], minlength=len(loads))
                nz = np.flatnonzero(cnt)
                weights = cnt[nz].astype(np.int64).tolist()
                total = sum(map(mul, [loads[j] for j in nz.tolist()], weights))
                num = total + costs[p] * denom
                den = approvals[p] * denom
                key = (num / den, num, den)
            if best_key is None:
                best, best_key = [p], key
                continue
            order = _compare(key, best_key)
            if order < 0:
                best, best_key = [p], key
            elif order == 0:
                best.append(p)
        assert best_key is not None
        best.sort(key=lambda p: rank[p])
        if any(spent + costs[p] > budget for p in best):
            load = None if best_key[2] == 0 else Fraction(best_key[1], best_key[2])
            stop = (round_no + 1, best, load)
            break
        s = best[0]
        round_no += 1
        spent += costs[s]
        selected.append(s)
        remaining.remove(s)
        if approvals[s] == 0:
            rounds[s] = (round_no, Fraction(-1))
            continue
        new_load = Fraction(best_key[1], best_key[2])
        rounds[s] = (round_no, new_load)
        # Represent the new load over the common denominator.
        factor = new_load.denominator // gcd(new_load.denominator, denom)
        if factor > 1:
            denom *= factor
            loads = [x * factor for x in loads]
        load_num = new_load.numerator * (denom // new_load.denominator)
        loads.append(load_num)
        cls[supp[s]] = len(loads) - 1
        if progress is not None:
            progress(f"Phragmén round {round_no}")

    explanations: list[ProjectExplanation] = []
    for p, project in enumerate(election.projects):
        common: dict[str, Any] = {"project": project.id, "cost": project.cost, "score": scores[p]}
        if p in rounds:
            round_of, load = rounds[p]
            if load < 0:
                reason = f"Round {round_of}: no project with supporters was left; it fit."
                load_value = None
            else:
                reason = (
                    f"Round {round_of}: the earliest its supporters could pay for it "
                    f"(load {money(load / money_.scale)} per supporter)."
                )
                load_value = load / money_.scale
            explanations.append(
                ProjectExplanation(
                    **common,
                    selected=True,
                    status=Status.SELECTED,
                    reason=reason,
                    round=round_of,
                    phase="phragmen",
                    load=load_value,
                )
            )
        elif costs[p] > budget:
            explanations.append(
                ProjectExplanation(
                    **common,
                    selected=False,
                    status=Status.OVER_BUDGET,
                    reason=f"Its cost {money(project.cost)} exceeds the whole budget.",
                    budget_left=money_.value(budget),
                )
            )
        elif stop is not None and p in stop[1]:
            explanations.append(
                ProjectExplanation(
                    **common,
                    selected=False,
                    status=Status.OVER_BUDGET,
                    reason=(
                        f"Next to be bought in round {stop[0]}, but its cost "
                        f"{money(project.cost)} exceeded the {money(money_.value(budget - spent))}"
                        " left: the rule stopped."
                    ),
                    budget_left=money_.value(budget - spent),
                )
            )
        else:
            explanations.append(
                ProjectExplanation(
                    **common,
                    selected=False,
                    status=Status.NOT_REACHED if approvals[p] else Status.NO_SUPPORT,
                    reason=(
                        "The rule stopped before its supporters could pay for it."
                        if approvals[p]
                        else "No voter supports it; the rule stopped before reaching it."
                    ),
                    budget_left=money_.value(budget - spent),
                )
            )
    details: dict[str, Any] = {}
    if stop is not None:
        details["stopped_at"] = [election.projects[p].id for p in stop[1]]
    return RuleResult(selected=selected, explanations=explanations, details=details)


def _compare(a: tuple[float, int, int], b: tuple[float, int, int]) -> int:
    """-1, 0, 1 as load `a` is lower than, equal to, higher than `b` (den 0: infinite)."""
    if a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    if a[2] == 0 or b[2] == 0:
        return 0 if a[2] == b[2] else (1 if a[2] == 0 else -1)
    left, right = a[1] * b[2], b[1] * a[2]
    return (left > right) - (left < right)
