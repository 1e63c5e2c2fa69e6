"""A (Multi)Datastream's observedArea: the convex hull of the features its Observations are
about (18-088 §8.2.4; FROST keeps it the same way). Widened once per batch of Observations,
never shrunk when Observations go (a later batch recomputes nothing it does not need to)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import Connection, select, update

from parvis.sensing.mapping import ENTITIES


def _geometry(document: Any) -> Any:
    """A shapely geometry of a GeoJSON geometry or Feature; None when it is no GeoJSON."""
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = document.get("geometry")
    try:
        return shape(document)
    except (TypeError, ValueError, AttributeError, KeyError, shapely.errors.ShapelyError):
        return None


def widen_observed_areas(conn: Connection, stream: str, features: Mapping[Any, Set[int]]) -> None:
    """Make each stream's observedArea cover the given features (by stream id)."""
    if not features:
        return
    table = ENTITIES[stream].table
    foi = ENTITIES["FeatureOfInterest"].table
    wanted = sorted({f for ids in features.values() for f in ids})
    documents: dict[int, Any] = {
        int(row[0]): row[1]
        for row in conn.execute(select(foi.c.id, foi.c.feature).where(foi.c.id.in_(wanted)))
    }
    streams = sorted(features)
    current: dict[int, Any] = {
        int(row[0]): row[1]
        for row in conn.execute(
            select(table.c.id, table.c.observed_area).where(table.c.id.in_(streams))
        )
    }
    for stream_id in streams:
        shapes = [
            g for g in (_geometry(documents.get(i)) for i in features[stream_id]) if g is not None
        ]
        if not shapes:
            continue
        area = _geometry(current.get(stream_id)) if current.get(stream_id) is not None else None
        if area is not None and all(area.covers(g) for g in shapes):
            continue  # the usual case: a station keeps observing the same place
        hull = shapely.union_all([*shapes, *([area] if area is not None else [])]).convex_hull
        conn.execute(
            update(table).where(table.c.id == stream_id).values(observed_area=mapping(hull))
        )
