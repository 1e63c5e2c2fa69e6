"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from parvis.kernel.db import Base, make_engine
from parvis.kernel.migrate import upgrade
from parvis.migrations.registry import import_models


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    import_models()
    engine = make_engine(database_url)
    upgrade(engine)  # already at head: a second run changes nothing
    with engine.connect() as connection:
        ours = set(Base.metadata.tables)

        def include_object(obj: object, name: str | None, kind: str, *_: object) -> bool:
            # Other tenants of the database (the job queue's tables) are not ours to compare.
            table = getattr(obj, "table", obj) if kind != "table" else obj
            return getattr(table, "name", name) in ours

        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == []
    assert {"users", "projects", "objectives", "comments", "pb_ballots", "proposals"} <= tables
