"""Where the Pabulib test files are, for the `test_budgeting_*` tests.

Two small real files ship in `tests/participation/data/`; the six real files of the project
live in `../shared/data/participation/` next to the repository. Outside CI, tests that need
that folder are skipped (with the reason) when it is absent; under CI=true they fail.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from parvis.participation.budgeting import Election, read_pb
from tests.services import IN_CI

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "data" / "participation"

ASSEN = "Netherlands_Assen_2024.pb"
WIELICZKA = "Poland_Wieliczka_2023_Green_Budget.pb"
TOULOUSE = "France_Toulouse_2024.pb"
AMSTERDAM = "Netherlands_Amsterdam_621.pb"
WARSZAWA = "Poland_Warszawa_2026.pb"
LODZ = "Poland_Lodz_2022.pb"
ALL_FILES = (ASSEN, WIELICZKA, TOULOUSE, AMSTERDAM, WARSZAWA, LODZ)
SHIPPED = (ASSEN, WIELICZKA)


def require_shared() -> Path:
    if not SHARED.is_dir():
        message = f"the shared Pabulib data folder {SHARED} is absent"
        if IN_CI:
            pytest.fail(message + " (required under CI)")
        pytest.skip(message + "; these tests run where it exists (and always under CI)")
    return SHARED


def path_of(name: str) -> Path:
    shipped = FIXTURES / name
    if shipped.exists():
        return shipped
    return require_shared() / name


@cache
def _load(name: str) -> Election:
    return read_pb(path_of(name))


def load(name: str) -> Election:
    path_of(name)  # skips (or fails under CI) before caching anything
    return _load(name)


@cache
def _outcomes(shared: bool) -> dict[str, Any]:
    folder = SHARED if shared else FIXTURES
    data: dict[str, Any] = json.loads((folder / "outcomes.json").read_text(encoding="utf-8"))
    return data


def outcomes(name: str) -> dict[str, Any]:
    """The official and pabutools winners recorded for `name`."""
    if name in SHIPPED:
        return dict(_outcomes(False)[name])
    require_shared()
    return dict(_outcomes(True)[name])
