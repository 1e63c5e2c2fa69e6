"""The Wi-Fi network as it is (sites with their access points), where it could grow (candidate
mounting points) and the extension plans computed for it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parvis.kernel.db import Base, utcnow


class CandidateKind(StrEnum):
    CROSSING = "crossing"  # traffic-signal poles of a crossing
    VELIB = "velib"  # a Vélib' station
    TOILET = "toilet"  # a public toilet (sanisette)
    FOUNTAIN = "fountain"  # a drinking fountain
    OTHER = "other"  # added by staff


class PlanMode(StrEnum):
    MAX_COVER = "max_cover"  # p new sites, the most population covered
    BUDGET = "budget"  # a budget and a cost per site
    SET_COVER = "set_cover"  # the fewest new sites to reach a target share


class WifiSite(Base):
    __tablename__ = "wifi_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    access_points: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(60), default="")
    operational: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(20), default="opendata")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WifiCandidate(Base):
    __tablename__ = "wifi_candidates"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CandidateKind] = mapped_column(String(12), index=True)
    ref: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    cost_eur: Mapped[float] = mapped_column(default=1.0)
    source: Mapped[str] = mapped_column(String(20), default="opendata")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WifiPlan(Base):
    """A saved scenario: its parameters, its result and the whole instance it solved (in the
    storage, so that anyone can re-check it with another solver)."""

    __tablename__ = "wifi_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    mode: Mapped[PlanMode] = mapped_column(String(12))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    chosen: Mapped[list[int]] = mapped_column(JSON)  # ids of wifi_candidates
    by_arrondissement: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    curve: Mapped[list[list[float]]] = mapped_column(JSON)  # [new sites, covered share]
    instance_key: Mapped[str | None] = mapped_column(String(220))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
