"""Greedy rules: sort projects by votes, fund each one that still fits.

- `greedy` (Paris until 2019, CONSUL, most Pabulib files): walk down the projects by score
  (the number of voters who list the project; the sum of points for cumulative and scoring
  ballots), highest first, ties by the tie-breaking order, and fund every project whose cost
  fits in what is left of the budget; skip the others. On approval ballots this is exactly
  pabutools' `greedy_utilitarian_welfare` with `Cost_Sat`: that rule takes the project with the
  best satisfaction per cost, which for cost satisfaction is the approval count. Projects
  without any vote come last and are still funded if they fit, as pabutools does (use a
  threshold of 1 to leave them out).
- `greedy-threshold` (Warsaw, Łódź): the same, but projects with a score below the threshold
  (META `min_project_score_threshold` unless given) are never funded.
- `greedy-no-skip` (Wrocław): stop at the first project that does not fit.

All comparisons are exact: scores are integers or Fractions, money is integer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from parvis.participation.budgeting.explain import ProjectExplanation, Status, money
from parvis.participation.budgeting.model import BudgetingError, Election
from parvis.participation.budgeting.rules.base import (
    TIE_OPTION,
    IntMoney,
    Option,
    Progress,
    RuleResult,
    int_money,
    threshold_from_meta,
    tie_order,
)

GREEDY_OPTIONS = (TIE_OPTION,)
THRESHOLD_OPTIONS = (
    Option(
        "threshold",
        Fraction,
        None,
        "minimum score to be funded (default: META min_project_score_threshold)",
    ),
    TIE_OPTION,
)


def greedy_order(
    election: Election, rank: Sequence[int], scores: Sequence[Fraction | int] | None = None
) -> list[int]:
    """Project indices by score, highest first, ties by the tie-breaking rank."""
    values = _scores(election) if scores is None else scores
    return sorted(range(len(election.projects)), key=lambda p: (-values[p], rank[p]))


def _scores(election: Election) -> Sequence[Fraction | int]:
    """Approval counts (ints) for ballots without points, else the sums of points."""
    return election.approvals if election.ballot_points is None else election.scores


def greedy_fill(
    election: Election,
    order: Sequence[int],
    money_: IntMoney,
    *,
    start: Sequence[int],
    spent: int,
    scores: Sequence[Fraction | int],
    threshold: Fraction | None = None,
    skip: bool = True,
    phase: str | None = None,
    unit: str = "votes",
) -> tuple[list[int], dict[int, ProjectExplanation]]:
    """Walk `order`, funding what fits after `start` (already selected, costing `spent`).

    Returns the added projects (in order) and a record for every project not in `start`.
    """
    chosen = set(start)
    left = money_.budget - spent
    scale = money_.scale
    left_value = Fraction(left, scale)
    costs = money_.costs
    projects = election.projects
    added: list[int] = []
    records: dict[int, ProjectExplanation] = {}
    stopped_at: int | None = None
    position = 0
    for p in order:
        if p in chosen:
            continue
        position += 1
        project = projects[p]
        score = scores[p]
        label = f"{money(score)} {unit}"
        if threshold is not None and score < threshold:
            records[p] = ProjectExplanation(
                project.id,
                project.cost,
                False,
                Status.BELOW_THRESHOLD,
                f"{label}, fewer than the threshold of {money(threshold)}.",
                Fraction(score),
                rank=position,
                budget_left=left_value,
            )
            continue
        if stopped_at is not None:
            records[p] = ProjectExplanation(
                project.id,
                project.cost,
                False,
                Status.NOT_REACHED,
                f"Rank {position} ({label}): the count stopped at project "
                f"{projects[stopped_at].id}, which did not fit.",
                Fraction(score),
                rank=position,
                budget_left=left_value,
            )
            continue
        cost = costs[p]
        if cost <= left:
            added.append(p)
            records[p] = ProjectExplanation(
                project.id,
                project.cost,
                True,
                Status.SELECTED,
                f"Rank {position} ({label}): its cost {money(project.cost)} fit in the "
                f"{money(left_value)} left.",
                Fraction(score),
                rank=position,
                round=len(chosen) + len(added),
                phase=phase,
                budget_left=left_value,
            )
            if cost:
                left -= cost
                left_value = Fraction(left, scale)
        else:
            records[p] = ProjectExplanation(
                project.id,
                project.cost,
                False,
                Status.OVER_BUDGET,
                f"Rank {position} ({label}): its cost {money(project.cost)} exceeded the "
                f"{money(left_value)} left.",
                Fraction(score),
                rank=position,
                budget_left=left_value,
            )
            if not skip:
                stopped_at = p
    return added, records


def _run(
    election: Election,
    options: Mapping[str, Any],
    *,
    threshold: Fraction | None,
    skip: bool,
) -> RuleResult:
    money_ = int_money(election)
    rank = tie_order(election, options["tie_breaking"])
    scores = _scores(election)
    order = greedy_order(election, rank, scores)
    unit = "votes" if election.ballot_points is None else "points"
    added, records = greedy_fill(
        election,
        order,
        money_,
        start=[],
        spent=0,
        scores=scores,
        threshold=threshold,
        skip=skip,
        unit=unit,
    )
    details: dict[str, Any] = {"score": unit}
    if threshold is not None:
        details["threshold"] = threshold
    return RuleResult(
        selected=added,
        explanations=[records[p] for p in range(len(election.projects))],
        details=details,
    )


def greedy(election: Election, options: Mapping[str, Any], progress: Progress | None) -> RuleResult:
    return _run(election, options, threshold=None, skip=True)


def greedy_threshold(
    election: Election, options: Mapping[str, Any], progress: Progress | None
) -> RuleResult:
    threshold = options.get("threshold")
    if threshold is None:
        meta_threshold = threshold_from_meta(election)
        if meta_threshold is None:
            raise BudgetingError(
                "greedy-threshold needs a threshold: give the option threshold=N "
                "(the file has no META min_project_score_threshold)"
            )
        threshold = Fraction(meta_threshold)
    return _run(election, options, threshold=threshold, skip=True)


def greedy_no_skip(
    election: Election, options: Mapping[str, Any], progress: Progress | None
) -> RuleResult:
    return _run(election, options, threshold=None, skip=False)
