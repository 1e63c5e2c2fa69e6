"""`parvis sensing`: sensors and actuators.

parvis sensing import-airparif         # the real Airparif 2025 hourly NOx and CO series
parvis sensing load-actuators          # the demo's street lights and irrigation valve
parvis sensing credential --thing 12   # a device credential (the secret is shown once)
parvis sensing feed-objectives         # measure the objectives fed by Datastreams
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from parvis.kernel.context import Context
from parvis.kernel.errors import ParvisError
from parvis.sensing import credentials, loads, overview, runtime

console = Console(stderr=True)


def make_sensing_app(open_context: Callable[[], AbstractContextManager[Context]]) -> typer.Typer:
    sensing_app = typer.Typer(help="Sensors and actuators (SensorThings API).")

    @sensing_app.command("import-airparif")
    def import_airparif() -> None:
        """Load the Airparif 2025 hourly NOx and CO series (repeatable: adds nothing twice)."""
        started = time.perf_counter()
        with open_context() as ctx, console.status("Loading the Airparif series..."):
            report = loads.import_airparif(ctx.engine)
        console.print(
            f"{report.stations} stations, {report.datastreams} datastreams, "
            f"{report.observations:,} observations in {time.perf_counter() - started:.1f} s"
            + (f" ({report.skipped} datastreams were already loaded)" if report.skipped else "")
            + ". Source : Airparif (ODbL)."
        )

    @sensing_app.command("load-actuators")
    def load_actuators() -> None:
        """Add the demo's dimmable street lights and park irrigation valve."""
        with open_context() as ctx:
            created = loads.load_demo_actuators(ctx.engine)
        console.print(f"{created} actuators added.")

    @sensing_app.command("credential")
    def credential(
        thing: Annotated[int, typer.Option(help="The Thing the device belongs to.", min=1)],
        label: Annotated[str, typer.Option(help="A note for staff.")] = "",
        as_json: Annotated[bool, typer.Option("--json", help="One JSON line.")] = False,
    ) -> None:
        """Issue a device credential: Basic user name and secret, or the secret as a Bearer
        token; the same over MQTT. The secret is shown once."""
        with open_context() as ctx, ctx.sessions() as db:
            try:
                issued = credentials.issue_credential(db, thing, label)
            except ParvisError as e:
                console.print(f"[red]{e}[/red]")
                raise typer.Exit(1) from None
        if as_json:
            sys.stdout.write(
                json.dumps({"username": issued.username, "secret": issued.secret}) + "\n"
            )
            return
        console.print(f"user name: {issued.username}\nsecret:    {issued.secret}")

    @sensing_app.command("mosquitto-files")
    def mosquitto_files(
        folder: Annotated[Path, typer.Argument(help="Where to write passwd and acl.")],
    ) -> None:
        """Write Mosquitto's password and ACL files: the server's own user and every device
        credential, each device limited to its own topics. Reload Mosquitto afterwards
        (SIGHUP); its configuration needs `password_file`, `acl_file` and
        `use_username_as_clientid true`."""
        with open_context() as ctx:
            try:
                devices = runtime.write_mosquitto_files(ctx, folder)
            except ValueError as e:
                console.print(f"[red]{e}[/red]")
                raise typer.Exit(1) from None
        console.print(f"{devices} device accounts and the server's written to {folder}.")

    @sensing_app.command("feed-objectives")
    def feed_objectives() -> None:
        """Record today's value of every project objective fed by a Datastream."""
        with open_context() as ctx:
            with ctx.sessions() as db:
                measured = overview.measure_feeds(db)
            for event in measured:
                ctx.events.publish(event)
        console.print(f"{len(measured)} objectives measured.")

    return sensing_app
