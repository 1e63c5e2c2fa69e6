"""$filter and $orderby of the SensorThings API in SQL, alike on SQLite and PostgreSQL.

`compile_filter` turns a parsed $filter (parvis.sensing.sta.query) into a WHERE condition on the
table of the filtered entity type, `compile_orderby` a parsed $orderby into ORDER BY clauses.
The schema comes from parvis.sensing.mapping. SQLite connections need the functions of
`install_sqlite_functions` (spatial predicates, time arithmetic...); on PostgreSQL, spatial
functions need PostGIS (`postgis_available`). In short: a predicate through a to-many
relation holds when it holds for some related entity; comparisons with null are never true
except `eq null` / `ne null`; times compare as FROST-Server's do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause

from parvis.sensing.mapping import ENTITIES
from parvis.sensing.sqlfilter.compiler import Compiler
from parvis.sensing.sqlfilter.dialects import sql_for
from parvis.sensing.sqlfilter.errors import UnsupportedFilter
from parvis.sensing.sqlfilter.orderby import order_by
from parvis.sensing.sqlfilter.postgis import postgis_available
from parvis.sensing.sqlfilter.scope import Visible
from parvis.sensing.sqlfilter.sqlite_functions import install_sqlite_functions
from parvis.sensing.sta.model import model_for
from parvis.sensing.sta.query.filter import OrderBy
from parvis.sensing.sta.query.nodes import Expr

__all__ = [
    "UnsupportedFilter",
    "compile_filter",
    "compile_orderby",
    "install_sqlite_functions",
    "postgis_available",
]


def _entity_type(name: str) -> str:
    """The entity type named `name` or whose entity set is `name` ("Thing" or "Things")."""
    if name in ENTITIES:
        return name
    found = model_for("v1.1").entity_set(name)
    if found is None:
        raise ValueError(f"unknown entity type {name!r}")
    return found.name


def compile_filter(
    expr: Expr,
    entity_type: str,
    table: FromClause,
    *,
    dialect: str,
    now: datetime,
    postgis: bool = True,
    visible: Visible | None = None,
) -> ColumnElement[bool]:
    """The WHERE condition of a $filter on `table`, the (possibly aliased) table of
    `entity_type` in the outer SELECT. `now` is the value of now(); `postgis=False` on a
    PostgreSQL database without PostGIS makes spatial functions raise UnsupportedFilter;
    `visible` hides related entities the reader may not see from paths through relations."""
    sql = sql_for(dialect, now=now, postgis=postgis, visible=visible)
    return Compiler(sql, _entity_type(entity_type), table).predicate(expr)


def compile_orderby(
    orderby: Sequence[OrderBy],
    entity_type: str,
    table: FromClause,
    *,
    dialect: str,
    now: datetime | None = None,
    postgis: bool = True,
) -> list[ColumnElement[Any]]:
    """ORDER BY clauses for `.order_by(*...)` (the caller appends its tie-breaker, the id).
    `now` is the value of now() (the current time when not given)."""
    sql = sql_for(dialect, now=now or datetime.now(UTC), postgis=postgis)
    return order_by(sql, orderby, _entity_type(entity_type), table)
