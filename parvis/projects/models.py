from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parvis.kernel.db import Base, utcnow


class Status(StrEnum):
    IDEA = "idea"
    CONSULTATION = "consultation"
    DESIGN = "design"
    EXPERIMENTATION = "experimentation"
    DEPLOYMENT = "deployment"
    EVALUATION = "evaluation"
    DONE = "done"

    @property
    def rank(self) -> int:
        return list(Status).index(self)

    def can_move_to(self, target: Status) -> bool:
        """Forward to any later status (a stage may be skipped), or back by one stage."""
        return target.rank > self.rank or target.rank == self.rank - 1


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(String(120))
    budget_eur: Mapped[int | None] = mapped_column(BigInteger)
    residents_reached: Mapped[int | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[Status] = mapped_column(String(20), default=Status.IDEA, index=True)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    image_key: Mapped[str | None] = mapped_column(String(220))
    image_alt: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    places: Mapped[list[ProjectPlace]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectPlace.arrondissement", lazy="selectin"
    )

    @property
    def arrondissements(self) -> list[int]:
        return [p.arrondissement for p in self.places]


class ProjectPlace(Base):
    """The arrondissements a project concerns (none: the whole city)."""

    __tablename__ = "project_places"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    arrondissement: Mapped[int] = mapped_column(primary_key=True, index=True)


class StatusChange(Base):
    __tablename__ = "project_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[Status | None] = mapped_column(String(20))
    to_status: Mapped[Status] = mapped_column(String(20))
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_by_name: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(400), default="")


class JournalEntry(Base):
    """A dated update that staff post to a project's journal; followers are notified."""

    __tablename__ = "project_journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(80))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
