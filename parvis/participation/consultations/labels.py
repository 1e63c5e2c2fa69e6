"""Human labels of consultations; translate them with gettext() at display time."""

from __future__ import annotations

from enum import StrEnum

from parvis.kernel.i18n import gettext, lazy, ordinal
from parvis.participation.consultations.models import QuestionKind


class State(StrEnum):
    """Where a consultation is in time: computed from its dates, never stored."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


STATE_LABELS = {
    State.UPCOMING: lazy("Upcoming"),
    State.OPEN: lazy("Open"),
    State.CLOSED: lazy("Closed"),
}

KIND_LABELS = {
    QuestionKind.SINGLE: lazy("Single choice"),
    QuestionKind.MULTIPLE: lazy("Multiple choice"),
    QuestionKind.RANKING: lazy("Ranking"),
    QuestionKind.SCALE: lazy("Scale"),
    QuestionKind.TEXT: lazy("Free text"),
}


def state_label(state: State | str) -> str:
    return gettext(STATE_LABELS[State(state)])


def kind_label(kind: QuestionKind | str) -> str:
    return gettext(KIND_LABELS[QuestionKind(kind)])


def scope_label(arrondissement: int | None) -> str:
    """ "Whole city" or "11e arrondissement"."""
    if arrondissement is None:
        return gettext("Whole city")
    return gettext("%(ordinal)s arrondissement") % {"ordinal": ordinal(arrondissement)}
