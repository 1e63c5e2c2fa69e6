from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from parvis.indicators.models import Measurement, Objective, Pillar
from parvis.indicators.schemas import MeasurementPublic, ObjectivePublic
from parvis.kernel.db import pairs


def _progress(objective: Objective, latest: float | None) -> float | None:
    if latest is None:
        return None
    return (latest - objective.baseline) / (objective.target - objective.baseline)


def objectives_of(db: Session, project_id: int) -> list[ObjectivePublic]:
    objectives = list(
        db.scalars(
            select(Objective).where(Objective.project_id == project_id).order_by(Objective.id)
        )
    )
    history: dict[int, list[MeasurementPublic]] = defaultdict(list)
    if objectives:
        rows = db.scalars(
            select(Measurement)
            .where(Measurement.objective_id.in_([o.id for o in objectives]))
            .order_by(Measurement.measured_on, Measurement.id)
        )
        for m in rows:
            history[m.objective_id].append(
                MeasurementPublic(value=m.value, measured_on=m.measured_on, source=m.source)
            )
    result = []
    for o in objectives:
        values = history[o.id]
        latest = values[-1].value if values else None
        result.append(
            ObjectivePublic(
                id=o.id,
                pillar=o.pillar,
                indicator=o.indicator,
                unit=o.unit,
                baseline=o.baseline,
                target=o.target,
                deadline=o.deadline,
                latest=latest,
                progress=_progress(o, latest),
                history=values,
            )
        )
    return result


def pillars_by_project(db: Session) -> dict[int, set[Pillar]]:
    found: dict[int, set[Pillar]] = defaultdict(set)
    for project_id, pillar in db.execute(select(Objective.project_id, Objective.pillar)):
        found[project_id].add(Pillar(pillar))
    return found


def project_ids_with_pillar(pillar: Pillar) -> Select[int]:
    """A subquery for filtering projects by the pillar of one of their objectives."""
    return select(Objective.project_id).where(Objective.pillar == pillar)


def objective_project(db: Session, objective_id: int) -> int | None:
    return db.scalar(select(Objective.project_id).where(Objective.id == objective_id))


def objective_counts(db: Session) -> dict[int, int]:
    from sqlalchemy import func

    rows = db.execute(select(Objective.project_id, func.count()).group_by(Objective.project_id))
    return pairs(rows)
