"""Every write on participatory budgets: editions, projects, feasibility, ballots, counts.

Secret ballot: see models.py. A ballot is found again, while the vote is open, only through
`voter_key` = HMAC(secret key, envelope, user); closing the vote erases the keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.context import Context
from parvis.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from parvis.kernel.geojson import dump_geometry
from parvis.kernel.i18n import gettext as _
from parvis.kernel.i18n import ordinal
from parvis.participation.budgets.ballots import BallotRules, normalise
from parvis.participation.budgets.models import (
    Ballot,
    BudgetProject,
    Edition,
    Envelope,
    EnvelopeKind,
    Feasibility,
    PaperEntry,
    Phase,
    VoterRecord,
)
from parvis.participation.budgets.schemas import (
    BudgetProjectCreate,
    EditionCreate,
    FeasibilityReview,
)
from parvis.participation.proposals.models import Proposal


def get_edition(db: Session, edition_id: int) -> Edition:
    edition = db.get(Edition, edition_id)
    if edition is None:
        raise NotFound(_("No such participatory budget."))
    return edition


def get_envelope(db: Session, envelope_id: int) -> tuple[Envelope, Edition]:
    envelope = db.get(Envelope, envelope_id)
    if envelope is None:
        raise NotFound(_("No such envelope."))
    return envelope, get_edition(db, envelope.edition_id)


def create_edition(db: Session, data: EditionCreate) -> Edition:
    edition = Edition(**data.model_dump(exclude={"envelopes"}))
    db.add(edition)
    db.flush()
    db.add_all(Envelope(edition_id=edition.id, **e.model_dump()) for e in data.envelopes)
    db.commit()
    return edition


def _require_phase(edition: Edition, *phases: Phase) -> None:
    if Phase(edition.phase) not in phases:
        raise Conflict(_("This cannot be done in the current phase of the budget."))


def add_project(db: Session, data: BudgetProjectCreate) -> BudgetProject:
    _envelope, edition = get_envelope(db, data.envelope_id)
    _require_phase(edition, Phase.SUBMISSION, Phase.CO_CONSTRUCTION, Phase.FEASIBILITY)
    project = BudgetProject(
        edition_id=edition.id,
        **data.model_dump(exclude={"location"}),
        geometry=dump_geometry(data.location),
    )
    db.add(project)
    db.commit()
    return project


def add_project_from_proposal(db: Session, envelope_id: int, proposal: Proposal) -> BudgetProject:
    """Staff turn a proposal into a budget project; committed by the caller's transaction."""
    envelope, edition = get_envelope(db, envelope_id)
    _require_phase(edition, Phase.SUBMISSION, Phase.CO_CONSTRUCTION, Phase.FEASIBILITY)
    project = BudgetProject(
        edition_id=edition.id,
        envelope_id=envelope.id,
        title=proposal.title,
        summary=proposal.description[:400],
        description=proposal.description,
        geometry=proposal.geometry,
    )
    db.add(project)
    db.flush()
    return project


def review_feasibility(db: Session, project_id: int, review: FeasibilityReview) -> BudgetProject:
    project = db.get(BudgetProject, project_id)
    if project is None:
        raise NotFound(_("No such budget project."))
    _require_phase(get_edition(db, project.edition_id), Phase.CO_CONSTRUCTION, Phase.FEASIBILITY)
    if review.feasibility == "feasible" and review.cost_eur is None:
        raise InvalidInput(_("A feasible project needs its estimated cost."))
    if review.feasibility == "infeasible" and len(review.reason) < 10:
        raise InvalidInput(_("Explain why the project is not feasible (shown to everyone)."))
    project.feasibility = Feasibility(review.feasibility)
    project.feasibility_reason = review.reason
    if review.cost_eur is not None:
        project.cost_eur = review.cost_eur
    db.commit()
    return project


