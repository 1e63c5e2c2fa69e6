from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from parvis.kernel.geojson import Point
from parvis.participation.proposals.labels import Category
from parvis.participation.proposals.models import ProposalState


class ProposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=5, max_length=160)
    description: str = Field(min_length=20, max_length=10_000, description="Plain text")
    category: Category
    arrondissement: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="None: the whole city"
    )
    location: Point | None = None
    edition_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = Field(
        default=None, description="A participatory-budget edition open to submissions"
    )


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    state: Literal["accepted", "to_budget", "to_project", "declined"]
    answer: str = Field(default="", max_length=5_000, description="Required when declining")
    envelope_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = Field(
        default=None, description="For to_budget: the envelope of the budget project"
    )


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: Annotated[int, Field(ge=1, le=2_147_483_647)]
    note: str = Field(default="", max_length=1_000)


class ImagePublic(BaseModel):
    url: str
    alt: str


class ProposalPublic(BaseModel):
    id: int
    title: str
    description: str
    category: str
    arrondissement: int | None
    location: dict[str, Any] | None
    author: str | None
    state: ProposalState
    answer: str
    merged_into: int | None
    linked_id: int | None
    edition_id: int | None
    supports: int
    comments: int
    images: list[ImagePublic]
    created_at: datetime
    url: str


class ProposalPage(BaseModel):
    items: list[ProposalPublic]
    total: int
    page: int
    size: int
    pages: int


class SupportState(BaseModel):
    proposal_id: int
    supports: int
    supported: bool
