"""Fixtures of the SensorThings HTTP tests: the API as staff, and module-wide apps on their own
database (SQLite and PostgreSQL) for the read-only checks that share one dataset."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from parvis.app import create_app
from parvis.kernel.auth import Role, User
from parvis.kernel.auth.actions import create_api_token
from parvis.kernel.db import utcnow
from parvis.kernel.settings import Settings
from tests.conftest import _PASSWORD_HASH, migrated_pg_database
from tests.sensing.sta_http import Sta


@pytest.fixture
def sta(client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]) -> Sta:
    """The SensorThings API v1.1 as a staff member (Bearer API token)."""
    return Sta(client, api_token(staff))


@contextmanager
def _database(request: pytest.FixtureRequest, kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = folder / "parvis.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    with migrated_pg_database("parvis_sta") as url:
        yield url


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def module_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    """An app on a database of its own, for a module whose tests only read a shared dataset."""
    folder = tmp_path_factory.mktemp("sta")
    with _database(request, request.param, folder) as url:
        settings = Settings(
            environment="test",  # type: ignore[arg-type]
            database_url=url,
            outbox_dir=folder / "outbox",
            storage_url=f"file://{folder / 'uploads'}",
            base_url="https://parvis.test",
            jobs_in_process=True,
            mqtt_mode="off",
            _env_file=None,  # type: ignore[call-arg]
        )
        application = create_app(settings)
        yield application
        application.state.ctx.jobs.close()
        application.state.ctx.engine.dispose()


@pytest.fixture(scope="module")
def module_staff(module_app: FastAPI) -> Iterator[Sta]:
    """The SensorThings API of `module_app` as a staff member."""
    with module_app.state.ctx.sessions() as db:
        user = User(
            email=f"staff-{uuid.uuid4().hex[:8]}@example.org",
            display_name="Staff",
            password_hash=_PASSWORD_HASH,
            role=Role.STAFF,
            email_confirmed_at=utcnow(),
        )
        db.add(user)
        db.commit()
        token = create_api_token(db, user, "tests")
    with TestClient(module_app, base_url="https://testserver") as http:
        yield Sta(http, {"Authorization": f"Bearer {token}"})
