"""Background jobs on PostgreSQL go through procrastinate and run in `parvis worker`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parvis.app import create_app
from parvis.kernel.jobs import Jobs
from parvis.kernel.settings import Settings
from tests.conftest import _truncate_pg, csrf


@pytest.mark.postgresql
def test_worker_sends_the_mails_deferred_by_the_web(pg_database: str, tmp_path: Path) -> None:
    _truncate_pg(pg_database)
    outbox = tmp_path / "outbox"
    settings = Settings(
        environment="test",
        database_url=pg_database,
        outbox_dir=outbox,  # type: ignore[arg-type]
        jobs_in_process=False,
        base_url="https://parvis.test",
        mqtt_mode="off",
        _env_file=None,  # type: ignore[call-arg]
    )
    Jobs(settings).apply_schema()
    assert not Jobs(settings).apply_schema()  # applied once
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.post(
            "/account/signup",
            data={
                "email": "worker@example.org",
                "password": "a long passphrase",
                "display_name": "W",
                "csrf_token": csrf(client),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
    assert not outbox.exists()  # nothing runs in the web process
    env = os.environ | {
        "PARVIS_DATABASE_URL": pg_database,
        "PARVIS_OUTBOX_DIR": str(outbox),
        "PARVIS_ENVIRONMENT": "test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "parvis", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode()
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1, output
    assert "worker@example.org" in mails[0].read_text()
