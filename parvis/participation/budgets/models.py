"""Tables of the participatory budget.

Ballot secrecy is structural: a ballot has a random id, no timestamp and no user id. While the
vote is open it carries `voter_key`, an HMAC of (envelope, user) under the server's secret, so
that a resident can replace their ballot; when the vote closes the key is erased, and from then
on nothing links a ballot to a person. `VoterRecord` says who took part (for turnout and the
one-arrondissement rule), never how.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from parvis.kernel.db import Base, utcnow


class Phase(StrEnum):
    SUBMISSION = "submission"
    CO_CONSTRUCTION = "co_construction"
    FEASIBILITY = "feasibility"
    VOTE = "vote"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"

    @property
    def rank(self) -> int:
        return list(Phase).index(self)


class BallotKind(StrEnum):
    APPROVAL = "approval"  # between min_choices and max_choices projects
    KNAPSACK = "knapsack"  # any projects whose costs add up to the envelope's budget at most
    CUMULATIVE = "cumulative"  # spread `points` points over the projects
    MAJORITY_JUDGMENT = "majority_judgment"  # a grade for every project (Paris since 2021)


class EnvelopeKind(StrEnum):
    CITY = "city"
    ARRONDISSEMENT = "arrondissement"
    RESERVED = "reserved"  # e.g. working-class neighbourhoods, schools


class Feasibility(StrEnum):
    PENDING = "pending"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"


class Edition(Base):
    __tablename__ = "pb_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[Phase] = mapped_column(String(20), default=Phase.SUBMISSION)
    ballot_kind: Mapped[BallotKind] = mapped_column(String(20), default=BallotKind.APPROVAL)
    min_choices: Mapped[int] = mapped_column(default=1)
    max_choices: Mapped[int | None] = mapped_column(default=None)
    points: Mapped[int | None] = mapped_column(default=None)
    rule: Mapped[str] = mapped_column(String(40), default="greedy")
    rule_options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Envelope(Base):
    __tablename__ = "pb_envelopes"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("pb_editions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EnvelopeKind] = mapped_column(String(16))
    arrondissement: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(120))
    budget_eur: Mapped[int] = mapped_column(BigInteger)


class BudgetProject(Base):
    __tablename__ = "pb_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("pb_editions.id", ondelete="CASCADE"), index=True
    )
    envelope_id: Mapped[int] = mapped_column(
        ForeignKey("pb_envelopes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text, default="")
    cost_eur: Mapped[int | None] = mapped_column(BigInteger)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    feasibility: Mapped[Feasibility] = mapped_column(String(12), default=Feasibility.PENDING)
    feasibility_reason: Mapped[str] = mapped_column(Text, default="")
    selected: Mapped[bool | None] = mapped_column(default=None)
    city_project_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoterRecord(Base):
    """Who took part in an edition, and in which arrondissement: never what they chose."""

    __tablename__ = "pb_voters"
    __table_args__ = (UniqueConstraint("edition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("pb_editions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    arrondissement: Mapped[int | None]


class Ballot(Base):
    __tablename__ = "pb_ballots"
    __table_args__ = (
        UniqueConstraint("envelope_id", "voter_key"),
        UniqueConstraint("envelope_id", "paper_ref"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, not sequential
    envelope_id: Mapped[int] = mapped_column(
        ForeignKey("pb_envelopes.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(8))  # "online" or "paper"
    choices: Mapped[dict[str, int]] = mapped_column(JSON)  # project id -> 1, points or grade
    voter_key: Mapped[str | None] = mapped_column(String(64))
    paper_ref: Mapped[str | None] = mapped_column(String(100))
    receipt_hash: Mapped[str] = mapped_column(String(64), index=True)


class PaperEntry(Base):
    """One staff member's typing of one paper ballot; two matching entries make a ballot."""

    __tablename__ = "pb_paper_entries"
    __table_args__ = (UniqueConstraint("envelope_id", "paper_ref", "entered_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    envelope_id: Mapped[int] = mapped_column(
        ForeignKey("pb_envelopes.id", ondelete="CASCADE"), index=True
    )
    paper_ref: Mapped[str] = mapped_column(String(100))  # polling station / sheet number
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    choices: Mapped[dict[str, int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EnvelopeResult(Base):
    __tablename__ = "pb_results"

    envelope_id: Mapped[int] = mapped_column(
        ForeignKey("pb_envelopes.id", ondelete="CASCADE"), primary_key=True
    )
    rule: Mapped[str] = mapped_column(String(40))
    ballots: Mapped[int]
    selected: Mapped[list[int]] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
