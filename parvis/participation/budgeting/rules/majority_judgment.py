"""Majority judgment ranking, then budget fill (Paris since 2021).

Ballots are `scoring` ballots whose points are grades (for Paris: 0 "Pas convaincu·e" to 3
"J'adore"). A voter who gave a project no grade gives it the lowest grade of the scale (META
`min_points` when present, else the lowest grade used), as Balinski and Laraki recommend, so
that every project is judged by every voter.

Ranking (Balinski & Laraki's majority ranking): a project's *majority grade* is the lower
median of its grades. Two projects are compared by their majority grades; if these are equal,
one such median grade is removed from each and the new majority grades are compared, and so
on. This is the same as comparing, lexicographically, the sequences of grades obtained by
taking the lower median again and again. Projects with identical sequences are ordered by the
tie-breaking order.

Funding: walk down the ranking and fund every project that fits in the budget left (skip the
others), exactly as the greedy rule does with votes.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

from parvis.participation.budgeting.explain import ProjectExplanation, Status, money
from parvis.participation.budgeting.model import BudgetingError, Election, VoteType
from parvis.participation.budgeting.rules.base import (
    TIE_OPTION,
    Progress,
    RuleResult,
    int_money,
    tie_order,
)

MJ_OPTIONS = (TIE_OPTION,)


def median_order(n: int) -> list[int]:
    """Positions, in a sorted list of `n` grades, of the successive lower medians."""
    if n == 0:
        return []
    m = (n - 1) // 2
    order = [m]
    low, high = m - 1, m + 1
    # After removing the lower median of an odd count, the next lower median is below it;
    # of an even count, above it.
    take_low = n % 2 == 1
    while low >= 0 or high < n:
        if (take_low and low >= 0) or high >= n:
            order.append(low)
            low -= 1
        else:
            order.append(high)
            high += 1
        take_low = not take_low
    return order


def majority_judgment(
    election: Election, options: Mapping[str, Any], progress: Progress | None
) -> RuleResult:
    if election.vote_type is not VoteType.SCORING or election.ballot_points is None:
        raise BudgetingError("majority judgment needs scoring ballots (grades)")
    money_ = int_money(election)
    rank = tie_order(election, options["tie_breaking"])
    m, n = len(election.projects), election.n_voters
    grades_used = sorted(set(election.ballot_points))
    lowest = grades_used[0] if grades_used else Fraction(0)
    if "min_points" in election.meta:
        try:
            lowest = min(lowest, Fraction(election.meta["min_points"].replace(",", ".")))
        except (ValueError, ZeroDivisionError):
            raise BudgetingError("META min_points is not a number") from None
    scale = sorted({lowest, *grades_used})
    level = {g: i for i, g in enumerate(scale)}
    if len(scale) > 255:
        raise BudgetingError("majority judgment supports at most 255 distinct grades")
    counts = np.zeros((m, len(scale)), dtype=np.int64)
    listed = np.zeros(m, dtype=np.int64)
    levels = np.fromiter((level[g] for g in election.ballot_points), dtype=np.int64)
    np.add.at(counts, (election.ballot_projects, levels), 1)
    np.add.at(listed, election.ballot_projects, 1)
    counts[:, 0] += n - listed
    positions = np.asarray(median_order(n), dtype=np.int64)
    keys: list[bytes] = []
    majority: list[Fraction] = []
    for p in range(m):
        grades = np.repeat(np.arange(len(scale), dtype=np.uint8), counts[p])
        sequence = grades[positions] if n else grades
        keys.append((255 - sequence).astype(np.uint8).tobytes())
        majority.append(scale[int(sequence[0])] if n else lowest)
    order = sorted(range(m), key=lambda p: (keys[p], rank[p]))
    budget = money_.budget
    left = budget
    selected: list[int] = []
    explanations: dict[int, ProjectExplanation] = {}
    for position, p in enumerate(order, start=1):
        project = election.projects[p]
        above = int(counts[p][[level[g] > level[majority[p]] for g in scale]].sum())
        below = int(counts[p][[level[g] < level[majority[p]] for g in scale]].sum())
        label = (
            f"majority grade {money(majority[p])} ({above:,} voters graded it higher, "
            f"{below:,} lower)"
        )
        cost = money_.costs[p]
        common: dict[str, Any] = {
            "project": project.id,
            "cost": project.cost,
            "score": majority[p],
            "rank": position,
            "budget_left": money_.value(left),
        }
        if cost <= left:
            left -= cost
            selected.append(p)
            explanations[p] = ProjectExplanation(
                **common,
                selected=True,
                status=Status.SELECTED,
                round=len(selected),
                reason=(
                    f"Rank {position}, {label}: its cost {money(project.cost)} fit in the "
                    f"{money(common['budget_left'])} left."
                ),
            )
        else:
            explanations[p] = ProjectExplanation(
                **common,
                selected=False,
                status=Status.OVER_BUDGET,
                reason=(
                    f"Rank {position}, {label}: its cost {money(project.cost)} exceeded the "
                    f"{money(common['budget_left'])} left."
                ),
            )
    return RuleResult(
        selected=selected,
        explanations=[explanations[p] for p in range(m)],
        details={"grades": [str(g) for g in scale], "missing_grade": str(lowest)},
    )
