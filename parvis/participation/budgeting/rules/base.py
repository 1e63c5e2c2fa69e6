"""What every rule shares: its description and options, tie-breaking, exact integer money.

Tie-breaking
------------
Whenever two projects are equally good for a rule (same votes for greedy, same price per unit
of utility for MES, same load for Phragmén), the rule takes the one that comes first in the
*tie-breaking order*, fixed before counting starts:

- `id` (the default, and pabutools' default `lexico_tie_breaking`): project ids compared as
  strings, character by character (Unicode code points), so "10" comes before "9" and "L010"
  before "L014";
- `min-cost`: the cheaper project first, then `id`;
- `max-cost`: the more expensive project first, then `id`;
- `max-votes`: the project with more supporters (approvals, or listings for other ballots)
  first, then `id` (pabutools' `app_score_tie_breaking`).

Exact money
-----------
Costs and the budget are exact `Fraction`s. The rules count in integers: every amount is
multiplied by the least common multiple of the denominators of the costs and the budget
(1 for every real file, whose costs are whole currency units), so that all comparisons are
comparisons of Python integers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any

from parvis.participation.budgeting.explain import ProjectExplanation
from parvis.participation.budgeting.model import BudgetingError, Election, VoteType

TIE_BREAKING = ("id", "min-cost", "max-cost", "max-votes")

Progress = Callable[[str], None]
"""Called by long counts with a short message (the CLI shows it); never required."""


@dataclass(frozen=True)
class Option:
    name: str
    kind: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None

    def parse(self, value: Any) -> Any:
        """Accept a typed value or a string (from the command line)."""
        if value is None:
            return None
        try:
            if self.kind is bool:
                if isinstance(value, str):
                    lowered = value.strip().lower()
                    if lowered in ("1", "true", "yes", "on"):
                        return True
                    if lowered in ("0", "false", "no", "off"):
                        return False
                    raise ValueError(value)
                return bool(value)
            if self.kind is int:
                if isinstance(value, bool):
                    raise ValueError(value)
                if isinstance(value, str):
                    parsed = Fraction(value.strip().replace(",", "."))
                    if parsed.denominator != 1:
                        raise ValueError(value)
                    return int(parsed)
                if isinstance(value, Fraction) and value.denominator != 1:
                    raise ValueError(value)
                return int(value)
            if self.kind is Fraction:
                if isinstance(value, float):
                    raise ValueError("use an exact number")
                if isinstance(value, str):
                    return Fraction(value.strip().replace(",", "."))
                return Fraction(value)
            text = str(value)
        except (ValueError, TypeError, ZeroDivisionError):
            raise BudgetingError(
                f"option {self.name}: {value!r} is not a valid {self.kind.__name__}"
            ) from None
        if self.choices and text not in self.choices:
            raise BudgetingError(
                f"option {self.name}: {text!r} is not one of {', '.join(self.choices)}"
            )
        return text


TIE_OPTION = Option(
    "tie_breaking", str, "id", "order that breaks ties between equally good projects", TIE_BREAKING
)


@dataclass
class RuleResult:
    """What a rule returns to `count`: selected indices (in order) and one record per project."""

    selected: list[int]
    explanations: list[ProjectExplanation]
    details: dict[str, Any] = field(default_factory=dict)


RuleFunction = Callable[[Election, Mapping[str, Any], Progress | None], RuleResult]


@dataclass(frozen=True)
class Rule:
    name: str
    summary: str
    run: RuleFunction
    options: tuple[Option, ...] = ()
    vote_types: frozenset[VoteType] = frozenset(VoteType)
    aliases: tuple[str, ...] = ()

    def resolve_options(self, election: Election, given: Mapping[str, Any]) -> dict[str, Any]:
        known = {o.name: o for o in self.options}
        unknown = sorted(set(given) - set(known))
        if unknown:
            names = ", ".join(known) or "none"
            raise BudgetingError(
                f"rule {self.name} has no option {', '.join(unknown)} (its options: {names})"
            )
        resolved = {}
        for option in self.options:
            value = given.get(option.name, option.default)
            resolved[option.name] = option.parse(value)
        return resolved


def tie_order(election: Election, method: str) -> list[int]:
    """`rank[p]`: the position of project `p` in the tie-breaking order (0 wins every tie)."""
    projects = election.projects
    approvals = election.approvals
    keys: dict[str, Callable[[int], Any]] = {
        "id": lambda i: projects[i].id,
        "min-cost": lambda i: (projects[i].cost, projects[i].id),
        "max-cost": lambda i: (-projects[i].cost, projects[i].id),
        "max-votes": lambda i: (-approvals[i], projects[i].id),
    }
    if method not in keys:
        raise BudgetingError(f"unknown tie-breaking {method!r} (known: {', '.join(keys)})")
    order = sorted(range(len(projects)), key=keys[method])
    rank = [0] * len(projects)
    for position, index in enumerate(order):
        rank[index] = position
    return rank


@dataclass(frozen=True)
class IntMoney:
    """Costs and budget as integers, all multiplied by `scale`."""

    scale: int
    costs: list[int]
    budget: int

    def value(self, amount: int | Fraction) -> Fraction:
        return Fraction(amount) / self.scale


def int_money(election: Election) -> IntMoney:
    scale = 1
    for amount in (election.budget, *(p.cost for p in election.projects)):
        if amount.denominator != 1:
            scale = lcm(scale, amount.denominator)
    if scale == 1:
        return IntMoney(1, [p.cost.numerator for p in election.projects], election.budget.numerator)
    costs = [int(p.cost * scale) for p in election.projects]
    return IntMoney(scale, costs, int(election.budget * scale))


def threshold_from_meta(election: Election) -> int | None:
    return election.meta_int("min_project_score_threshold")


def ids(election: Election, indices: Sequence[int]) -> list[str]:
    return [election.projects[i].id for i in indices]
