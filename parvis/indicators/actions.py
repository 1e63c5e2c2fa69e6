from __future__ import annotations

from sqlalchemy.orm import Session

from parvis.indicators.models import Measurement, Objective
from parvis.indicators.schemas import MeasurementCreate, ObjectiveCreate
from parvis.kernel.errors import InvalidInput, NotFound
from parvis.kernel.i18n import gettext as _


def add_objective(db: Session, project_id: int, data: ObjectiveCreate) -> Objective:
    if data.baseline == data.target:
        raise InvalidInput(_("The target must differ from the baseline."))
    objective = Objective(project_id=project_id, **data.model_dump())
    db.add(objective)
    db.commit()
    return objective


def record_measurement(
    db: Session,
    objective_id: int,
    data: MeasurementCreate,
    *,
    user_id: int | None,
    source: str = "staff",
) -> Measurement:
    if db.get(Objective, objective_id) is None:
        raise NotFound(_("No such objective."))
    measurement = Measurement(
        objective_id=objective_id,
        value=data.value,
        measured_on=data.measured_on,
        entered_by=user_id,
        source=source,
    )
    db.add(measurement)
    db.commit()
    return measurement


def delete_objective(db: Session, objective_id: int) -> int:
    objective = db.get(Objective, objective_id)
    if objective is None:
        raise NotFound(_("No such objective."))
    project_id = objective.project_id
    db.delete(objective)
    db.commit()
    return project_id
