"""Staff routes of the sensing domain under /api/sensing (the Parvis API, not SensorThings):
attach a Thing to a city project, make it private, issue device credentials, and let a
Datastream measure a project objective."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from sqlalchemy import column, select, table

from parvis.kernel.errors import NotFound
from parvis.kernel.web.deps import CtxDep, DbDep, Id, StaffDep
from parvis.kernel.web.problems import PROBLEM_RESPONSES
from parvis.sensing import credentials, overview
from parvis.sensing.models import DeviceCredential, Thing

router = APIRouter(prefix="/api/sensing", tags=["sensing"], responses=PROBLEM_RESPONSES)
_PROJECTS = table("projects", column("id"))


class ThingSettings(BaseModel):
    project_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    private: bool = False


class CredentialIn(BaseModel):
    label: str = Field(default="", max_length=200)


class FeedIn(BaseModel):
    objective_id: int = Field(ge=1, le=2_147_483_647)
    datastream_id: int = Field(ge=1, le=2**63 - 1)
    aggregate: Literal["latest", "mean", "min", "max", "sum"] = "latest"
    period_days: int = Field(default=1, ge=1, le=366)


def _thing(db: DbDep, thing_id: int) -> Thing:
    thing = db.get(Thing, thing_id)
    if thing is None:
        raise NotFound("No such Thing.")
    return thing


@router.put("/things/{thing_id}", summary="Attach a Thing to a project, make it private (staff)")
def set_thing(db: DbDep, _staff: StaffDep, thing_id: Id, data: ThingSettings) -> dict[str, Any]:
    thing = _thing(db, thing_id)
    if (
        data.project_id is not None
        and db.execute(select(_PROJECTS.c.id).where(_PROJECTS.c.id == data.project_id)).first()
        is None
    ):
        raise NotFound("No such project.")
    thing.project_id = data.project_id
    thing.private = data.private
    db.commit()
    return {"id": thing.id, "project_id": thing.project_id, "private": thing.private}


@router.post(
    "/things/{thing_id}/credentials",
    status_code=status.HTTP_201_CREATED,
    summary="Issue a device credential; the secret is shown once (staff)",
)
def issue(db: DbDep, _staff: StaffDep, thing_id: Id, data: CredentialIn) -> dict[str, str]:
    _thing(db, thing_id)
    issued = credentials.issue_credential(db, thing_id, data.label)
    return {"username": issued.username, "secret": issued.secret}


@router.get("/things/{thing_id}/credentials", summary="A Thing's device credentials (staff)")
def list_credentials(db: DbDep, _staff: StaffDep, thing_id: Id) -> list[dict[str, Any]]:
    _thing(db, thing_id)
    rows = db.scalars(
        select(DeviceCredential)
        .where(DeviceCredential.thing_id == thing_id)
        .order_by(DeviceCredential.id)
    )
    return [
        {
            "username": c.username,
            "label": c.label,
            "created_at": c.created_at.isoformat(),
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
        }
        for c in rows
    ]


@router.delete(
    "/credentials/{username}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a device credential (staff)",
)
def revoke(db: DbDep, _staff: StaffDep, username: str) -> None:
    if db.scalar(select(DeviceCredential.id).where(DeviceCredential.username == username)) is None:
        raise NotFound("No such credential.")
    credentials.revoke_credential(db, username)


@router.post(
    "/feeds",
    status_code=status.HTTP_201_CREATED,
    summary="Let a Datastream measure a project objective, measured at once (staff)",
)
def attach_feed(ctx: CtxDep, db: DbDep, _staff: StaffDep, data: FeedIn) -> dict[str, Any]:
    feed = overview.attach_feed(
        db, data.objective_id, data.datastream_id, data.aggregate, data.period_days
    )
    now = datetime.now(UTC)
    value = overview.measure_feed(db, feed, now)
    if value is not None:
        ctx.events.publish(overview.FeedMeasured(feed.objective_id, round(value, 4), now.date()))
    return {
        "objective_id": feed.objective_id,
        "datastream_id": feed.datastream_id,
        "aggregate": feed.aggregate,
        "period_days": feed.period_days,
        "value": value,
    }
