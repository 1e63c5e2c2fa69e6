"""Well-Known Text for the geography'...' / geometry'...' literals of $filter.

STA filters compare stored GeoJSON with WKT literals (18-088 Table 23): POINT, LINESTRING and
POLYGON appear in the spec; the MULTI* forms cost nothing more. The result keeps GeoJSON-shaped
coordinates so that the SQL layer can hand it to shapely (SQLite) or ST_GeomFromText (PostGIS).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Final

Position = tuple[float, ...]
Line = tuple[Position, ...]
Rings = tuple[Line, ...]
Coordinates = Position | Line | Rings | tuple[Rings, ...]

# WKT keyword -> GeoJSON type name.
GEOMETRY_TYPES: Final = {
    "POINT": "Point",
    "LINESTRING": "LineString",
    "POLYGON": "Polygon",
    "MULTIPOINT": "MultiPoint",
    "MULTILINESTRING": "MultiLineString",
    "MULTIPOLYGON": "MultiPolygon",
}
_WKT_NAMES: Final = {v: k for k, v in GEOMETRY_TYPES.items()}


class WktError(ValueError):
    """Invalid WKT; `position` is the offset in the WKT text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Geometry:
    """A geometry literal: GeoJSON type name, GeoJSON-shaped coordinates, optional SRID."""

    type: str
    coordinates: Coordinates
    srid: int | None = None

    @property
    def wkt(self) -> str:
        """Canonical WKT (EWKT `SRID=n;` prefix when an SRID was given)."""
        body = _WKT_NAMES[self.type] + _format(self.type, self.coordinates)
        return body if self.srid is None else f"SRID={self.srid};{body}"

    def to_geojson(self) -> dict[str, Any]:
        return {"type": self.type, "coordinates": _to_lists(self.coordinates)}


def _to_lists(value: Any) -> Any:
    return [_to_lists(v) for v in value] if isinstance(value, tuple) else value


def _num(x: float) -> str:
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def _pos(p: Position) -> str:
    return " ".join(_num(x) for x in p)


def _line(line: Line) -> str:
    return "(" + ", ".join(_pos(p) for p in line) + ")"


def _rings(rings: Rings) -> str:
    return "(" + ", ".join(_line(r) for r in rings) + ")"


def _format(kind: str, c: Any) -> str:
    if kind == "Point":
        return "(" + _pos(c) + ")"
    if kind in ("LineString", "MultiPoint"):
        return _line(c)
    if kind in ("Polygon", "MultiLineString"):
        return _rings(c)
    return "(" + ", ".join(_rings(p) for p in c) + ")"


_TOKEN: Final = re.compile(
    r"\s*(?:(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<word>[A-Za-z]+)|(?P<sym>[(),;=]))",
    re.ASCII,
)

