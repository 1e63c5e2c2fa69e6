"""Python functions registered on SQLite connections: what $filter needs and SQLite lacks.

Spatial functions use shapely (GEOS, as PostGIS does) on the GeoJSON text of the documents, in
planar coordinates (degrees), like PostGIS `geometry`. Time arithmetic works on SQLAlchemy's
SQLite text format at microsecond precision. Every function answers null (None) rather than
raise: an exception would turn into a database error for a valid filter.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

import shapely.errors
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from parvis.sensing.sqlfilter.sqlbase import GEOMETRY_TYPES, SPATIAL_PREDICATES

_PREDICATES: Final = frozenset(SPATIAL_PREDICATES.values())
_LINEAL: Final = frozenset({"LineString", "LinearRing", "MultiLineString"})


def _safe(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        if any(arg is None for arg in args):
            return None
        try:
            return function(*args)
        except (
            ValueError,
            TypeError,
            ArithmeticError,
            RecursionError,
            shapely.errors.ShapelyError,
        ):
            return None

    return wrapper


# -- numbers and strings -----------------------------------------------------------------------


@_safe
def _mod(a: float, b: float) -> float | None:
    # fmod: the sign of the dividend, as PostgreSQL's numeric % (and OData's mod).
    return None if float(b) == 0 else math.fmod(float(a), float(b))


def _rounder(function: Callable[[float], int]) -> Callable[[Any], Any]:
    @_safe
    def rounded(x: Any) -> Any:
        if isinstance(x, int):
            return x
        value = float(x)
        if not math.isfinite(value):
            return value
        result = function(value)
        return result if -(2**63) <= result < 2**63 else float(result)

    return rounded


@_safe
def _lower(text: Any) -> str:
    return str(text).lower()


@_safe
def _upper(text: Any) -> str:
    return str(text).upper()


@_safe
def _json_text(value: Any) -> str:
    """A JSON value as json.dumps writes it (a float, or an object's minified text)."""
    if isinstance(value, str):
        return json.dumps(json.loads(value))
    return json.dumps(value)


# -- time --------------------------------------------------------------------------------------


def _format(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME format; strftime would not pad years before 1000.
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


@_safe
def _time_add(text: str, micros: float) -> str | None:
    try:
        moved = datetime.fromisoformat(text) + timedelta(microseconds=round(float(micros)))
    except OverflowError:
        return None
    return _format(moved)


@_safe
def _time_diff(a: str, b: str) -> int:
    return (datetime.fromisoformat(a) - datetime.fromisoformat(b)) // timedelta(microseconds=1)


# -- geometry ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _geometry(text: str) -> BaseGeometry | None:
    """The geometry of a GeoJSON text (a Feature's geometry), or None if it is not one."""
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and doc.get("type") == "Feature":
            doc = doc.get("geometry")
        if not isinstance(doc, dict) or doc.get("type") not in GEOMETRY_TYPES:
            return None
        geometry: BaseGeometry = shapely.geometry.shape(doc)
    except Exception:  # any malformed document is simply not a geometry
        return None
    return geometry


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@_safe
def _distance(a: str, b: str) -> float | None:
    first, second = _geometry(a), _geometry(b)
    if first is None or second is None:
        return None
    return _finite(first.distance(second))


def _lineal_length(geometry: BaseGeometry) -> float:
    # PostGIS ST_Length: lines only; a polygon's perimeter does not count.
    if geometry.geom_type in _LINEAL:
        return float(geometry.length)
    if geometry.geom_type == "GeometryCollection":
        return sum(_lineal_length(part) for part in geometry.geoms)
    return 0.0


@_safe
def _length(a: str) -> float | None:
    geometry = _geometry(a)
    return None if geometry is None else _lineal_length(geometry)


@_safe
def _predicate(name: str, a: str, b: str) -> int | None:
    first, second = _geometry(a), _geometry(b)
    if first is None or second is None or name not in _PREDICATES:
        return None
    return int(bool(getattr(first, name)(second)))


@_safe
def _relate(a: str, b: str, pattern: str) -> int | None:
    first, second = _geometry(a), _geometry(b)
    if first is None or second is None:
        return None
    return int(bool(first.relate_pattern(second, pattern)))


_FUNCTIONS: Final[dict[str, tuple[int, Callable[..., Any]]]] = {
    "parvis_mod": (2, _mod),
    "parvis_floor": (1, _rounder(math.floor)),
    "parvis_ceiling": (1, _rounder(math.ceil)),
    "parvis_lower": (1, _lower),
    "parvis_upper": (1, _upper),
    "parvis_json_text": (1, _json_text),
    "parvis_time_add": (2, _time_add),
    "parvis_time_diff": (2, _time_diff),
    "parvis_geo_distance": (2, _distance),
    "parvis_geo_length": (1, _length),
    "parvis_geo_predicate": (3, _predicate),
    "parvis_geo_relate": (3, _relate),
}


def install_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Register the functions on a new connection (an engine "connect" event listener)."""
    for name, (arity, function) in _FUNCTIONS.items():
        dbapi_connection.create_function(name, arity, function, deterministic=True)
