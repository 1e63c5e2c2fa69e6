"""`parvis mobility`: import operators' feeds, poll bike-share stations, plan a journey.

    parvis mobility import-gtfs FILE.zip --operator SLUG [--name NAME]
    parvis mobility import-gbfs URL|FOLDER --operator SLUG [--name NAME]
    parvis mobility poll-gbfs [--once]
    parvis mobility plan --from STOP_ID --to STOP_ID --date YYYY-MM-DD --time HH:MM
                         [--timetable-only] [--arrive-by] [--modes transit,walk] [--json]

`--from` and `--to` take a stop id of a feed (or `lat,lon` outside `--timetable-only`). With
`--json`, `plan` prints one JSON document and nothing else on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parvis.kernel.context import Context
from parvis.kernel.errors import ParvisError
from parvis.mobility import actions, journeys
from parvis.mobility.models import FeedImport, FeedKind, ImportStatus, OperatorKind
from parvis.mobility.network import NetworkCache

console = Console(stderr=True)


def make_mobility_app(open_context: Callable[[], AbstractContextManager[Context]]) -> typer.Typer:
    """The `mobility` commands; `open_context` gives a context whose database is upgraded."""
    mobility_app = typer.Typer(
        help="Mobility: operators' feeds (GTFS, GBFS) and the journey planner.",
        no_args_is_help=True,
    )

    @mobility_app.command("import-gtfs")
    def import_gtfs(
        file: Annotated[Path, typer.Argument(help="A GTFS zip.", exists=True, dir_okay=False)],
        operator: Annotated[str, typer.Option(help="Operator slug, e.g. sncf-transilien.")],
        name: Annotated[str, typer.Option(help="Operator name, if it is new.")] = "",
        feed: Annotated[str, typer.Option(help="Feed slug within the operator.")] = "gtfs",
        strict: Annotated[bool, typer.Option(help="Refuse the feed on any error.")] = False,
    ) -> None:
        """Check a GTFS feed and make it the operator's timetable (a broken feed is refused
        and the previous one kept)."""
        with (
            open_context() as ctx,
            ctx.sessions() as db,
            console.status("Reading the feed...") as status,
        ):
            op = actions.ensure_operator(db, operator, name or operator, OperatorKind.TRANSIT)
            target = actions.ensure_feed(db, op, feed, FeedKind.GTFS)
            labels = {
                "read": "Reading and checking the feed...",
                "check": "Building a day of the timetable...",
                "store": "Storing the feed...",
            }
            done = actions.import_gtfs(
                db,
                ctx.storage,
                target,
                file.read_bytes(),
                progress=lambda step: status.update(labels.get(step, step)),
                strict=strict,
            )
            _report(done)

    @mobility_app.command("import-gbfs")
    def import_gbfs(
        source: Annotated[str, typer.Argument(help="gbfs.json URL, or a folder of GBFS files.")],
        operator: Annotated[str, typer.Option(help="Operator slug, e.g. velib.")],
        name: Annotated[str, typer.Option(help="Operator name, if it is new.")] = "",
        feed: Annotated[str, typer.Option(help="Feed slug within the operator.")] = "gbfs",
    ) -> None:
        """Import bike-share stations and their status; with a URL, the feed is then polled
        by `parvis mobility poll-gbfs`."""
        folder = Path(source)
        url = "" if folder.is_dir() else source
        with open_context() as ctx, ctx.sessions() as db, console.status("Fetching the feed..."):
            op = actions.ensure_operator(db, operator, name or operator, OperatorKind.BIKESHARE)
            target = actions.ensure_feed(db, op, feed, FeedKind.GBFS, source_url=url)
            if url:
                target.source_url = url
            files = (
                {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}
                if not url
                else actions.fetch_gbfs(url)
            )
            _report(actions.import_gbfs(db, ctx.storage, target, files))

    @mobility_app.command("poll-gbfs")
    def poll_gbfs(
        once: Annotated[bool, typer.Option(help="Poll once and stop.")] = False,
        every: Annotated[int, typer.Option(help="Seconds between rounds.", min=5)] = 30,
    ) -> None:
        """Fetch the GBFS feeds that have a source URL when they are due, forever."""
        with open_context() as ctx:
            while True:
                for done in actions.poll_gbfs_feeds(ctx):
                    console.print(
                        f"feed {done.feed_id}: {done.status}, "
                        f"{done.summary.get('stations', 0)} stations, {done.error_count} errors"
                    )
                if once:
                    return
                time.sleep(every)

    @mobility_app.command("plan")
    def plan(
        origin: Annotated[str, typer.Option("--from", help="Stop id, or lat,lon.")],
        destination: Annotated[str, typer.Option("--to", help="Stop id, or lat,lon.")],
        day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD (the feed's days).")],
        at: Annotated[str, typer.Option("--time", help="HH:MM, local time of the feed.")],
        timetable_only: Annotated[
            bool, typer.Option(help="Only the feeds: no walking or cycling, no street links.")
        ] = False,
        arrive_by: Annotated[bool, typer.Option(help="Arrive by --time.")] = False,
        modes: Annotated[str, typer.Option(help="transit,walk,bike,bikeshare")] = "",
        max_transfers: Annotated[int, typer.Option(min=0, max=10)] = 5,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
    ) -> None:
        """Plan a journey and print its legs, times and transfers."""
        started = time.perf_counter()
        try:
            when = datetime.combine(date.fromisoformat(day), _clock(at))
        except ValueError:
            console.print("[red]--date is YYYY-MM-DD and --time is HH:MM.[/red]")
            raise typer.Exit(2) from None
        with open_context() as ctx, ctx.sessions() as db:
            try:
                result = journeys.plan_journeys(
                    db,
                    NetworkCache(ctx),
                    journeys.PlanRequest(
                        origin=origin,
                        destination=destination,
                        when=when,
                        arrive_by=arrive_by,
                        modes=tuple(m for m in modes.split(",") if m.strip()) or None,
                        max_transfers=max_transfers,
                        timetable_only=timetable_only,
                    ),
                )
            except ParvisError as error:
                console.print(f"[red]{error.detail}[/red]")
                raise typer.Exit(2) from None
        result["seconds"] = round(time.perf_counter() - started, 3)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            return
        _print_plan(result)

    return mobility_app


def _clock(text: str) -> Any:
    return datetime.strptime(text, "%H:%M").time()


def _report(done: FeedImport) -> None:
    if done.status == ImportStatus.REFUSED:
        console.print(f"[red]Refused[/red] ({done.error_count} errors); the previous feed is kept.")
    else:
        console.print(f"[green]Imported[/green]: {done.summary}")
    for problem in done.problems[:20]:
        where = problem.get("where") or problem.get("line") or ""
        console.print(f"  {problem['severity']}: {problem['file']}:{where}: {problem['message']}")
    if len(done.problems) > 20:
        console.print(f"  ... and {len(done.problems) - 20} more")
    if done.status == ImportStatus.REFUSED:
        raise typer.Exit(1)


def _print_plan(result: dict[str, Any]) -> None:
    out = Console()
    if not result["journeys"]:
        out.print("No journey.")
        return
    for n, journey in enumerate(result["journeys"], 1):
        table = Table(
            title=f"Journey {n}: {journey['departure'][11:16]} → "
            f"{journey['arrival'][11:16]}, {journey['transfers']} transfers"
        )
        for column in ("mode", "from", "departure", "to", "arrival", "line"):
            table.add_column(column)
        for leg in journey["legs"]:
            table.add_row(
                leg["mode"],
                leg["from"]["name"],
                leg["departure"][11:16],
                leg["to"]["name"],
                leg["arrival"][11:16],
                leg.get("route_name") or "",
            )
        out.print(table)