def change_phase(ctx: Context, db: Session, edition_id: int, phase: Phase) -> Edition:
    """Phases move forward one at a time; opening the vote needs every project reviewed,
    closing it erases the voter keys and counts every envelope."""
    edition = get_edition(db, edition_id)
    if phase.rank != Phase(edition.phase).rank + 1:
        raise InvalidInput(_("A budget moves to the next phase, one at a time."))
    if phase == Phase.VOTE:
        pending = db.scalar(
            select(BudgetProject.id).where(
                BudgetProject.edition_id == edition.id,
                BudgetProject.feasibility == Feasibility.PENDING,
            )
        )
        if pending is not None:
            raise Conflict(_("Every project needs its feasibility review before the vote."))
    edition.phase = phase
    if phase == Phase.RESULTS:
        from parvis.participation.budgets.counting import count_edition, publish_winners

        envelope_ids = select(Envelope.id).where(Envelope.edition_id == edition.id)
        db.execute(
            update(Ballot).where(Ballot.envelope_id.in_(envelope_ids)).values(voter_key=None)
        )
        try:
            count_edition(db, edition)
        except InvalidInput:
            db.rollback()  # the vote stays open, the keys stay: nothing half-done
            raise
        db.commit()
        publish_winners(ctx, db, edition)
        return edition
    db.commit()
    return edition


def _ballot_rules(
    db: Session, envelope: Envelope, edition: Edition
) -> tuple[BallotRules, dict[int, int]]:
    costs = {
        p.id: p.cost_eur or 0
        for p in db.scalars(
            select(BudgetProject).where(
                BudgetProject.envelope_id == envelope.id,
                BudgetProject.feasibility == Feasibility.FEASIBLE,
            )
        )
    }
    rules = BallotRules(
        edition.ballot_kind,
        edition.min_choices,
        edition.max_choices,
        edition.points,
        envelope.budget_eur,
    )
    return rules, costs


