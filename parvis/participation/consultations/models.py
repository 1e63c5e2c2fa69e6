from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from parvis.kernel.db import Base, utcnow


class QuestionKind(StrEnum):
    SINGLE = "single"  # one option
    MULTIPLE = "multiple"  # any number of options (up to max_choices)
    RANKING = "ranking"  # every option ranked
    SCALE = "scale"  # a number from scale_min to scale_max
    TEXT = "text"  # free text


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    arrondissement: Mapped[int | None] = mapped_column(index=True)  # None: the whole city
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questions: Mapped[list[Question]] = relationship(
        cascade="all, delete-orphan", order_by="Question.position", lazy="selectin"
    )


class Question(Base):
    __tablename__ = "consultation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(String(400))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_choices: Mapped[int | None]
    scale_min: Mapped[int | None]
    scale_max: Mapped[int | None]
    required: Mapped[bool] = mapped_column(default=True)


class ConsultationResponse(Base):
    """One per resident and consultation; editable until the consultation closes."""

    __tablename__ = "consultation_responses"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # question id -> value
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
