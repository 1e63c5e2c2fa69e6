"""The counting rules, by name. `RULES` maps each name to its `Rule` (summary, options)."""

from __future__ import annotations

from parvis.participation.budgeting.model import BudgetingError, VoteType
from parvis.participation.budgeting.rules.base import Option, Rule, RuleResult
from parvis.participation.budgeting.rules.greedy import (
    GREEDY_OPTIONS,
    THRESHOLD_OPTIONS,
    greedy,
    greedy_no_skip,
    greedy_threshold,
)
from parvis.participation.budgeting.rules.majority_judgment import MJ_OPTIONS, majority_judgment
from parvis.participation.budgeting.rules.mes import MES_OPTIONS, method_of_equal_shares
from parvis.participation.budgeting.rules.phragmen import PHRAGMEN_OPTIONS, sequential_phragmen

_APPROVAL = frozenset({VoteType.APPROVAL, VoteType.CHOOSE_ONE})


def _mes_variant(completion: str) -> tuple[Option, ...]:
    return tuple(
        Option(o.name, o.kind, completion, o.help, o.choices) if o.name == "completion" else o
        for o in MES_OPTIONS
    )


_RULES = (
    Rule(
        "greedy",
        "Greedy by votes: fund the most voted projects that still fit (Paris, CONSUL).",
        greedy,
        GREEDY_OPTIONS,
    ),
    Rule(
        "greedy-threshold",
        "Greedy by votes, skipping projects below a minimum score (Warsaw, Łódź).",
        greedy_threshold,
        THRESHOLD_OPTIONS,
    ),
    Rule(
        "greedy-no-skip",
        "Greedy by votes, stopping at the first project that does not fit (Wrocław).",
        greedy_no_skip,
        GREEDY_OPTIONS,
    ),
    Rule(
        "majority-judgment",
        "Majority-judgment ranking of graded projects, then budget fill (Paris since 2021).",
        majority_judgment,
        MJ_OPTIONS,
        frozenset({VoteType.SCORING}),
    ),
    Rule(
        "mes",
        "Method of Equal Shares, no completion (cost utility by default).",
        method_of_equal_shares,
        MES_OPTIONS,
        aliases=("equalshares", "method-of-equal-shares"),
    ),
    Rule(
        "mes-greedy",
        "Method of Equal Shares, then greedy completion.",
        method_of_equal_shares,
        _mes_variant("greedy"),
        aliases=("equalshares/greedy",),
    ),
    Rule(
        "mes-add1",
        "Method of Equal Shares with add1 completion (Assen, Aarau, Wieliczka).",
        method_of_equal_shares,
        _mes_variant("add1"),
        aliases=("equalshares/add1",),
    ),
    Rule(
        "mes-add1-greedy",
        "Method of Equal Shares with add1 completion, then greedy.",
        method_of_equal_shares,
        _mes_variant("add1-greedy"),
        aliases=("equalshares/add1-greedy",),
    ),
    Rule(
        "mes-add1-comparison",
        "MES with add1 completion, kept unless more voters prefer greedy (Wieliczka 2023).",
        method_of_equal_shares,
        _mes_variant("add1-comparison"),
        aliases=("equalshares/add1-comparison",),
    ),
    Rule(
        "phragmen",
        "Sequential Phragmén (approval ballots).",
        sequential_phragmen,
        PHRAGMEN_OPTIONS,
        _APPROVAL,
        aliases=("sequential-phragmen", "seq-phragmen"),
    ),
)

RULES: dict[str, Rule] = {rule.name: rule for rule in _RULES}
_ALIASES = {alias: rule.name for rule in _RULES for alias in rule.aliases}


def get_rule(name: str) -> Rule:
    """The rule called `name` (or one of its aliases, such as Pabulib's META names)."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return RULES[key]
    except KeyError:
        known = ", ".join(RULES)
        raise BudgetingError(f"unknown rule {name!r} (known: {known})") from None


__all__ = ["RULES", "Option", "Rule", "RuleResult", "get_rule"]
