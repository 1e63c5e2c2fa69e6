"""Why each project won or lost: one `ProjectExplanation` per project of a count.

Every rule fills the same record, so that a results page, an export or the CLI can say, for
every project, what happened to it:

- `status`: one `Status` (selected, over budget, below the threshold, unaffordable for its
  supporters under MES, not reached because the rule stopped, no support);
- `reason`: one English sentence built from the fields (the web layer may build its own
  translated sentence from the same fields);
- `score` (votes or points) and `rank` (its position in the order the rule considered
  projects, when the rule has such an order);
- `round` and `phase` for selected projects (`phase` tells which step of a composite rule chose
  it: "mes", "greedy completion"...);
- `budget_left`: the budget left when the project was considered (greedy family);
- for the Method of Equal Shares: `price` (the price per unit of utility, rho), the `payments`
  (groups of supporters paying the same amount, and whether they paid all they had left; they
  add up to the cost exactly), `supporters_money` (for a rejected project, what its
  supporters had left, less than its cost) and `lost_to` (the project whose purchase left its
  supporters too poor);
- for sequential Phragmén: `load` (the load of its supporters once it was bought).

All amounts are exact `Fraction`s; `to_dict()` gives JSON-ready values (amounts as decimal
strings when finite, else "p/q").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt


class Status(StrEnum):
    SELECTED = "selected"
    OVER_BUDGET = "over-budget"  # it did not fit in the budget left when its turn came
    BELOW_THRESHOLD = "below-threshold"  # fewer votes than the rule's minimum
    UNAFFORDABLE = "unaffordable"  # MES: its supporters had too little money left
    NOT_REACHED = "not-reached"  # the rule stopped before its turn
    NO_SUPPORT = "no-support"  # nobody voted for it (MES, Phragmén skip it)


@dataclass(frozen=True)
class Share:
    """Under MES: `voters` supporters each paid `amount`; `exhausted` if that was all they had.

    `voter_indices()` tells which voters (positions in the election's ballots) they are.
    """

    amount: Fraction
    voters: int
    exhausted: bool
    ballots: npt.NDArray[np.int64] | None = field(default=None, repr=False, compare=False)
    ballot_of_voter: npt.NDArray[np.int64] | None = field(default=None, repr=False, compare=False)

    @property
    def total(self) -> Fraction:
        return self.amount * self.voters

    def voter_indices(self) -> npt.NDArray[np.int64]:
        """The voters of this group, as sorted indices into the election's ballots."""
        if self.ballots is None or self.ballot_of_voter is None:
            return np.zeros(0, dtype=np.int64)
        mark = np.zeros(int(self.ballot_of_voter.max(initial=-1)) + 1, dtype=bool)
        mark[self.ballots] = True
        return np.flatnonzero(mark[self.ballot_of_voter]).astype(np.int64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "amount": amount_str(self.amount),
            "voters": self.voters,
            "exhausted": self.exhausted,
        }


@dataclass(frozen=True)
class ProjectExplanation:
    project: str
    cost: Fraction
    selected: bool
    status: Status
    reason: str
    score: Fraction
    rank: int | None = None
    round: int | None = None
    phase: str | None = None
    budget_left: Fraction | None = None
    price: Fraction | None = None
    payments: tuple[Share, ...] = ()
    supporters_money: Fraction | None = None
    lost_to: str | None = None
    load: Fraction | None = None

    @property
    def paid(self) -> Fraction:
        """What the supporters paid in total under MES (its cost when it was selected by MES)."""
        return sum((s.total for s in self.payments), Fraction(0))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "project": self.project,
            "selected": self.selected,
            "status": str(self.status),
            "reason": self.reason,
            "cost": amount_str(self.cost),
            "score": amount_str(self.score),
        }
        optional: Mapping[str, Any] = {
            "rank": self.rank,
            "round": self.round,
            "phase": self.phase,
            "budget_left": self.budget_left,
            "price": self.price,
            "supporters_money": self.supporters_money,
            "lost_to": self.lost_to,
            "load": self.load,
        }
        for key, value in optional.items():
            if value is not None:
                data[key] = amount_str(value) if isinstance(value, Fraction) else value
        if self.payments:
            data["payments"] = [s.to_dict() for s in self.payments]
        return data


def amount_str(value: Fraction | int) -> str:
    """An exact decimal string when the amount has one (12, 12.5), else "p/q"."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = 0
    scaled = value
    while scaled.denominator != 1:
        scaled *= 10
        digits += 1
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def money(value: Fraction | int) -> str:
    """A readable amount for sentences: thousands separated, at most two decimals (rounded)."""
    if isinstance(value, int):
        return f"{value:,}"
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{float(value):,.2f}"
