"""From the ballots in the database to the pure counting core, and back to stored results.

The core (`parvis.participation.budgeting`) takes an `Election` of plain data; this module
builds it from an envelope's anonymous ballots, runs the edition's rule, stores the selected
projects with their explanation, and publishes the winners so that they become city projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis.kernel.context import Context
from parvis.kernel.db import utcnow
from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.participation import budgeting
from parvis.participation.budgets.models import (
    BallotKind,
    BudgetProject,
    Edition,
    Envelope,
    EnvelopeResult,
)
from parvis.participation.budgets.queries import ballots_of, envelopes_of, projects_of

VOTE_TYPES = {
    BallotKind.APPROVAL: "approval",
    BallotKind.KNAPSACK: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.MAJORITY_JUDGMENT: "scoring",
}


@dataclass(frozen=True)
class WinnersPublished:
    """The winners of an edition, for the projects domain to turn into city projects."""

    edition_id: int
    budget_project_ids: list[int]


def election_of(edition: Edition, envelope: Envelope, db: Session) -> budgeting.Election:
    projects = projects_of(db, envelope.id, on_ballot=True)
    kind = BallotKind(edition.ballot_kind)
    ballots: list[Any] = []
    for choices in ballots_of(db, envelope.id):
        if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
            ballots.append(list(choices))
        else:
            ballots.append(choices)
    meta = {
        "description": f"{edition.title} — {envelope.name}",
        "country": "France",
        "unit": "Paris",
        "instance": str(edition.year),
        "currency": "EUR",
    }
    return budgeting.Election.build(
        {str(p.id): p.cost_eur or 0 for p in projects},
        envelope.budget_eur,
        ballots,
        vote_type=VOTE_TYPES[kind],
        meta=meta,
    )


def count_envelope(db: Session, edition: Edition, envelope: Envelope) -> EnvelopeResult:
    election = election_of(edition, envelope, db)
    outcome = budgeting.count(election, edition.rule, **edition.rule_options)
    selected = sorted(int(pid) for pid in outcome.selected)
    result = db.get(EnvelopeResult, envelope.id) or EnvelopeResult(envelope_id=envelope.id)
    result.rule = edition.rule
    result.ballots = election.n_voters
    result.selected = selected
    result.explanation = outcome.to_json()
    result.computed_at = utcnow()
    db.add(result)
    for project in projects_of(db, envelope.id):
        project.selected = project.id in selected
    return result


def count_edition(db: Session, edition: Edition) -> list[EnvelopeResult]:
    """Count every envelope into the session (the caller commits, so a failed count leaves
    nothing behind)."""
    try:
        return [count_envelope(db, edition, envelope) for envelope in envelopes_of(db, edition.id)]
    except budgeting.BudgetingError as error:
        raise InvalidInput(_("The count failed: %(error)s") % {"error": str(error)}) from None


def publish_winners(ctx: Context, db: Session, edition: Edition) -> None:
    winners = list(
        db.scalars(
            select(BudgetProject.id).where(
                BudgetProject.edition_id == edition.id, BudgetProject.selected.is_(True)
            )
        )
    )
    ctx.events.publish(WinnersPublished(edition.id, winners))


def export_pabulib(db: Session, edition: Edition, envelope: Envelope) -> str:
    """The anonymous ballots of an envelope as a Pabulib file, for anyone to recount."""
    election = election_of(edition, envelope, db)
    return budgeting.dumps_pb(election)
