from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parvis.kernel.db import pairs
from parvis.kernel.errors import Conflict, NotFound
from parvis.kernel.i18n import gettext as _
from parvis.participation.budgets.models import (
    Ballot,
    BallotKind,
    BudgetProject,
    Edition,
    Envelope,
    EnvelopeKind,
    EnvelopeResult,
    Feasibility,
    PaperEntry,
    Phase,
    VoterRecord,
)


def check_open_for_submission(db: Session, edition_id: int) -> Edition:
    edition = db.get(Edition, edition_id)
    if edition is None:
        raise NotFound(_("No such participatory budget."))
    if edition.phase != Phase.SUBMISSION:
        raise Conflict(_("This participatory budget no longer takes proposals."))
    return edition


def list_editions(db: Session) -> list[Edition]:
    return list(db.scalars(select(Edition).order_by(Edition.year.desc(), Edition.id.desc())))


def envelopes_of(db: Session, edition_id: int) -> list[Envelope]:
    order = (Envelope.kind != EnvelopeKind.CITY, Envelope.arrondissement, Envelope.id)
    return list(
        db.scalars(select(Envelope).where(Envelope.edition_id == edition_id).order_by(*order))
    )


def projects_of(db: Session, envelope_id: int, *, on_ballot: bool = False) -> list[BudgetProject]:
    query = select(BudgetProject).where(BudgetProject.envelope_id == envelope_id)
    if on_ballot:
        query = query.where(BudgetProject.feasibility == Feasibility.FEASIBLE)
    return list(db.scalars(query.order_by(BudgetProject.title, BudgetProject.id)))


def voter_arrondissement(db: Session, edition_id: int, user_id: int) -> int | None:
    return db.scalar(
        select(VoterRecord.arrondissement).where(
            VoterRecord.edition_id == edition_id, VoterRecord.user_id == user_id
        )
    )


@dataclass(frozen=True)
class Turnout:
    voters: int
    online_ballots: int
    paper_ballots: int


def turnout(db: Session, edition_id: int) -> Turnout:
    voters = db.scalar(select(func.count()).where(VoterRecord.edition_id == edition_id)) or 0
    by_channel = pairs(
        db.execute(
            select(Ballot.channel, func.count())
            .join(Envelope, Envelope.id == Ballot.envelope_id)
            .where(Envelope.edition_id == edition_id)
            .group_by(Ballot.channel)
        )
    )
    return Turnout(voters, by_channel.get("online", 0), by_channel.get("paper", 0))


def ballots_of(db: Session, envelope_id: int) -> list[dict[str, int]]:
    """The anonymous ballots of an envelope, in an order that says nothing (by random id)."""
    rows = db.scalars(
        select(Ballot.choices).where(Ballot.envelope_id == envelope_id).order_by(Ballot.id)
    )
    return [dict(c) for c in rows]


def result_of(db: Session, envelope_id: int) -> EnvelopeResult | None:
    return db.get(EnvelopeResult, envelope_id)


def receipt_published(db: Session, envelope_id: int, receipt: str) -> bool:
    """After the count, a voter checks that the ballot behind their receipt was counted."""
    digest = hashlib.sha256(receipt.strip().encode()).hexdigest()
    found = db.scalar(
        select(Ballot.id).where(Ballot.envelope_id == envelope_id, Ballot.receipt_hash == digest)
    )
    return found is not None


@dataclass(frozen=True)
class PaperSheet:
    paper_ref: str
    entries: int
    agreeing: bool
    counted: bool


