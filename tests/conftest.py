"""Fixtures: every database test runs on SQLite and on PostgreSQL; personas; HTTP clients."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from parvis.app import create_app
from parvis.kernel.auth import Role, User
from parvis.kernel.auth.passwords import hash_password
from parvis.kernel.db import make_engine, utcnow
from parvis.kernel.migrate import upgrade
from parvis.kernel.settings import Settings
from tests import services

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)
HAS_PG = services.require("PostgreSQL", services.postgres_available())


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("PARVIS_ENVIRONMENT", "test")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if services.MISSING:
        terminalreporter.section("SERVICES NOT AVAILABLE", sep="!", red=True, bold=True)
        for name, what in services.MISSING.items():
            terminalreporter.write_line(f"!!! {name} is not available: its tests were {what}.")


def _pg_url(name: str) -> str:
    base = services.PG_ADMIN_URL.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return path


@contextmanager
def migrated_pg_database(prefix: str = "parvis_test") -> Iterator[str]:
    """A PostgreSQL database of its own, migrated, dropped afterwards (fails in CI without
    PostgreSQL, skips loudly elsewhere)."""
    if not HAS_PG:
        if services.IN_CI:
            pytest.fail("PostgreSQL is required in CI but is not reachable")
        pytest.skip("PostgreSQL is not available on this machine")
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(services.PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(services.PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    with migrated_pg_database() as url:
        yield url


def _truncate_pg(url: str) -> None:
    from parvis.kernel.db import Base
    from parvis.migrations.registry import import_models

    import_models()
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "parvis.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",  # type: ignore[arg-type]
        database_url=database_url,
        outbox_dir=tmp_path / "outbox",
        storage_url=f"file://{tmp_path / 'uploads'}",
        base_url="https://parvis.test",
        jobs_in_process=True,
        mqtt_mode="off",  # the MQTT tests start their own brokers
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.ctx.jobs.close()
    application.state.ctx.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn in a thread: requests run truly in parallel, and
    clients that need a real HTTP server (frost-sta-client) can reach it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


@pytest.fixture
def make_user(app: FastAPI) -> Callable[..., User]:
    """A factory of accounts; the password of each is PASSWORD."""
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.RESIDENT, confirmed: bool = True, **fields: Any) -> User:
        n = next(counter)
        values: dict[str, Any] = {
            "email": f"{role.value}{n}@example.org",
            "display_name": f"{role.value.title()} {n}",
            "password_hash": _PASSWORD_HASH,
            "role": role,
            "email_confirmed_at": utcnow() if confirmed else None,
        }
        values.update(fields)
        with app.state.ctx.sessions() as db:
            user = User(**values)
            db.add(user)
            db.commit()
            return user

    return make


def sign_in(client: TestClient, user: User) -> None:
    client.get("/account/signin")
    response = client.post(
        "/account/signin",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf(client: TestClient) -> str:
    token = client.cookies.get("parvis_csrf")
    if token is None:
        client.get("/account/signin")
        token = client.cookies.get("parvis_csrf")
    assert token
    return token


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user(Role.RESIDENT, arrondissement=11)


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user(Role.STAFF)


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user(Role.MODERATOR)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN)


@pytest.fixture
def api_token(app: FastAPI) -> Callable[[User], dict[str, str]]:
    from parvis.kernel.auth.actions import create_api_token

    def make(user: User) -> dict[str, str]:
        with app.state.ctx.sessions() as db:
            token = create_api_token(db, db.merge(user), "tests")
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def territory(app: FastAPI) -> None:
    from parvis.territory.actions import load_territory

    with app.state.ctx.sessions() as db:
        load_territory(db)


def outbox(app: FastAPI) -> list[str]:
    app.state.ctx.jobs.drain()
    folder: Path = app.state.ctx.settings.outbox_dir
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body()
        assert body is not None
        messages.append(
            f"To: {message['To']}\nSubject: {message['Subject']}\n\n{body.get_content()}"
        )
    return messages


# -- the browser, shared by every folder's browser tests ---------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    if not services.require("Chromium", services.chromium_available()):
        message = f"Chromium is not installed at {services.CHROMIUM}: browser tests cannot run"
        if services.IN_CI:
            pytest.fail(f"{message} (it is required in CI)")
        pytest.skip(f"!!! {message} — SKIPPED, install the chromium package !!!")
    return services.CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    """One Playwright per session: its sync API keeps an event loop in the main thread, so a
    second instance (a fixture redefined in another folder) would refuse to start."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
