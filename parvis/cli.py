"""The `parvis` command: `serve` by default, plus database, demo, users and worker commands."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from parvis.kernel.context import Context
from parvis.kernel.settings import Settings
from parvis.mobility.commands import make_mobility_app
from parvis.participation.commands import budget_app
from parvis.sensing.commands import make_sensing_app
from parvis.wifi.commands import make_wifi_app

app = typer.Typer(help="Parvis, the citizen-first smart-city platform.", no_args_is_help=False)
db_app = typer.Typer(help="Database commands.")
demo_app = typer.Typer(help="Demo data.")
users_app = typer.Typer(help="Accounts.")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(budget_app, name="budget")


@contextmanager
def _open_context() -> Iterator[Context]:
    from parvis.app import build_context

    settings = _settings()
    upgrade_database(settings)
    ctx = build_context(settings)
    try:
        yield ctx
    finally:
        ctx.jobs.close()
        ctx.engine.dispose()


app.add_typer(make_mobility_app(_open_context), name="mobility")
app.add_typer(make_wifi_app(_open_context), name="wifi")
app.add_typer(make_sensing_app(_open_context), name="sensing")
console = Console(stderr=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:
        console.print(f"[red]Invalid settings:[/red] {error}")
        raise typer.Exit(2) from None


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    """Without a command, `parvis` serves the platform."""
    if ctx.invoked_subcommand is None:
        serve()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Upgrade the database, then serve Parvis over HTTP."""
    import uvicorn

    settings = _settings()
    upgrade_database(settings)
    host, port = host or settings.host, port or settings.port
    console.print(f"Parvis is running at [bold]http://{host}:{port}/[/bold]  (Ctrl+C to stop)")
    uvicorn.run(
        "parvis.asgi:app",
        host=host,
        port=port,
        workers=workers or settings.workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="info",
    )


def upgrade_database(settings: Settings) -> None:
    from parvis.kernel.db import make_engine
    from parvis.kernel.jobs import Jobs
    from parvis.kernel.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    if not settings.is_sqlite:
        Jobs(settings).apply_schema()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (and the job queue's schema on PostgreSQL)."""
    settings = _settings()
    upgrade_database(settings)
    console.print("[green]Database is up to date.[/green]")


@demo_app.command("load")
def demo_load() -> None:
    """Load the real Paris boundaries and population, and a dozen realistic projects."""
    from parvis.demo import load_demo

    settings = _settings()
    upgrade_database(settings)
    load_demo(settings, console)


@users_app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True, help="Email address of the administrator.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "Administrator",
    password: Annotated[
        str | None, typer.Option(help="Password (prompted when absent; or PARVIS_ADMIN_PASSWORD).")
    ] = None,
) -> None:
    """Create a confirmed administrator account."""
    from parvis.app import build_context
    from parvis.kernel.auth import Role
    from parvis.kernel.auth.actions import sign_up
    from parvis.kernel.errors import ParvisError

    settings = _settings()
    upgrade_database(settings)
    password = password or os.environ.get("PARVIS_ADMIN_PASSWORD") or getpass.getpass()
    ctx = build_context(settings)
    try:
        with ctx.sessions() as db:
            user = sign_up(
                ctx,
                db,
                email=email,
                password=password,
                display_name=name,
                role=Role.ADMIN,
                confirmed=True,
            )
    except ParvisError as error:
        console.print(f"[red]{error.detail}[/red]")
        raise typer.Exit(1) from None
    finally:
        ctx.jobs.close()
        ctx.engine.dispose()
    console.print(f"[green]Administrator {user.email} created.[/green]")


@app.command()
def worker() -> None:
    """Run background jobs (mail, notifications) from the PostgreSQL queue."""
    from parvis.app import build_context

    settings = _settings()
    if settings.is_sqlite:
        console.print("[yellow]On SQLite, jobs run inside `parvis serve`: no worker needed.")
        raise typer.Exit(0)
    upgrade_database(settings)
    console.print("Worker started.")
    build_context(settings).jobs.run_worker()


def main() -> None:
    app()
