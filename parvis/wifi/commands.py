"""`parvis wifi`: the coverage of the Paris Wi-Fi and plans to extend it.

    parvis wifi load                       # the real sites and candidate mounting points
    parvis wifi coverage [--radius 100] [--cell 50] [--json]
    parvis wifi plan --new-sites N --radius R [--cell 25] [--time-limit 60] [--json]
    parvis wifi plan --target 0.8 ...      # the fewest new sites to reach 80 %
    parvis wifi plan --budget 250000 ...   # candidates' costs, a budget

With `--json` one line of JSON and nothing else on stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from parvis.kernel.context import Context
from parvis.kernel.errors import ParvisError
from parvis.wifi import actions, analysis
from parvis.wifi.models import PlanMode
from parvis.wifi.schemas import PlanCreate

console = Console(stderr=True)


def make_wifi_app(open_context: Callable[[], AbstractContextManager[Context]]) -> typer.Typer:
    wifi_app = typer.Typer(help="The Paris Wi-Fi: coverage and extension plans.")

    @wifi_app.command("load")
    def load() -> None:
        """Load the real Paris Wi-Fi sites and the candidate mounting points (repeatable)."""
        with open_context() as ctx, ctx.sessions() as db, console.status("Loading..."):
            sites, candidates = actions.load_opendata(db)
        console.print(f"{sites} sites, {candidates} candidate mounting points.")

    @wifi_app.command("coverage")
    def coverage(
        radius: Annotated[
            float, typer.Option(help="Radius of an AP, metres.", min=1, max=2000)
        ] = 100.0,
        cell: Annotated[float, typer.Option(help="Grid cell, metres.", min=25, max=500)] = 50.0,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON line.")] = False,
    ) -> None:
        """The share of Paris within reach of today's sites, by arrondissement."""
        with open_context() as ctx, ctx.sessions() as db:
            report = analysis.coverage_now(db, cell, radius)
        data = analysis.report_json(report)
        if as_json:
            data.pop("by_quartier")
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            return
        table = Table(title=f"Within {radius:g} m of {report.sites} sites")
        for column in ("arrondissement", "population covered", "area covered"):
            table.add_column(column)
        for a in [report.city, *report.by_arrondissement]:
            table.add_row(a.name, f"{a.population_share:.1%}", f"{a.area_share:.1%}")
        Console().print(table)

    @wifi_app.command("plan")
    def plan(
        new_sites: Annotated[int | None, typer.Option(help="How many new sites.", min=0)] = None,
        budget: Annotated[float | None, typer.Option(help="Budget, euros.", min=0)] = None,
        target: Annotated[
            float | None, typer.Option(help="Share of the population to reach (0-1].")
        ] = None,
        radius: Annotated[float, typer.Option(help="Radius of an AP, metres.")] = 100.0,
        cell: Annotated[float, typer.Option(help="Grid cell, metres.")] = 50.0,
        time_limit: Annotated[float, typer.Option(help="Seconds for the solver.")] = 60.0,
        method: Annotated[str, typer.Option(help="exact or greedy.")] = "exact",
        backup: Annotated[float, typer.Option(help="Weight of backup coverage, 0-1.")] = 0.0,
        title: Annotated[str, typer.Option(help="Title of the saved plan.")] = "",
        as_json: Annotated[bool, typer.Option("--json", help="One JSON line.")] = False,
    ) -> None:
        """Choose where to put new access points; the plan is saved with its instance."""
        mode = (
            PlanMode.SET_COVER
            if target is not None
            else PlanMode.BUDGET
            if budget is not None
            else PlanMode.MAX_COVER
        )
        try:
            data = PlanCreate(
                title=title or f"{mode.value} r={radius:g} m",
                mode=mode,
                new_sites=new_sites,
                budget_eur=budget,
                target_share=target,
                radius_m=radius,
                cell_m=cell,
                method=method,
                backup_weight=backup,
                time_limit=min(time_limit, 120.0),
            )
        except ValidationError as invalid:
            for error in invalid.errors():
                where = ".".join(str(x) for x in error["loc"])
                console.print(f"[red]{where or 'plan'}: {error['msg']}[/red]")
            raise typer.Exit(2) from None
        with open_context() as ctx, ctx.sessions() as db:
            with console.status("Building the demand grid...") as status:
                steps = {"grid": "Building the demand grid...", "solve": "Solving...",
                         "save": "Saving the plan..."}  # fmt: skip
                try:
                    saved = actions.create_plan(
                        db, ctx.storage, data, progress=lambda s: status.update(steps[s])
                    )
                except ParvisError as error:
                    console.print(f"[red]{error.detail}[/red]")
                    raise typer.Exit(2) from None
            summary = _summary(saved.id, saved.summary)
        if as_json:
            sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
            return
        if summary["status"] == "infeasible":
            console.print(f"[yellow]{summary['message']}[/yellow]")
        console.print(
            f"Plan {saved.id}: {summary['new_sites']} new sites, population covered "
            f"{summary['baseline_share']:.1%} → {summary['covered_share']:.1%} "
            f"({summary['status']}, gap {summary['gap']}, {summary['seconds']} s)"
        )

    return wifi_app


def _summary(plan_id: int, s: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "status", "message", "new_sites", "baseline_share", "covered_share", "objective",
        "bound", "gap", "seconds", "best_reachable_share", "cost",
    )  # fmt: skip
    return {"plan": plan_id, **{k: s.get(k) for k in keys}}
