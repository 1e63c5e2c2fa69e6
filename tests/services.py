"""Which real services this machine offers; in CI (CI=true) a missing one is a failure."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("PARVIS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CHROMIUM = os.environ.get("PARVIS_TEST_CHROMIUM", "/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


MISSING: dict[str, str] = {}


def require(name: str, available: bool) -> bool:
    """Record a missing service; in CI the caller must fail instead of skipping."""
    if not available:
        MISSING[name] = "in CI this is a failure" if IN_CI else "skipped on this machine"
    return available
