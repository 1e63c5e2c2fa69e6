"""Participatory budgeting: the pure counting core (no database, no HTTP).

Plain data in, plain data out:

    from parvis.participation.budgeting import count, read_pb

    election = read_pb("Poland_Wieliczka_2023_Green_Budget.pb")
    outcome = count(election, "mes-add1")
    outcome.selected            # project ids, in the order the rule chose them
    outcome.explanation("24")   # why project 24 won or lost

`RULES` lists the rules and their options; `read_pb`/`write_pb` read and write the Pabulib
format. See docs/participatory-budgeting.md for the rules, tie-breaking and exactness.
"""

from __future__ import annotations

import time
from typing import Any

from parvis.participation.budgeting.explain import ProjectExplanation, Share, Status
from parvis.participation.budgeting.model import (
    BudgetingError,
    Election,
    Outcome,
    Project,
    VoteType,
)
from parvis.participation.budgeting.pabulib import (
    PabulibError,
    dumps_pb,
    loads_pb,
    read_pb,
    write_pb,
)
from parvis.participation.budgeting.rules import RULES, Rule, get_rule
from parvis.participation.budgeting.rules.base import TIE_BREAKING, Progress


def count(
    election: Election,
    rule_name: str,
    *,
    progress: Progress | None = None,
    **options: Any,
) -> Outcome:
    """Count `election` with the rule `rule_name` (see `RULES`) and explain every project.

    `options` are the rule's options (strings are parsed, so command-line values work);
    `progress`, if given, receives short messages during long counts.
    """
    rule = get_rule(rule_name)
    if election.vote_type not in rule.vote_types:
        accepted = ", ".join(sorted(str(v) for v in rule.vote_types))
        raise BudgetingError(
            f"rule {rule.name} does not count {election.vote_type} ballots (it counts {accepted})"
        )
    resolved = rule.resolve_options(election, options)
    start = time.perf_counter()
    result = rule.run(election, resolved, progress)
    seconds = time.perf_counter() - start
    selected = tuple(election.projects[p].id for p in result.selected)
    cost = sum((election.projects[p].cost for p in result.selected), start=election.budget * 0)
    return Outcome(
        rule=rule.name,
        options=resolved,
        selected=selected,
        cost=cost,
        budget=election.budget,
        explanations=tuple(result.explanations),
        seconds=seconds,
        details=result.details,
    )


def rule_from_meta(election: Election) -> Rule | None:
    """The rule that the file's META `rule` names, when this module knows it."""
    name = election.meta.get("rule", "").strip()
    if not name:
        return None
    try:
        return get_rule(name)
    except BudgetingError:
        return None


__all__ = [
    "RULES",
    "TIE_BREAKING",
    "BudgetingError",
    "Election",
    "Outcome",
    "PabulibError",
    "Project",
    "ProjectExplanation",
    "Rule",
    "Share",
    "Status",
    "VoteType",
    "count",
    "dumps_pb",
    "get_rule",
    "loads_pb",
    "read_pb",
    "rule_from_meta",
    "write_pb",
]
