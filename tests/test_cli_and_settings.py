"""The `parvis` command and the settings: demo data, admin creation, default secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from parvis.cli import app as cli
from parvis.kernel.auth import Role, User
from parvis.kernel.db import make_engine, make_session_factory
from parvis.kernel.settings import Settings
from parvis.projects.models import Project
from parvis.territory.models import Arrondissement, Quartier

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PARVIS_DATABASE_URL", database_url)
    monkeypatch.setenv("PARVIS_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.chdir(tmp_path)
    return database_url


def count(url: str, model: type) -> int:
    engine = make_engine(url)
    with make_session_factory(engine)() as db:
        n = db.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return n


def test_db_upgrade_then_demo_load_is_repeatable(env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(cli, ["demo", "load"])
    assert first.exit_code == 0, first.output
    assert count(env, Arrondissement) == 20
    assert count(env, Quartier) == 80
    projects = count(env, Project)
    assert projects >= 12
    again = runner.invoke(cli, ["demo", "load"])
    assert again.exit_code == 0, again.output
    assert count(env, Project) == projects  # loading twice adds nothing
    engine = make_engine(env)
    with make_session_factory(engine)() as db:
        population = db.scalar(select(func.sum(Arrondissement.population)))
        admin = db.scalar(select(User).where(User.role == Role.ADMIN))
    engine.dispose()
    assert population == 2_129_257  # INSEE 2022, population totale
    assert admin is not None


def test_create_admin(env: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "users",
            "create-admin",
            "--email",
            "maire@paris.fr",
            "--name",
            "Maire",
            "--password",
            "une phrase secrète",
        ],
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(env)
    with make_session_factory(engine)() as db:
        user = db.scalar(select(User).where(User.email == "maire@paris.fr"))
        assert user is not None and user.role == Role.ADMIN and user.is_confirmed
    engine.dispose()
    duplicate = runner.invoke(
        cli,
        ["users", "create-admin", "--email", "maire@paris.fr", "--password", "une phrase secrète"],
    )
    assert duplicate.exit_code == 1


def test_worker_is_not_needed_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARVIS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(cli, ["worker"])
    assert result.exit_code == 0


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARVIS_ENVIRONMENT", "production")
    monkeypatch.delenv("PARVIS_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("PARVIS_SECRET_KEY", "short")
    with pytest.raises(ValueError, match="32 characters"):
        Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("PARVIS_SECRET_KEY", "x" * 40)
    assert Settings(_env_file=None).secret_key == "x" * 40  # type: ignore[call-arg]
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"PARVIS_SECRET_KEY": ""})
    assert result.exit_code == 2


def test_defaults_need_no_service() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url.startswith("sqlite:///./var/")
    assert settings.run_jobs_in_process
    assert settings.smtp_host == ""


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`PARVIS_([A-Z0-9_]+)`", readme))
    missing = {name.upper() for name in Settings.model_fields} - documented
    assert not missing, f"settings missing from README.md: {sorted(missing)}"
