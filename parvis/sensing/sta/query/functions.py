"""The built-in $filter functions (18-088 Table 23) with their signatures, and static kinds.

Kinds are a coarse static type used to reject nonsense early (`length(1)`, `year('x')`) with a
precise message. Anything read from a JSON document (`result`, `properties/x`) is ANY and passes
every check: STA results are untyped, so only the database can decide there.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class Kind(enum.Enum):
    BOOLEAN = "a boolean"
    INTEGER = "an integer"
    NUMBER = "a number"
    STRING = "a string"
    DATETIME = "a date-time"  # instants and intervals
    DATE = "a date"
    TIMEOFDAY = "a time of day"
    DURATION = "a duration"
    GEOMETRY = "a geometry"
    NULL = "null"
    ANY = "a value of any type"


# Which argument kinds a parameter of kind K accepts (ANY and NULL are always accepted).
ACCEPTS: Final[dict[Kind, frozenset[Kind]]] = {
    Kind.BOOLEAN: frozenset({Kind.BOOLEAN}),
    Kind.INTEGER: frozenset({Kind.INTEGER}),
    Kind.NUMBER: frozenset({Kind.INTEGER, Kind.NUMBER}),
    Kind.STRING: frozenset({Kind.STRING}),
    # year(), hour() ... apply to date-times, dates and times of day alike.
    Kind.DATETIME: frozenset({Kind.DATETIME, Kind.DATE, Kind.TIMEOFDAY}),
    Kind.GEOMETRY: frozenset({Kind.GEOMETRY}),
    Kind.ANY: frozenset(Kind),
}


def accepts(param: Kind, arg: Kind) -> bool:
    return arg in (Kind.ANY, Kind.NULL) or arg in ACCEPTS[param]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """`name(params[0], ..., params[n-1])`; the last `optional` parameters may be omitted."""

    name: str
    params: tuple[Kind, ...]
    returns: Kind
    optional: int = 0
    # "spec" (18-088 Table 23), "odata" (OData 4.0, not listed by STA), "frost" (FROST-Server).
    origin: str = "spec"

    @property
    def min_args(self) -> int:
        return len(self.params) - self.optional

    @property
    def max_args(self) -> int:
        return len(self.params)

    def arity_text(self) -> str:
        def n(k: int) -> str:
            return "no arguments" if k == 0 else f"{k} argument" + ("s" if k > 1 else "")

        if self.min_args == self.max_args:
            return n(self.max_args)
        return f"{self.min_args} or {n(self.max_args)}"


_S, _I, _N, _B = Kind.STRING, Kind.INTEGER, Kind.NUMBER, Kind.BOOLEAN
_DT, _G = Kind.DATETIME, Kind.GEOMETRY


def _specs(*specs: FunctionSpec) -> dict[str, FunctionSpec]:
    return {s.name: s for s in specs}


FUNCTIONS: Final[dict[str, FunctionSpec]] = _specs(
    # String functions. substringof(needle, haystack) is OData 2/3 and is what STA lists;
    # contains(haystack, needle) is its OData 4 form, accepted too (FROST does).
    FunctionSpec("substringof", (_S, _S), _B),
    FunctionSpec("contains", (_S, _S), _B, origin="odata"),
    FunctionSpec("endswith", (_S, _S), _B),
    FunctionSpec("startswith", (_S, _S), _B),
    FunctionSpec("length", (_S,), _I),
    FunctionSpec("indexof", (_S, _S), _I),
    # substring(s, start[, length]); the 3-argument form was added in v1.1 (annex B).
    FunctionSpec("substring", (_S, _I, _I), _S, optional=1),
    FunctionSpec("tolower", (_S,), _S),
    FunctionSpec("toupper", (_S,), _S),
    FunctionSpec("trim", (_S,), _S),
    FunctionSpec("concat", (_S, _S), _S),
    # Date functions.
    FunctionSpec("year", (_DT,), _I),
    FunctionSpec("month", (_DT,), _I),
    FunctionSpec("day", (_DT,), _I),
    FunctionSpec("hour", (_DT,), _I),
    FunctionSpec("minute", (_DT,), _I),
    FunctionSpec("second", (_DT,), _I),
    FunctionSpec("fractionalseconds", (_DT,), _N),
    FunctionSpec("date", (_DT,), Kind.DATE),
    FunctionSpec("time", (_DT,), Kind.TIMEOFDAY),
    FunctionSpec("totaloffsetminutes", (_DT,), _I),
    FunctionSpec("now", (), _DT),
    FunctionSpec("mindatetime", (), _DT),
    FunctionSpec("maxdatetime", (), _DT),
    # Math functions.
    FunctionSpec("round", (_N,), _N),
    FunctionSpec("floor", (_N,), _N),
    FunctionSpec("ceiling", (_N,), _N),
    # Geospatial functions.
    FunctionSpec("geo.distance", (_G, _G), _N),
    FunctionSpec("geo.length", (_G,), _N),
    FunctionSpec("geo.intersects", (_G, _G), _B),
    # Spatial relationship functions (OGC 06-104r4 names).
    FunctionSpec("st_equals", (_G, _G), _B),
    FunctionSpec("st_disjoint", (_G, _G), _B),
    FunctionSpec("st_touches", (_G, _G), _B),
    FunctionSpec("st_within", (_G, _G), _B),
    FunctionSpec("st_overlaps", (_G, _G), _B),
    FunctionSpec("st_crosses", (_G, _G), _B),
    FunctionSpec("st_intersects", (_G, _G), _B),
    FunctionSpec("st_contains", (_G, _G), _B),
    FunctionSpec("st_relate", (_G, _G, _S), _B),
    # Temporal relations between instants/intervals: not in 18-088, but FROST-Server implements
    # them and its v1.1 test suite (DateTimeTests) uses them.
    FunctionSpec("before", (_DT, _DT), _B, origin="frost"),
    FunctionSpec("after", (_DT, _DT), _B, origin="frost"),
    FunctionSpec("meets", (_DT, _DT), _B, origin="frost"),
    FunctionSpec("during", (_DT, _DT), _B, origin="frost"),
    FunctionSpec("overlaps", (_DT, _DT), _B, origin="frost"),
    FunctionSpec("starts", (_DT, _DT), _B, origin="frost"),
    FunctionSpec("finishes", (_DT, _DT), _B, origin="frost"),
)

# DE-9IM intersection pattern of st_relate's third argument, e.g. 'T********'.
DE9IM_CHARS: Final = frozenset("TF*012")
