"""10,000 residents vote at once over HTTP on PostgreSQL: every ballot counted exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import insert, select

from parvis.kernel.auth.models import ApiToken, Role, User
from parvis.kernel.auth.passwords import hash_password
from parvis.kernel.auth.tokens import hash_token
from parvis.kernel.db import make_engine, make_session_factory, utcnow
from parvis.participation.budgets.models import Ballot, VoterRecord
from tests.conftest import _truncate_pg

VOTERS = int(os.environ.get("PARVIS_LOAD_VOTERS", "10000"))
CONCURRENCY = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str) -> tuple[list[str], dict[int, list[int]]]:
    """Staff, an edition in its vote phase with 5 projects per envelope, and VOTERS residents
    with their API tokens (inserted in bulk: hashing 10,000 passwords would take minutes)."""
    from parvis.app import build_context
    from parvis.kernel.settings import Settings
    from parvis.participation.budgets import actions
    from parvis.participation.budgets.models import Phase
    from parvis.participation.budgets.schemas import (
        BudgetProjectCreate,
        EditionCreate,
        FeasibilityReview,
    )

    ctx = build_context(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    password = hash_password("load test passphrase")
    with ctx.sessions() as db:
        edition = actions.create_edition(
            db,
            EditionCreate.model_validate(
                {
                    "year": 2027,
                    "title": "Charge",
                    "max_choices": 3,
                    "envelopes": [
                        {"kind": "city", "name": "Tout Paris", "budget_eur": 10_000_000},
                        {
                            "kind": "arrondissement",
                            "arrondissement": 11,
                            "name": "11e",
                            "budget_eur": 1_000_000,
                        },
                    ],
                }
            ),
        )
        envelopes: dict[int, list[int]] = {}
        from parvis.participation.budgets.queries import envelopes_of

        for envelope in envelopes_of(db, edition.id):
            ids = []
            for n in range(5):
                project = actions.add_project(
                    db,
                    BudgetProjectCreate(
                        envelope_id=envelope.id, title=f"Projet {n}", summary="Un projet"
                    ),
                )
                ids.append(project.id)
            envelopes[envelope.id] = ids
        actions.change_phase(ctx, db, edition.id, Phase.CO_CONSTRUCTION)
        for ids in envelopes.values():
            for pid in ids:
                actions.review_feasibility(
                    db, pid, FeasibilityReview(feasibility="feasible", cost_eur=100_000)
                )
        actions.change_phase(ctx, db, edition.id, Phase.FEASIBILITY)
        actions.change_phase(ctx, db, edition.id, Phase.VOTE)
        now = utcnow()
        db.execute(
            insert(User),
            [
                {
                    "email": f"voter{i}@example.org",
                    "password_hash": password,
                    "display_name": f"V{i}",
                    "role": Role.RESIDENT,
                    "locale": "fr",
                    "email_confirmed_at": now,
                    "created_at": now,
                }
                for i in range(VOTERS)
            ],
        )
        ids_by_email = dict(db.execute(select(User.email, User.id)).all())  # type: ignore[arg-type]
        tokens = [f"load{i:05d}" + "x" * 30 for i in range(VOTERS)]
        db.execute(
            insert(ApiToken),
            [
                {
                    "token_hash": hash_token(t),
                    "user_id": ids_by_email[f"voter{i}@example.org"],
                    "name": "load",
                    "created_at": now,
                }
                for i, t in enumerate(tokens)
            ],
        )
        db.commit()
    ctx.engine.dispose()
    return [f"pv_{t}" for t in tokens], envelopes


async def _vote_all(base: str, tokens: list[str], plan: list[tuple[int, list[int]]]) -> list[int]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def one(token: str, envelope: int, projects: list[int]) -> int:
            async with semaphore:
                response = await client.put(
                    f"/api/budgets/envelopes/{envelope}/ballot",
                    json={"choices": {str(p): 1 for p in projects}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                return response.status_code

        return await asyncio.gather(*(one(t, e, p) for t, (e, p) in zip(tokens, plan, strict=True)))


def _in_own_loop(base: str, tokens: list[str], plan: list[tuple[int, list[int]]]) -> list[int]:
    """Run the clients in a thread of their own: another test (the browser's) may already run
    an event loop in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(_vote_all(base, tokens, plan))).result()


@pytest.mark.postgresql
@pytest.mark.slow
def test_ten_thousand_concurrent_voters_are_each_counted_once(
    pg_database: str, tmp_path: Path
) -> None:
    _truncate_pg(pg_database)
    tokens, envelopes = _seed(pg_database)
    rng = random.Random(2027)
    city, local = sorted(envelopes)
    plan = [
        (
            city if i % 2 else local,
            rng.sample(envelopes[city if i % 2 else local], rng.randint(1, 3)),
        )
        for i in range(VOTERS)
    ]
    port = _free_port()
    env = os.environ | {
        "PARVIS_DATABASE_URL": pg_database,
        "PARVIS_ENVIRONMENT": "test",
        "PARVIS_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "parvis.asgi:app",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/budgets", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        statuses = _in_own_loop(base, tokens, plan)
        # a thousand voters replay their ballot at once: it is replaced, never doubled
        replays = _in_own_loop(base, tokens[:1000], plan[:1000])
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert Counter(statuses) == {200: VOTERS}, output[-2000:]
    assert Counter(replays) == {200: min(1000, VOTERS)}
    engine = make_engine(pg_database)
    with make_session_factory(engine)() as db:
        ballots = list(db.scalars(select(Ballot)))
        voters = db.scalar(select(VoterRecord.id).limit(1))
        recorded = Counter(int(p) for b in ballots for p in b.choices)
    engine.dispose()
    assert voters is not None
    assert len(ballots) == VOTERS  # none lost, none doubled (replays replaced their ballot)
    assert recorded == Counter(p for _e, projects in plan for p in projects)  # independent recount