_TRAILING_SPACE: Final = re.compile(r"\s*\Z")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while _TRAILING_SPACE.match(text, pos) is None:
            m = _TOKEN.match(text, pos)
            if m is None:
                start = len(text) - len(text[pos:].lstrip())
                raise WktError(f"unexpected character {text[start]!r} in WKT", start)
            kind = m.lastgroup or "sym"
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0
        self.dims = 0

    def peek(self) -> tuple[str, str, int]:
        if self.i < len(self.tokens):
            return self.tokens[self.i]
        return ("end", "", len(self.text))

    def take(self, value: str, what: str) -> None:
        _kind, text, pos = self.peek()
        if text.upper() != value:
            found = repr(text) if text else "the end of the WKT"
            raise WktError(f"expected {what} in WKT, found {found}", pos)
        self.i += 1

    def number(self) -> float:
        kind, text, pos = self.peek()
        if kind != "num":
            found = repr(text) if text else "the end of the WKT"
            raise WktError(f"expected a coordinate in WKT, found {found}", pos)
        value = float(text)
        if not math.isfinite(value):
            raise WktError(f"coordinate {text} is out of range", pos)
        self.i += 1
        return value

    def position(self) -> Position:
        start = self.peek()[2]
        coords = [self.number(), self.number()]
        if self.peek()[0] == "num":
            coords.append(self.number())
        if self.peek()[0] == "num":
            raise WktError("a WKT position has 2 or 3 coordinates (x y [z])", self.peek()[2])
        if self.dims == 0:
            self.dims = len(coords)
        elif self.dims != len(coords):
            raise WktError("all positions of a WKT geometry need the same dimension", start)
        return tuple(coords)

    def positions(self) -> Line:
        self.take("(", "'('")
        out = [self.position()]
        while self.peek()[1] == ",":
            self.i += 1
            out.append(self.position())
        self.take(")", "',' or ')'")
        return tuple(out)

    def line(self) -> Line:
        start = self.peek()[2]
        line = self.positions()
        if len(line) < 2:
            raise WktError("a LINESTRING needs at least 2 positions", start)
        return line

    def ring(self) -> Line:
        start = self.peek()[2]
        ring = self.positions()
        if len(ring) < 4:
            raise WktError("a POLYGON ring needs at least 4 positions", start)
        if ring[0] != ring[-1]:
            raise WktError("a POLYGON ring must be closed (last position = first position)", start)
        return ring

    def many(self, item: Any) -> tuple[Any, ...]:
        self.take("(", "'('")
        out = [item()]
        while self.peek()[1] == ",":
            self.i += 1
            out.append(item())
        self.take(")", "',' or ')'")
        return tuple(out)

    def multipoint_item(self) -> Position:
        # Both MULTIPOINT((1 2), (3 4)) and the older MULTIPOINT(1 2, 3 4) are in use.
        if self.peek()[1] == "(":
            self.i += 1
            p = self.position()
            self.take(")", "')'")
            return p
        return self.position()

    def geometry(self) -> Geometry:
        srid: int | None = None
        kind, text, pos = self.peek()
        if kind == "word" and text.upper() == "SRID":
            self.i += 1
            self.take("=", "'='")
            num_kind, num, num_pos = self.peek()
            if num_kind != "num" or not num.isdigit():
                raise WktError("expected an integer SRID", num_pos)
            srid = int(num)
            self.i += 1
            self.take(";", "';'")
            kind, text, pos = self.peek()
        name = text.upper()
        if kind != "word" or name not in GEOMETRY_TYPES:
            found = repr(text) if text else "the end of the WKT"
            supported = ", ".join(GEOMETRY_TYPES)
            raise WktError(f"expected a WKT geometry type ({supported}), found {found}", pos)
        self.i += 1
        tag_kind, tag, tag_pos = self.peek()
        if tag_kind == "word":
            if tag.upper() == "EMPTY":
                raise WktError("empty geometries are not supported", tag_pos)
            if tag.upper() != "Z":
                raise WktError(f"unsupported WKT dimension {tag!r} (only Z)", tag_pos)
            self.i += 1
        coords: Coordinates
        if name == "POINT":
            self.take("(", "'('")
            coords = self.position()
            self.take(")", "')'")
        elif name == "LINESTRING":
            coords = self.line()
        elif name == "POLYGON":
            coords = self.many(self.ring)
        elif name == "MULTIPOINT":
            coords = self.many(self.multipoint_item)
        elif name == "MULTILINESTRING":
            coords = self.many(self.line)
        else:
            coords = self.many(lambda: self.many(self.ring))
        end_kind, end, end_pos = self.peek()
        if end_kind != "end":
            raise WktError(f"unexpected {end!r} after the WKT geometry", end_pos)
        return Geometry(GEOMETRY_TYPES[name], coords, srid)


def parse_wkt(text: str) -> Geometry:
    """Parse WKT (optionally EWKT with `SRID=n;`); raise WktError with the offset on error."""
    return _Parser(text).geometry()
