"""Parsing of the staff HTML forms into the API's schemas, with readable errors."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from parvis.kernel.i18n import gettext as _
from parvis.kernel.i18n import lazy
from parvis.projects.schemas import ProjectCreate

FIELDS = (
    "title",
    "summary",
    "description",
    "department",
    "budget_eur",
    "residents_reached",
    "start_date",
    "end_date",
    "geometry",
)


LABELS = {
    "title": lazy("Title"),
    "summary": lazy("Summary"),
    "description": lazy("Description"),
    "department": lazy("Department"),
    "budget_eur": lazy("Budget (€)"),
    "residents_reached": lazy("Residents reached"),
    "start_date": lazy("Start date"),
    "end_date": lazy("End date"),
    "geometry": lazy("Location (GeoJSON)"),
    "arrondissements": lazy("Arrondissements"),
}


def label(name: str) -> str:
    return _(LABELS[name]) if name in LABELS else name


def form_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in FIELDS}
    values["arrondissements"] = [str(v) for v in form.getlist("arrondissements")]
    return values


def _int_or_none(text: str) -> int | None:
    text = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    return int(text) if text else None


def _date_or_none(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def parse_project(values: dict[str, Any]) -> tuple[ProjectCreate | None, list[str]]:
    errors: list[str] = []
    data: dict[str, Any] = {k: values[k] for k in ("title", "summary", "description", "department")}
    for name in ("budget_eur", "residents_reached"):
        try:
            data[name] = _int_or_none(values[name])
        except ValueError:
            errors.append(_("%(field)s must be a whole number.") % {"field": label(name)})
    for name in ("start_date", "end_date"):
        try:
            data[name] = _date_or_none(values[name])
        except ValueError:
            errors.append(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": label(name)})
    try:
        data["arrondissements"] = [int(v) for v in values["arrondissements"]]
    except ValueError:
        errors.append(_("Choose arrondissements from the list."))
    if values["geometry"]:
        try:
            data["geometry"] = json.loads(values["geometry"])
        except json.JSONDecodeError:
            errors.append(_("The location must be GeoJSON."))
    if errors:
        return None, errors
    try:
        return ProjectCreate.model_validate(data), []
    except ValidationError as exc:
        return None, [_explain(error) for error in exc.errors()]


PROBLEMS = {
    "missing": lazy("%(field)s is required."),
    "string_too_short": lazy("%(field)s is too short."),
    "string_too_long": lazy("%(field)s is too long."),
    "greater_than_equal": lazy("%(field)s is too small."),
    "less_than_equal": lazy("%(field)s is too large."),
    "too_long": lazy("%(field)s has too many items."),
}


def _explain(error: Any) -> str:
    """A French (or English) sentence for a validation error, not pydantic's English."""
    field = label(str(error["loc"][0])) if error["loc"] else ""
    template = PROBLEMS.get(error["type"], lazy("%(field)s is not valid."))
    return _(template) % {"field": field}
