"""Typed GeoJSON geometries for the API, bounded to Paris so the schema says what is accepted."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from parvis.kernel.geo import PARIS_BBOX

Longitude = Annotated[float, Field(ge=PARIS_BBOX[0], le=PARIS_BBOX[2])]
Latitude = Annotated[float, Field(ge=PARIS_BBOX[1], le=PARIS_BBOX[3])]
Position = tuple[Longitude, Latitude]


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["Point"]
    coordinates: Position


class Polygon(BaseModel):
    """Rings are closed on input when their last position differs from the first."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Polygon"]
    coordinates: list[Annotated[list[Position], Field(min_length=3, max_length=5000)]] = Field(
        min_length=1, max_length=50
    )

    @field_validator("coordinates")
    @classmethod
    def close_rings(cls, rings: list[list[Position]]) -> list[list[Position]]:
        return [
            ring if ring[0] == ring[-1] and len(ring) >= 4 else [*ring, ring[0]] for ring in rings
        ]


Geometry = Annotated[Point | Polygon, Field(discriminator="type")]


def dump_geometry(geometry: Point | Polygon | None) -> dict[str, Any] | None:
    if geometry is None:
        return None
    data = geometry.model_dump()
    if data["type"] == "Point":
        data["coordinates"] = list(data["coordinates"])
    else:
        data["coordinates"] = [[list(p) for p in ring] for ring in data["coordinates"]]
    return data
