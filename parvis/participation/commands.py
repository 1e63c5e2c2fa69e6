"""`parvis budget`: count a Pabulib `.pb` file with a participatory-budgeting rule.

    parvis budget rules
    parvis budget count FILE.pb --rule mes-add1 [--explain] [--json] [-o NAME=VALUE ...]

`count` prints the selected projects (and, with `--explain`, why every project won or lost);
with `--json` it prints one line `{"selected": [...], "rule": ..., "seconds": ...}` (plus
`explanations` and `details` with `--explain`) and nothing else on stdout. Without `--rule`
the rule named in the file's META is used. Long counts show their progress on a terminal.
"""

from __future__ import annotations

import json
import time
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parvis.participation.budgeting import (
    RULES,
    BudgetingError,
    Election,
    Outcome,
    count,
    read_pb,
    rule_from_meta,
)
from parvis.participation.budgeting.explain import amount_str, money

budget_app = typer.Typer(
    help="Participatory budgeting: count Pabulib (.pb) files.", no_args_is_help=True
)


def _parse_options(pairs: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BudgetingError(f"option {pair!r} is not NAME=VALUE")
        options[name.strip().replace("-", "_")] = value.strip()
    return options


@budget_app.command("rules")
def rules_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line.")] = False,
) -> None:
    """List the counting rules and their options."""
    if as_json:
        data = [
            {
                "name": rule.name,
                "summary": rule.summary,
                "aliases": list(rule.aliases),
                "vote_types": sorted(str(v) for v in rule.vote_types),
                "options": {
                    o.name: {
                        "default": _plain(o.default),
                        "help": o.help,
                        **({"choices": list(o.choices)} if o.choices else {}),
                    }
                    for o in rule.options
                },
            }
            for rule in RULES.values()
        ]
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    table = Table(title="Counting rules", show_lines=True)
    table.add_column("rule", style="bold")
    table.add_column("what it does")
    table.add_column("options (default)")
    for rule in RULES.values():
        options = "\n".join(
            f"{o.name} ({_plain(o.default)})"
            + (f": {' | '.join(o.choices)}" if o.choices else f": {o.help}")
            for o in rule.options
        )
        summary = rule.summary
        if rule.aliases:
            summary += f"\n[dim]also: {', '.join(rule.aliases)}[/dim]"
        table.add_row(rule.name, summary, options)
    Console().print(table)


@budget_app.command("count")
def count_command(
    file: Annotated[Path, typer.Argument(help="A Pabulib .pb file.", exists=True, dir_okay=False)],
    rule: Annotated[
        str | None,
        typer.Option("--rule", "-r", help="Rule name (see `parvis budget rules`); default: META."),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", "-o", help="A rule option, NAME=VALUE (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line on stdout.")] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Say why every project won or lost.")
    ] = False,
) -> None:
    """Count FILE with a rule and print the selected projects."""
    err = Console(stderr=True)
    try:
        options = _parse_options(option or [])
        started = time.perf_counter()
        election = read_pb(file)
        parsed = time.perf_counter() - started
        if rule is None:
            meta_rule = rule_from_meta(election)
            if meta_rule is None:
                raise BudgetingError(
                    f"the file names no rule this module knows (META rule: "
                    f"{election.meta.get('rule', 'none')!r}); give --rule"
                )
            rule = meta_rule.name
        if as_json or not err.is_terminal:
            outcome = count(election, rule, **options)
        else:
            with err.status(f"Counting with {rule}...") as status:

                def progress(message: str) -> None:
                    status.update(f"Counting with {rule}: {message}")

                outcome = count(election, rule, progress=progress, **options)
    except BudgetingError as error:
        err.print(f"[red]Error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if as_json:
        data: dict[str, Any] = {
            "selected": list(outcome.selected),
            "rule": outcome.rule,
            "seconds": outcome.seconds,
        }
        if explain:
            full = outcome.to_dict(explain=True)
            data["details"] = full["details"]
            data["explanations"] = full["explanations"]
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    _print_outcome(Console(), election, outcome, parsed, explain)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return amount_str(value)


def _print_outcome(
    console: Console, election: Election, outcome: Outcome, parsed: float, explain: bool
) -> None:
    title = election.meta.get("description") or "Participatory budget"
    console.print(
        f"[bold]{title}[/bold]: {len(election.projects)} projects, "
        f"{election.n_voters:,} voters, budget {money(election.budget)}"
        + (f" {election.meta['currency']}" if election.meta.get("currency") else "")
    )
    options = ", ".join(f"{k}={_plain(v)}" for k, v in outcome.options.items())
    console.print(f"Rule [bold]{outcome.rule}[/bold] ({options})", highlight=False)
    table = Table(title=f"{len(outcome.selected)} projects selected")
    table.add_column("#", justify="right")
    table.add_column("project")
    table.add_column("name", max_width=50, overflow="ellipsis", no_wrap=True)
    table.add_column("cost", justify="right")
    table.add_column("score", justify="right")
    by_id = {p.id: p for p in election.projects}
    for position, pid in enumerate(outcome.selected, start=1):
        record = outcome.explanation(pid)
        table.add_row(str(position), pid, by_id[pid].name, money(record.cost), money(record.score))
    console.print(table)
    console.print(
        f"Cost {money(outcome.cost)} of {money(outcome.budget)} "
        f"(left {money(outcome.budget_left)}). Counted in {outcome.seconds:.3f} s "
        f"(file read in {parsed:.3f} s).",
        highlight=False,
    )
    for key, value in outcome.details.items():
        console.print(f"  {key}: {_detail(value)}", highlight=False)
    if explain:
        why = Table(title="Why each project won or lost", show_lines=False)
        why.add_column("project")
        why.add_column("status")
        why.add_column("reason")
        for record in outcome.explanations:
            style = "green" if record.selected else ""
            why.add_row(
                record.project,
                f"[{style}]{record.status}[/]" if style else str(record.status),
                record.reason,
            )
        console.print(why)


def _detail(value: Any) -> str:
    if isinstance(value, Fraction):
        return money(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_detail(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_detail(v) for v in value) or "-"
    return str(_plain(value))
