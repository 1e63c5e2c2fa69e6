from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from parvis.mobility.models import FeedKind, ImportStatus, OperatorKind

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class OperatorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(min_length=2, max_length=40, pattern=SLUG)
    name: str = Field(min_length=2, max_length=120)
    kind: OperatorKind
    website: HttpUrl | None = None
    licence: str = Field(default="", max_length=120)
    attribution: str = Field(default="", max_length=300)


class FeedCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(min_length=2, max_length=40, pattern=SLUG)
    kind: FeedKind
    source_url: HttpUrl | None = Field(
        default=None, description="GBFS: the gbfs.json discovery URL, polled when set."
    )
    poll_seconds: int = Field(default=60, ge=10, le=86_400)


class ImportPublic(BaseModel):
    id: int
    status: ImportStatus
    sha256: str
    size_bytes: int
    summary: dict[str, Any]
    error_count: int
    warning_count: int
    problems: list[dict[str, Any]]
    created_at: datetime
    download_url: str | None


class FeedPublic(BaseModel):
    id: int
    slug: str
    kind: FeedKind
    source_url: str
    current: ImportPublic | None
    last_attempt: ImportPublic | None


class OperatorPublic(BaseModel):
    slug: str
    name: str
    kind: OperatorKind
    website: str
    licence: str
    attribution: str
    feeds: list[FeedPublic]


class StopPublic(BaseModel):
    id: str
    name: str
    lat: float
    lon: float
    operator: str
