"""Any input gives a result or a QueryError, never another exception (which would be a 500)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

import pytest

from parvis.sensing.sta.query import QueryError, parse_filter, parse_path, parse_query

# Fragments that exercise every branch of the tokenizers, glued at random.
FRAGMENTS = [
    " ",
    "(",
    ")",
    ",",
    ";",
    "/",
    "'",
    "''",
    "-",
    "+",
    "$",
    "[",
    "]",
    "[0]",
    ":",
    "=",
    "&",
    ".",
    "eq",
    "and",
    "not",
    "add",
    "asc",
    "null",
    "true",
    "result",
    "name",
    "Datastream",
    "Datastreams",
    "properties",
    "id",
    "@iot.id",
    "1",
    "-1",
    "1.5",
    "1e3",
    "9223372036854775808",
    "2015-01-01",
    "T",
    "12:00",
    "2015-01-01T00:00:00Z",
    "+02:00",
    "/P1D",
    "P1D/",
    "duration'",
    "geography'",
    "POINT(1 2)",
    "POLYGON((0 0,1 1,0 0))",
    "length(",
    "substring(",
    "geo.distance(",
    "st_relate(",
    "any(",
    "$filter=",
    "$expand=",
    "$top=",
    "$select=",
    "(1)",
    "('a')",
    "$ref",
    "$value",
    "Things",
    "Observations",
    "é",
    "\u2018",
    '"',
    "\t",
    "\x00",
]


def _random_text(r: random.Random) -> str:
    return "".join(r.choice(FRAGMENTS) for _ in range(r.randint(0, 12)))


def _check(parse: Callable[[str], object], text: str) -> None:
    error: QueryError | None = None
    try:
        parse(text)
    except QueryError as e:
        error = e
    if error is not None:
        assert error.status in (400, 404, 501)
        assert error.message


@pytest.mark.parametrize("seed", range(4))
def test_garbage_never_crashes(seed: int) -> None:
    r = random.Random(seed)
    for _ in range(500):
        text = _random_text(r)
        for parse in (
            lambda t: parse_filter(t, "Observations"),
            lambda t: parse_query({"$expand": t}, "Things"),
            lambda t: parse_query({"$select": t, "$orderby": t}, "Things"),
            lambda t: parse_query(t, "Observations"),
            parse_path,
        ):
            _check(parse, text)


VALID = [
    ("Observations", "$filter", "result add 2 mul 3 eq 4 and not startswith(Datastream/name,'a')"),
    ("Observations", "$filter", "phenomenonTime ge 2015-10-14T23:30:00.104+02:00/P1D"),
    (
        "Locations",
        "$filter",
        "st_relate(location, geography'POLYGON((0 0,0 1,1 1,0 0))', 'T********')",
    ),
    (
        "Things",
        "$expand",
        "Datastreams($select=name;$expand=Observations($top=3;$orderby=result desc))",
    ),
    ("Things", "$select", "id,name,properties/a[0]/b,Datastreams"),
    (
        "Observations",
        "$orderby",
        "geo.distance(FeatureOfInterest/feature, geography'POINT(1 2)') desc",
    ),
]


@pytest.mark.parametrize(("entity_set", "option", "text"), VALID)
def test_mutations_never_crash(entity_set: str, option: str, text: str) -> None:
    r = random.Random(text)
    parse_query({option: text}, entity_set)
    alphabet = "()',;/=$[]-+ .:0aZ"
    for _ in range(400):
        chars = list(text)
        for _ in range(r.randint(1, 3)):
            i = r.randrange(len(chars) + 1)
            action = r.randrange(3)
            if action == 0 and i < len(chars):
                del chars[i]
            elif action == 1:
                chars.insert(i, r.choice(alphabet))
            elif i < len(chars):
                chars[i] = r.choice(alphabet)
        with contextlib.suppress(QueryError):
            parse_query({option: "".join(chars)}, entity_set)
        with contextlib.suppress(QueryError):
            parse_path("".join(chars))
