"""Objectives of the sustainable city: indicators, targets and their measured values."""

from parvis.indicators.actions import add_objective, delete_objective, record_measurement
from parvis.indicators.labels import PILLAR_LABELS, pillar_label
from parvis.indicators.models import Pillar
from parvis.indicators.queries import (
    objective_counts,
    objective_project,
    objectives_of,
    pillars_by_project,
    project_ids_with_pillar,
)
from parvis.indicators.schemas import MeasurementCreate, ObjectiveCreate, ObjectivePublic

__all__ = [
    "PILLAR_LABELS",
    "MeasurementCreate",
    "ObjectiveCreate",
    "ObjectivePublic",
    "Pillar",
    "add_objective",
    "delete_objective",
    "objective_counts",
    "objective_project",
    "objectives_of",
    "pillar_label",
    "pillars_by_project",
    "project_ids_with_pillar",
    "record_measurement",
]