def paper_sheets(db: Session, envelope_id: int) -> list[PaperSheet]:
    """Every typed sheet of an envelope, to find those waiting for a second entry or in conflict."""
    entries: dict[str, list[Any]] = {}
    for ref, choices in db.execute(
        select(PaperEntry.paper_ref, PaperEntry.choices)
        .where(PaperEntry.envelope_id == envelope_id)
        .order_by(PaperEntry.paper_ref, PaperEntry.id)
    ):
        entries.setdefault(ref, []).append(tuple(sorted(choices.items())))
    counted = set(
        db.scalars(
            select(Ballot.paper_ref).where(
                Ballot.envelope_id == envelope_id, Ballot.paper_ref.is_not(None)
            )
        )
    )
    return [
        PaperSheet(ref, len(found), max(Counter(found).values()) >= 2, ref in counted)
        for ref, found in entries.items()
    ]


@dataclass(frozen=True)
class Winner:
    id: int
    title: str
    summary: str
    description: str
    cost_eur: int | None
    arrondissement: int | None
    geometry: dict[str, Any] | None


def winners_to_build(db: Session, project_ids: list[int]) -> list[Winner]:
    """Winning projects that have no city project yet (so a recount creates none twice)."""
    rows = db.execute(
        select(BudgetProject, Envelope.arrondissement)
        .join(Envelope, Envelope.id == BudgetProject.envelope_id)
        .where(BudgetProject.id.in_(project_ids), BudgetProject.city_project_id.is_(None))
        .order_by(BudgetProject.id)
    )
    return [
        Winner(p.id, p.title, p.summary, p.description, p.cost_eur, arrondissement, p.geometry)
        for p, arrondissement in rows
    ]


@dataclass(frozen=True)
class Tally:
    project_id: int
    score: int  # voters approving, or points received
    grades: tuple[int, ...]  # majority judgment: voters per grade, 0 (lowest) to 3
    median_grade: int | None


def tally(
    db: Session, envelope_id: int, project_ids: list[int], kind: BallotKind
) -> dict[int, Tally]:
    """Votes per project, for the results page (the count itself is the rule's business)."""
    scores: Counter[int] = Counter()
    grades: dict[int, list[int]] = {p: [0, 0, 0, 0] for p in project_ids}
    for choices in ballots_of(db, envelope_id):
        for key, value in choices.items():
            project = int(key)
            scores[project] += value
            if kind == BallotKind.MAJORITY_JUDGMENT and project in grades:
                grades[project][value] += 1
    result = {}
    for project in project_ids:
        counts = grades[project]
        total = sum(counts)
        median = None
        if kind == BallotKind.MAJORITY_JUDGMENT and total:
            running = 0
            for grade in range(3, -1, -1):  # the majority grade: given by half the voters or more
                running += counts[grade]
                if running * 2 >= total:
                    median = grade
                    break
        result[project] = Tally(project, scores[project], tuple(counts), median)
    return result


def budget_participation_of(db: Session, user_id: int) -> list[dict[str, Any]]:
    """For "my data": the editions a resident voted in, and where; never the ballots."""
    rows = db.execute(
        select(Edition.title, VoterRecord.arrondissement)
        .join(Edition, Edition.id == VoterRecord.edition_id)
        .where(VoterRecord.user_id == user_id)
    )
    return [{"edition": title, "arrondissement": arrondissement} for title, arrondissement in rows]


def winners_geojson(db: Session, envelope_id: int) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": p.geometry,
            "properties": {
                "id": p.id,
                "title": p.title,
                "url": f"/projects/{p.city_project_id}" if p.city_project_id else "",
            },
        }
        for p in projects_of(db, envelope_id)
        if p.selected and p.geometry
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class EnvelopeSummary:
    envelope: Envelope
    ballots: int
    spent: int
    winners: int


def results_overview(db: Session, edition_id: int) -> list[EnvelopeSummary]:
    """Per envelope (city-wide, then by arrondissement): ballots, money allocated, winners."""
    rows = []
    for envelope in envelopes_of(db, edition_id):
        projects = projects_of(db, envelope.id)
        result = result_of(db, envelope.id)
        winners = [p for p in projects if p.selected]
        rows.append(
            EnvelopeSummary(
                envelope,
                result.ballots if result else 0,
                sum(p.cost_eur or 0 for p in winners),
                len(winners),
            )
        )
    return rows
