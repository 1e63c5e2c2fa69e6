from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parvis.kernel.db import Base, utcnow


class ProposalState(StrEnum):
    OPEN = "open"
    MERGED = "merged"  # folded into another proposal
    ACCEPTED = "accepted"  # the city takes it up as it is
    TO_BUDGET = "to_budget"  # turned into a participatory-budget project
    TO_PROJECT = "to_project"  # turned into a city project
    DECLINED = "declined"  # with a reason shown to everyone


ANSWERED = {
    ProposalState.ACCEPTED,
    ProposalState.TO_BUDGET,
    ProposalState.TO_PROJECT,
    ProposalState.DECLINED,
}


class Proposal(Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40), index=True)
    arrondissement: Mapped[int | None] = mapped_column(index=True)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("pb_editions.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[ProposalState] = mapped_column(String(16), default=ProposalState.OPEN)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    linked_id: Mapped[int | None] = mapped_column(
        default=None, doc="The budget project or city project it became."
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    images: Mapped[list[ProposalImage]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalImage.id", lazy="selectin"
    )


class ProposalImage(Base):
    __tablename__ = "proposal_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(220))
    alt: Mapped[str] = mapped_column(String(200))
