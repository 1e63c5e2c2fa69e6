from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from parvis.kernel.db import Base, utcnow


class Pillar(StrEnum):
    """The three objectives of the sustainable city."""

    ECOLOGICAL = "ecological"
    ECONOMIC = "economic"
    SOCIAL = "social"


class Objective(Base):
    """A measurable target of a city project: indicator, unit, baseline, target, deadline."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    pillar: Mapped[Pillar] = mapped_column(String(16), index=True)
    indicator: Mapped[str] = mapped_column(String(160))
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float]
    target: Mapped[float]
    deadline: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Measurement(Base):
    """A measured value of an objective's indicator (entered by staff; later fed by sensors)."""

    __tablename__ = "measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("objectives.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float]
    measured_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(40), default="staff")
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
