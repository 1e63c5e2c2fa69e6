"""Reads on city projects: filtered lists, detail, news near a resident, prioritisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from parvis import indicators, participation, territory
from parvis.indicators import Pillar
from parvis.kernel.errors import NotFound
from parvis.kernel.i18n import gettext as _
from parvis.kernel.pagination import MAX_PAGE_SIZE, Page
from parvis.projects.actions import TARGET, project_link
from parvis.projects.models import JournalEntry, Project, ProjectPlace, Status, StatusChange
from parvis.projects.schemas import (
    JournalEntryPublic,
    ProjectDetail,
    ProjectPublic,
    StatusChangePublic,
)
from parvis.projects.tools import ToolRegistry


@dataclass(frozen=True)
class ProjectFilters:
    arrondissement: int | None = None
    status: Status | None = None
    pillar: Pillar | None = None
    q: str = ""


def _filtered(filters: ProjectFilters) -> Select[Project]:
    query = select(Project)
    if filters.arrondissement is not None:
        # A project with no arrondissement concerns the whole city, so it is near everyone.
        in_place = select(ProjectPlace.project_id).where(
            ProjectPlace.arrondissement == filters.arrondissement
        )
        citywide = (
            ~select(ProjectPlace.project_id).where(ProjectPlace.project_id == Project.id).exists()
        )
        query = query.where(or_(Project.id.in_(in_place), citywide))
    if filters.status is not None:
        query = query.where(Project.status == filters.status)
    if filters.pillar is not None:
        query = query.where(Project.id.in_(indicators.project_ids_with_pillar(filters.pillar)))
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        query = query.where(
            or_(func.lower(Project.title).like(pattern), func.lower(Project.summary).like(pattern))
        )
    return query


def list_projects(
    db: Session, filters: ProjectFilters, page: int = 1, size: int = 20
) -> Page[Project]:
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(1, page)
    query = _filtered(filters)
    # One round trip for the page and the number of matches (a window count, taken before
    # LIMIT); a page past the end has no row to carry it, so only then count apart.
    rows = db.execute(
        query.add_columns(func.count().over())
        .order_by(Project.updated_at.desc(), Project.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    if rows:
        total = rows[0][1]
    elif page == 1:
        total = 0
    else:
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    return Page(items=[row[0] for row in rows], total=total, page=page, size=size)


def get_project(db: Session, project_id: int) -> Project:
    # Its places in the same query (a join) rather than a second, selectin one.
    project = db.get(Project, project_id, options=[joinedload(Project.places)])
    if project is None:
        raise NotFound(_("No such project."))
    return project


def to_public(
    project: Project, supports: int, pillars: set[Pillar], base_url: str = ""
) -> ProjectPublic:
    return ProjectPublic(
        id=project.id,
        title=project.title,
        summary=project.summary,
        description=project.description,
        department=project.department,
        arrondissements=project.arrondissements,
        geometry=project.geometry,
        image_url=f"{base_url}/media/{project.image_key}" if project.image_key else None,
        image_alt=project.image_alt,
        budget_eur=project.budget_eur,
        residents_reached=project.residents_reached,
        start_date=project.start_date,
        end_date=project.end_date,
        status=project.status,
        pillars=sorted(pillars),
        supports=supports,
        created_at=project.created_at,
        updated_at=project.updated_at,
        url=base_url + project_link(project.id),
    )


def publish_page(db: Session, page: Page[Project], base_url: str = "") -> list[ProjectPublic]:
    supports = participation.support_counts(db, TARGET)
    pillars = indicators.pillars_by_project(db)
    return [
        to_public(p, supports.get(p.id, 0), pillars.get(p.id, set()), base_url) for p in page.items
    ]


def status_history(db: Session, project_id: int) -> list[StatusChangePublic]:
    rows = db.scalars(
        select(StatusChange)
        .where(StatusChange.project_id == project_id)
        .order_by(StatusChange.changed_at, StatusChange.id)
    )
    return [
        StatusChangePublic(
            from_status=r.from_status,
            to_status=r.to_status,
            changed_by=r.changed_by_name,
            changed_at=r.changed_at,
            note=r.note,
        )
        for r in rows
    ]


def journal_of(db: Session, project_id: int) -> list[JournalEntryPublic]:
    rows = db.scalars(
        select(JournalEntry)
        .where(JournalEntry.project_id == project_id)
        .order_by(JournalEntry.published_at.desc(), JournalEntry.id.desc())
    )
    return [
        JournalEntryPublic(
            id=e.id, title=e.title, body=e.body, author=e.author_name, published_at=e.published_at
        )
        for e in rows
    ]


def project_detail(
    db: Session, project_id: int, tools: ToolRegistry, base_url: str = ""
) -> ProjectDetail:
    project = get_project(db, project_id)
    objectives = indicators.objectives_of(db, project_id)
    public = to_public(
        project,
        participation.support_count(db, TARGET, project_id),
        {o.pillar for o in objectives},
        base_url,
    )
    return ProjectDetail(
        **public.model_dump(),
        objectives=objectives,
        status_history=status_history(db, project_id),
        journal=journal_of(db, project_id),
        tools=tools.as_dicts(db, project_id),
    )


@dataclass(frozen=True)
class NewsItem:
    project_id: int
    project_title: str
    entry_id: int
    title: str
    body: str
    published_at: Any


def latest_news(db: Session, arrondissement: int | None, limit: int = 6) -> list[NewsItem]:
    query = (
        select(JournalEntry, Project.title)
        .join(Project, Project.id == JournalEntry.project_id)
        .order_by(JournalEntry.published_at.desc(), JournalEntry.id.desc())
        .limit(limit)
    )
    if arrondissement is not None:
        near = _filtered(ProjectFilters(arrondissement=arrondissement)).with_only_columns(
            Project.id
        )
        query = query.where(Project.id.in_(near))
    return [
        NewsItem(p_id, p_title, e.id, e.title, e.body, e.published_at)
        for e, p_title in db.execute(query)
        for p_id in [e.project_id]
    ]


def projects_geojson(db: Session, filters: ProjectFilters) -> dict[str, Any]:
    features = []
    for p in db.scalars(_filtered(filters).where(Project.geometry.is_not(None))):
        features.append(
            {
                "type": "Feature",
                "geometry": p.geometry,
                "properties": {
                    "id": p.id,
                    "title": p.title,
                    "status": str(p.status),
                    "url": project_link(p.id),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class PriorityRow:
    project: Project
    supports: int
    objectives: int
    pillars: list[Pillar]
    residents_reached: int | None
    cost_per_resident: float | None
    score: float


def prioritise(db: Session) -> list[PriorityRow]:
    """Rank projects by the mean of three ranks: supports (more first), number of objectives
    (more first) and cost per resident reached (lower first; unknown cost ranks last).

    Residents reached defaults to the population of the project's arrondissements, or of the
    whole city for a city-wide project.
    """
    projects = list(db.scalars(select(Project).where(Project.status != Status.DONE)))
    supports = participation.support_counts(db, TARGET)
    pillars = indicators.pillars_by_project(db)
    population = territory.population_by_arrondissement(db)
    objective_counts = indicators.objective_counts(db)
    rows = []
    for p in projects:
        reached = p.residents_reached
        if reached is None and population:
            numbers = p.arrondissements or list(population)
            reached = sum(population.get(n, 0) for n in numbers) or None
        cost = p.budget_eur / reached if p.budget_eur is not None and reached else None
        rows.append((p, supports.get(p.id, 0), objective_counts.get(p.id, 0), reached, cost))

    def ranks(values: list[float]) -> list[float]:
        """Rank 1 is best; tied values share the mean of their ranks."""
        order = sorted(values)
        first = {v: order.index(v) + 1 for v in set(values)}
        return [first[v] + (order.count(v) - 1) / 2 for v in values]

    r_support = ranks([-r[1] for r in rows])
    r_objectives = ranks([-r[2] for r in rows])
    r_cost = ranks([r[4] if r[4] is not None else float("inf") for r in rows])
    ranked = [
        PriorityRow(
            project=r[0],
            supports=r[1],
            objectives=r[2],
            pillars=sorted(pillars.get(r[0].id, set())),
            residents_reached=r[3],
            cost_per_resident=r[4],
            score=(r_support[i] + r_objectives[i] + r_cost[i]) / 3,
        )
        for i, r in enumerate(rows)
    ]
    return sorted(ranked, key=lambda row: (row.score, row.project.id))
