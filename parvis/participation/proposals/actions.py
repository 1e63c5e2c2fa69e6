"""Every write on proposals; each commits, then publishes its event for the followers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis.kernel.auth import User
from parvis.kernel.context import Context
from parvis.kernel.db import utcnow
from parvis.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from parvis.kernel.events import TargetChanged
from parvis.kernel.geojson import dump_geometry
from parvis.kernel.i18n import gettext as _
from parvis.kernel.i18n import lazy
from parvis.kernel.storage import store_image
from parvis.participation import actions as engagement
from parvis.participation.models import Support
from parvis.participation.proposals.labels import STATE_LABELS
from parvis.participation.proposals.models import (
    ANSWERED,
    Proposal,
    ProposalImage,
    ProposalState,
)
from parvis.participation.proposals.schemas import Answer, Merge, ProposalCreate

TARGET = "proposal"
MAX_IMAGES = 3


@dataclass(frozen=True)
class ProposalBecameProject:
    """Published when staff turn a proposal into a city project (the projects domain acts)."""

    proposal_id: int
    staff_id: int
    title: str
    summary: str
    description: str
    arrondissement: int | None
    geometry: dict[str, Any] | None


def link(proposal_id: int) -> str:
    return f"/proposals/{proposal_id}"


def get_proposal(db: Session, proposal_id: int) -> Proposal:
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("No such proposal."))
    return proposal


def submit_proposal(db: Session, user: User, data: ProposalCreate) -> Proposal:
    if not user.is_confirmed:
        raise Forbidden(_("Confirm your email address first: we sent you a link."))
    if data.edition_id is not None:
        from parvis.participation.budgets.queries import check_open_for_submission

        check_open_for_submission(db, data.edition_id)
    proposal = Proposal(
        title=data.title,
        description=data.description,
        category=data.category,
        arrondissement=data.arrondissement,
        geometry=dump_geometry(data.location),
        author_id=user.id,
        edition_id=data.edition_id,
    )
    db.add(proposal)
    db.commit()
    engagement.follow(db, user, TARGET, proposal.id)  # authors hear about their proposal
    return proposal


def add_image(
    ctx: Context, db: Session, user: User, proposal_id: int, data: bytes, alt: str
) -> Proposal:
    proposal = get_proposal(db, proposal_id)
    if proposal.author_id != user.id:
        raise Forbidden(_("Only the author can add images to a proposal."))
    if len(proposal.images) >= MAX_IMAGES:
        raise InvalidInput(_("A proposal has three images at most."))
    key, alt = store_image(ctx.storage, f"proposals/{proposal.id}", data, alt)
    proposal.images.append(ProposalImage(key=key, alt=alt))
    db.commit()
    return proposal


def _changed(ctx: Context, proposal: Proposal, message_id: str, **params: Any) -> None:
    ctx.events.publish(
        TargetChanged(
            TARGET, proposal.id, message_id, {"title": proposal.title, **params}, link(proposal.id)
        )
    )


def merge_proposals(
    ctx: Context, db: Session, staff: User, source_id: int, data: Merge
) -> Proposal:
    """Fold a duplicate into another proposal: its supporters now support the target."""
    source, target = get_proposal(db, source_id), get_proposal(db, data.into)
    if source.id == target.id:
        raise InvalidInput(_("A proposal cannot be merged into itself."))
    if source.state != ProposalState.OPEN or target.state != ProposalState.OPEN:
        raise Conflict(_("Only open proposals can be merged."))
    supporters = set(
        db.scalars(
            select(Support.user_id).where(
                Support.target_type == TARGET, Support.target_id == source.id
            )
        )
    )
    already = set(
        db.scalars(
            select(Support.user_id).where(
                Support.target_type == TARGET, Support.target_id == target.id
            )
        )
    )
    db.add_all(
        Support(user_id=u, target_type=TARGET, target_id=target.id) for u in supporters - already
    )
    source.state = ProposalState.MERGED
    source.merged_into_id = target.id
    source.answer = data.note.strip()
    source.answered_by, source.answered_at = staff.id, utcnow()
    db.commit()
    _changed(ctx, source, lazy("“%(title)s” was merged into “%(target)s”"), target=target.title)
    return target


def answer_proposal(
    ctx: Context, db: Session, staff: User, proposal_id: int, data: Answer
) -> Proposal:
    proposal = get_proposal(db, proposal_id)
    if proposal.state in ANSWERED or proposal.state == ProposalState.MERGED:
        raise Conflict(_("This proposal already has an answer."))
    state = ProposalState(data.state)
    if state == ProposalState.DECLINED and len(data.answer) < 10:
        raise InvalidInput(_("Explain why the proposal is declined (10 characters at least)."))
    if state == ProposalState.TO_BUDGET:
        from parvis.participation.budgets.actions import add_project_from_proposal

        if data.envelope_id is None:
            raise InvalidInput(_("Choose the envelope of the participatory budget."))
        budget_project = add_project_from_proposal(db, data.envelope_id, proposal)
        proposal.linked_id = budget_project.id
    proposal.state = state
    proposal.answer = data.answer
    proposal.answered_by, proposal.answered_at = staff.id, utcnow()
    db.commit()
    if state == ProposalState.TO_PROJECT:
        ctx.events.publish(
            ProposalBecameProject(
                proposal.id,
                staff.id,
                proposal.title,
                proposal.description[:400],
                proposal.description,
                proposal.arrondissement,
                proposal.geometry,
            )
        )
    _changed(
        ctx,
        proposal,
        lazy("“%(title)s” has an answer: %(state_label)s"),
        state_label=STATE_LABELS[state],
    )
    return proposal


def link_city_project(db: Session, proposal_id: int, project_id: int) -> None:
    proposal = get_proposal(db, proposal_id)
    proposal.linked_id = project_id
    db.commit()
