from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from parvis.indicators import ObjectivePublic, Pillar
from parvis.kernel.geojson import Geometry
from parvis.projects.models import Status


class _ProjectFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("arrondissements", check_fields=False)
    @classmethod
    def sort_arrondissements(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else sorted(set(value))

    @model_validator(mode="after")
    def check_dates(self) -> Self:
        start, end = getattr(self, "start_date", None), getattr(self, "end_date", None)
        if start and end and end < start:
            raise ValueError("end_date is before start_date")
        return self


ArrondissementNumber = Annotated[int, Field(ge=1, le=20)]


class ProjectCreate(_ProjectFields):
    title: str = Field(min_length=3, max_length=160)
    summary: str = Field(min_length=3, max_length=400)
    description: str = Field(default="", max_length=20_000, description="Markdown")
    department: str = Field(min_length=2, max_length=120)
    arrondissements: list[ArrondissementNumber] = Field(default_factory=list, max_length=20)
    geometry: Geometry | None = Field(
        default=None, description="GeoJSON Point or Polygon (WGS84) inside Paris"
    )
    budget_eur: int | None = Field(default=None, ge=0, le=10**12)
    residents_reached: int | None = Field(default=None, ge=0, le=10**8)
    start_date: date | None = None
    end_date: date | None = None


class ProjectUpdate(_ProjectFields):
    """Every field optional: PATCH semantics."""

    title: str | None = Field(default=None, min_length=3, max_length=160)
    summary: str | None = Field(default=None, min_length=3, max_length=400)
    description: str | None = Field(default=None, max_length=20_000)
    department: str | None = Field(default=None, min_length=2, max_length=120)
    arrondissements: list[ArrondissementNumber] | None = Field(default=None, max_length=20)
    geometry: Geometry | None = None
    budget_eur: int | None = Field(default=None, ge=0, le=10**12)
    residents_reached: int | None = Field(default=None, ge=0, le=10**8)
    start_date: date | None = None
    end_date: date | None = None


class StatusChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    note: str = Field(default="", max_length=400)


class StatusChangePublic(BaseModel):
    from_status: Status | None
    to_status: Status
    changed_by: str
    changed_at: datetime
    note: str


class JournalEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=160)
    body: str = Field(min_length=1, max_length=20_000, description="Markdown")


class JournalEntryPublic(BaseModel):
    id: int
    title: str
    body: str
    author: str
    published_at: datetime


class ProjectPublic(BaseModel):
    id: int
    title: str
    summary: str
    description: str
    department: str
    arrondissements: list[int]
    geometry: dict[str, Any] | None
    image_url: str | None
    image_alt: str
    budget_eur: int | None
    residents_reached: int | None
    start_date: date | None
    end_date: date | None
    status: Status
    pillars: list[Pillar]
    supports: int
    created_at: datetime
    updated_at: datetime
    url: str


class ProjectDetail(ProjectPublic):
    objectives: list[ObjectivePublic]
    status_history: list[StatusChangePublic]
    journal: list[JournalEntryPublic]
    tools: list[dict[str, Any]]


class ProjectPage(BaseModel):
    items: list[ProjectPublic]
    total: int
    page: int
    size: int
    pages: int


class SupportState(BaseModel):
    project_id: int
    supports: int
    supported: bool
