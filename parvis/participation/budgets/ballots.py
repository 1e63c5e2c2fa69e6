"""Checking a ballot against its edition's ballot kind: pure, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.kernel.i18n import ngettext
from parvis.participation.budgets.models import BallotKind

MJ_GRADES = 4  # 0 « Pas convaincu·e », 1 « Pourquoi pas », 2 « J’aime bien », 3 « J’adore »


@dataclass(frozen=True)
class BallotRules:
    kind: BallotKind
    min_choices: int
    max_choices: int | None
    points: int | None
    budget: int


def normalise(
    rules: BallotRules, choices: Mapping[str, int], costs: Mapping[int, int]
) -> dict[str, int]:
    """The ballot as {project id: value}, zero values dropped except for majority judgment.

    `costs` maps the ids of the projects on this envelope's ballot to their costs. Raises
    InvalidInput with a message a voter understands.
    """
    values: dict[int, int] = {}
    for key, value in choices.items():
        if not key.isdigit() or int(key) not in costs:
            raise InvalidInput(_("The ballot names a project that is not on this ballot."))
        values[int(key)] = value
    if rules.kind == BallotKind.MAJORITY_JUDGMENT:
        if set(values) != set(costs):
            raise InvalidInput(_("Give a grade to every project of the ballot."))
        if any(not 0 <= v < MJ_GRADES for v in values.values()):
            raise InvalidInput(_("A grade is one of the four mentions."))
        return {str(k): v for k, v in sorted(values.items())}
    chosen = {k: v for k, v in values.items() if v > 0}
    if rules.kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        if any(v != 1 for v in chosen.values()):
            raise InvalidInput(_("Tick the projects you approve."))
        _check_count(rules, len(chosen))
        if rules.kind == BallotKind.KNAPSACK:
            total = sum(costs[k] for k in chosen)
            if total > rules.budget:
                raise InvalidInput(
                    _("Your choice costs %(total)s €, more than the %(budget)s € of the budget.")
                    % {
                        "total": f"{total:,}".replace(",", " "),
                        "budget": f"{rules.budget:,}".replace(",", " "),
                    }
                )
    else:  # cumulative
        assert rules.points is not None
        _check_count(rules, len(chosen))
        spent = sum(chosen.values())
        if spent > rules.points:
            raise InvalidInput(
                _("You gave %(spent)d points; you have %(points)d.")
                % {"spent": spent, "points": rules.points}
            )
        if spent == 0:
            raise InvalidInput(_("Give your points to at least one project."))
    return {str(k): v for k, v in sorted(chosen.items())}


def _check_count(rules: BallotRules, count: int) -> None:
    if count < rules.min_choices:
        raise InvalidInput(
            _("Choose at least %(n)d projects.") % {"n": rules.min_choices}
            if rules.min_choices > 1
            else _("Choose at least one project.")
        )
    if rules.max_choices is not None and count > rules.max_choices:
        raise InvalidInput(
            ngettext(
                "Choose %(num)d project at most.",
                "Choose %(num)d projects at most.",
                rules.max_choices,
            )
            % {"num": rules.max_choices}
        )
