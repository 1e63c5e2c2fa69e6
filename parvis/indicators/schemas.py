from __future__ import annotations

import math
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from parvis.indicators.models import Pillar


class ObjectiveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pillar: Pillar
    indicator: str = Field(min_length=1, max_length=160)
    unit: str = Field(min_length=1, max_length=40)
    baseline: float
    target: float
    deadline: date | None = None

    @field_validator("baseline", "target")
    @classmethod
    def finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class MeasurementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float
    measured_on: date

    @field_validator("value")
    @classmethod
    def finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class MeasurementPublic(BaseModel):
    value: float
    measured_on: date
    source: str


class ObjectivePublic(BaseModel):
    id: int
    pillar: Pillar
    indicator: str
    unit: str
    baseline: float
    target: float
    deadline: date | None
    latest: float | None
    progress: float | None = Field(description="Share of the way from baseline to target, 0-1+")
    history: list[MeasurementPublic]
