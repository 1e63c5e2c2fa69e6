"""Whether a PostgreSQL database has PostGIS (the migration installs it when it can)."""

from __future__ import annotations

import weakref

from sqlalchemy import Connection, Engine, text

_KNOWN: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def postgis_available(connection: Connection) -> bool:
    """True on PostgreSQL with the postgis extension installed; cached per engine."""
    if connection.dialect.name != "postgresql":
        return False
    engine = connection.engine
    if engine not in _KNOWN:
        query = text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        _KNOWN[engine] = connection.execute(query).scalar() is not None
    return _KNOWN[engine]
