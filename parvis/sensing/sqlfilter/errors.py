"""The one error of the SQL compiler of $filter and $orderby."""

from __future__ import annotations


class UnsupportedFilter(Exception):
    """A $filter or $orderby the parser accepted but this server cannot evaluate.

    `status` is the HTTP status to answer with: 501 when the server lacks the means (a spatial
    function on PostgreSQL without PostGIS), 400 when the expression mixes types that have no
    meaning together (`name eq true`, `during(resultTime, 2015-01-01T00:00:00Z)`), which only
    the compiler can see because paths into JSON documents are untyped for the parser.
    """

    def __init__(self, message: str, *, status: int = 501) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def type_error(message: str) -> UnsupportedFilter:
    return UnsupportedFilter(message, status=400)