def voter_key(ctx: Context, envelope_id: int, user_id: int) -> str:
    message = f"ballot:{envelope_id}:{user_id}".encode()
    return hmac.new(ctx.settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def _check_eligible(db: Session, user: User, envelope: Envelope, edition: Edition) -> None:
    """Anyone votes city-wide; in one arrondissement only, chosen at the first such ballot."""
    record = db.scalar(
        select(VoterRecord).where(
            VoterRecord.edition_id == edition.id, VoterRecord.user_id == user.id
        )
    )
    wanted = envelope.arrondissement if envelope.kind != EnvelopeKind.CITY else None
    if record is None:
        try:
            with db.begin_nested():
                db.add(VoterRecord(edition_id=edition.id, user_id=user.id, arrondissement=wanted))
        except IntegrityError:  # a concurrent first ballot of the same voter
            pass
        record = db.scalar(
            select(VoterRecord).where(
                VoterRecord.edition_id == edition.id, VoterRecord.user_id == user.id
            )
        )
        assert record is not None
    if wanted is None:
        return
    if record.arrondissement is None:
        # Conditional, so that two first ballots in two arrondissements cannot both win.
        claimed = db.execute(
            update(VoterRecord)
            .where(VoterRecord.id == record.id, VoterRecord.arrondissement.is_(None))
            .values(arrondissement=wanted)
        )
        if getattr(claimed, "rowcount", 0) == 1:
            return
        db.refresh(record)
    if record.arrondissement is not None and record.arrondissement != wanted:
        raise Forbidden(
            _("You vote in the %(n)s arrondissement for this budget: one arrondissement only.")
            % {"n": ordinal(record.arrondissement)}
        )


def cast_ballot(
    ctx: Context, db: Session, user: User, envelope_id: int, choices: dict[str, int]
) -> str:
    """Cast or replace the voter's ballot in an envelope; returns a fresh receipt code."""
    envelope, edition = get_envelope(db, envelope_id)
    _require_phase(edition, Phase.VOTE)
    if not user.is_confirmed:
        raise Forbidden(_("Confirm your email address first: we sent you a link."))
    rules, costs = _ballot_rules(db, envelope, edition)
    clean = normalise(rules, choices, costs)
    _check_eligible(db, user, envelope, edition)
    receipt = secrets.token_hex(8)
    receipt_hash = hashlib.sha256(receipt.encode()).hexdigest()
    key = voter_key(ctx, envelope.id, user.id)
    existing = db.scalar(
        select(Ballot).where(Ballot.envelope_id == envelope.id, Ballot.voter_key == key)
    )
    if existing is None:
        try:
            with db.begin_nested():
                db.add(
                    Ballot(
                        id=secrets.token_hex(16),
                        envelope_id=envelope.id,
                        channel="online",
                        choices=clean,
                        voter_key=key,
                        receipt_hash=receipt_hash,
                    )
                )
            db.commit()
            return receipt
        except IntegrityError:  # the same voter's concurrent request won: replace it
            existing = db.scalar(
                select(Ballot).where(Ballot.envelope_id == envelope.id, Ballot.voter_key == key)
            )
            assert existing is not None
    existing.choices = clean
    existing.receipt_hash = receipt_hash
    db.commit()
    return receipt


def current_ballot(
    ctx: Context, db: Session, user: User, envelope_id: int
) -> dict[str, int] | None:
    """The voter's own ballot while the vote is open (nobody else can find it)."""
    key = voter_key(ctx, envelope_id, user.id)
    ballot = db.scalar(
        select(Ballot).where(Ballot.envelope_id == envelope_id, Ballot.voter_key == key)
    )
    return dict(ballot.choices) if ballot is not None else None


@dataclass(frozen=True)
class PaperStatus:
    paper_ref: str
    entries: int
    state: str  # "waiting" (one entry), "counted" (two entries agree), "conflict"


def enter_paper_ballot(
    db: Session, staff: User, envelope_id: int, paper_ref: str, choices: dict[str, int]
) -> PaperStatus:
    """Double entry: a paper ballot counts once two different staff members typed it alike."""
    envelope, edition = get_envelope(db, envelope_id)
    _require_phase(edition, Phase.VOTE)
    rules, costs = _ballot_rules(db, envelope, edition)
    clean = normalise(rules, choices, costs)
    paper_ref = " ".join(paper_ref.split())
    if not re.fullmatch(r"[\w\-/ .]{1,100}", paper_ref):
        raise InvalidInput(_("Give the polling station and the sheet number, as on the sheet."))
    try:
        with db.begin_nested():
            db.add(
                PaperEntry(
                    envelope_id=envelope.id, paper_ref=paper_ref, entered_by=staff.id, choices=clean
                )
            )
    except IntegrityError:
        raise Conflict(_("You already typed this sheet: a second person must type it.")) from None
    entries = list(
        db.scalars(
            select(PaperEntry.choices).where(
                PaperEntry.envelope_id == envelope.id, PaperEntry.paper_ref == paper_ref
            )
        )
    )
    agreed = [c for c, n in Counter(_frozen(c) for c in entries).items() if n >= 2]
    state = "waiting" if len(entries) < 2 else "conflict"
    if agreed:
        state = "counted"
        try:
            with db.begin_nested():
                db.add(
                    Ballot(
                        id=secrets.token_hex(16),
                        envelope_id=envelope.id,
                        channel="paper",
                        choices=dict(agreed[0]),
                        paper_ref=paper_ref,
                        receipt_hash=hashlib.sha256(paper_ref.encode()).hexdigest(),
                    )
                )
        except IntegrityError:
            pass  # already counted by an earlier matching pair: never twice
    db.commit()
    return PaperStatus(paper_ref, len(entries), state)


def _frozen(choices: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(choices.items()))


def link_city_project(db: Session, budget_project_id: int, city_project_id: int) -> None:
    project = db.get(BudgetProject, budget_project_id)
    if project is not None:
        project.city_project_id = city_project_id
        db.commit()
