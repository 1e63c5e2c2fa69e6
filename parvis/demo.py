"""`parvis demo load`: the real Paris territory and a dozen realistic projects."""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis import indicators, participation
from parvis.app import build_context
from parvis.demo_data import COMMENTS, PEOPLE, P
from parvis.demo_mobility import load_mobility
from parvis.demo_participation import load_participation
from parvis.kernel.auth import Role, User
from parvis.kernel.auth.actions import sign_up
from parvis.kernel.context import Context
from parvis.kernel.settings import Environment, Settings
from parvis.projects import actions
from parvis.projects.models import Project, Status
from parvis.projects.schemas import JournalEntryCreate, ProjectCreate
from parvis.sensing.loads import import_airparif, load_demo_actuators
from parvis.territory.actions import load_territory
from parvis.wifi.actions import load_opendata

DEMO_PASSWORD = "parvis-demo-2026"  # noqa: S105 - documented demo accounts, never in production


def load_demo(settings: Settings, console: Console) -> None:
    if settings.environment == Environment.PRODUCTION:
        console.print("[red]Refusing to load demo accounts in production.[/red]")
        return
    ctx = build_context(settings)
    try:
        with Progress(console=console, transient=False) as progress, ctx.sessions() as db:
            task = progress.add_task("Paris: boundaries and population", total=7)
            arr, quartiers = load_territory(db)
            progress.update(
                task, advance=1, description=f"{arr} arrondissements, {quartiers} quartiers"
            )
            people = _load_people(ctx, db)
            progress.update(task, advance=1, description=f"{len(people)} people")
            created = _load_projects(ctx, db, people)
            progress.update(task, advance=1, description=f"{created} new projects")
            staff = people[PEOPLE[1][0]]
            budget_projects = load_participation(ctx, db, people, staff)
            progress.update(
                task, advance=1, description=f"proposals, {budget_projects} budget projects"
            )
            feeds = load_mobility(ctx, db)
            progress.update(task, advance=1, description=feeds)
            sites, candidates = load_opendata(db)
            progress.update(
                task, advance=1, description=f"{sites} Wi-Fi sites, {candidates} candidates"
            )
            air = import_airparif(ctx.engine)
            actuators = load_demo_actuators(ctx.engine)
            progress.update(
                task,
                advance=1,
                description=f"{air.stations} Airparif stations, {air.observations:,} "
                f"observations, {actuators} new actuators",
            )
        console.print(
            f"[green]Demo loaded.[/green] Sign in as {PEOPLE[0][0]} (admin), {PEOPLE[1][0]} "
            f"(staff) or {PEOPLE[3][0]} (resident), password [bold]{DEMO_PASSWORD}[/bold]."
        )
    finally:
        ctx.jobs.close()
        ctx.engine.dispose()


def _load_people(ctx: Context, db: Session) -> dict[str, User]:
    people: dict[str, User] = {}
    for email, name, role, arrondissement in PEOPLE:
        user = db.scalar(select(User).where(User.email == email))
        if user is None:
            user = sign_up(
                ctx,
                db,
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                arrondissement=arrondissement,
                role=Role(role),
                confirmed=True,
            )
        people[email] = user
    return people


def _load_projects(ctx: Context, db: Session, people: dict[str, User]) -> int:
    staff = people[PEOPLE[1][0]]
    residents = [people[p[0]] for p in PEOPLE if p[2] == "resident"]
    existing = set(db.scalars(select(Project.title)))
    created: list[int] = []
    for spec in P:
        if spec["title"] in existing:
            continue
        point = spec["point"]
        project = actions.create_project(
            db,
            staff,
            ProjectCreate(
                title=spec["title"],
                summary=spec["summary"],
                description=spec["description"],
                department=spec["department"],
                arrondissements=spec["arrondissements"],
                budget_eur=spec["budget_eur"],
                residents_reached=spec["residents_reached"],
                geometry={"type": "Point", "coordinates": point} if point else None,
                start_date=date(2026, 1, 15),
                end_date=date(2028, 12, 31),
            ),
        )
        created.append(project.id)
        target = Status(spec["status"])
        for status in Status:
            if Status.IDEA.rank < status.rank <= target.rank:
                actions.change_status(ctx, db, staff, project.id, status)
        for pillar, name, unit, baseline, goal, deadline, values in spec["objectives"]:
            objective = indicators.add_objective(
                db,
                project.id,
                indicators.ObjectiveCreate(
                    pillar=pillar,
                    indicator=name,
                    unit=unit,
                    baseline=baseline,
                    target=goal,
                    deadline=date.fromisoformat(deadline),
                ),
            )
            start = date(2026, 1, 1)
            for i, value in enumerate(values):
                indicators.record_measurement(
                    db,
                    objective.id,
                    indicators.MeasurementCreate(
                        value=value, measured_on=start + timedelta(days=90 * i)
                    ),
                    user_id=staff.id,
                )
        for title, body in spec["journal"]:
            actions.post_journal_entry(
                ctx, db, staff, project.id, JournalEntryCreate(title=title, body=body)
            )
        for i, resident in enumerate(residents):
            if (project.id + i) % 2 == 0:
                participation.support(db, resident, actions.TARGET, project.id)
            participation.follow(db, resident, actions.TARGET, project.id)
    for index, person, body in COMMENTS:
        if index < len(created):
            participation.add_comment(
                db, people[PEOPLE[person][0]], actions.TARGET, created[index], body
            )
    return len(created)
