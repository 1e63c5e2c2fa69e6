"""The `Sql` of a database, by SQLAlchemy dialect name."""

from __future__ import annotations

from datetime import datetime

from parvis.sensing.sqlfilter.postgres_sql import PostgresSql
from parvis.sensing.sqlfilter.scope import Visible
from parvis.sensing.sqlfilter.sqlbase import Sql
from parvis.sensing.sqlfilter.sqlite_sql import SqliteSql


def sql_for(
    dialect: str, *, now: datetime, postgis: bool = True, visible: Visible | None = None
) -> Sql:
    if dialect == "sqlite":
        return SqliteSql(now=now, postgis=postgis, visible=visible)
    if dialect == "postgresql":
        return PostgresSql(now=now, postgis=postgis, visible=visible)
    raise ValueError(f"unsupported dialect {dialect!r}")
