"""Categories and states of proposals, with labels translated at display time."""

from typing import Literal

from parvis.kernel.i18n import gettext, lazy
from parvis.participation.proposals.models import ProposalState

Category = Literal[
    "environment",
    "mobility",
    "living",
    "culture",
    "education",
    "solidarity",
    "sport",
    "health",
    "cleanliness",
    "digital",
    "economy",
]
CATEGORIES: dict[str, str] = {
    "environment": lazy("Environment and nature in the city"),
    "mobility": lazy("Transport and mobility"),
    "living": lazy("Quality of life"),
    "culture": lazy("Culture and heritage"),
    "education": lazy("Education and youth"),
    "solidarity": lazy("Solidarity and social cohesion"),
    "sport": lazy("Sport"),
    "health": lazy("Health"),
    "cleanliness": lazy("Cleanliness"),
    "digital": lazy("Digital and connected city"),
    "economy": lazy("Economy and jobs"),
}

STATE_LABELS = {
    ProposalState.OPEN: lazy("Open to supports"),
    ProposalState.MERGED: lazy("Merged"),
    ProposalState.ACCEPTED: lazy("Accepted"),
    ProposalState.TO_BUDGET: lazy("Submitted to the participatory budget"),
    ProposalState.TO_PROJECT: lazy("Became a city project"),
    ProposalState.DECLINED: lazy("Declined"),
}


def category_label(key: str) -> str:
    return gettext(CATEGORIES[key]) if key in CATEGORIES else key


def state_label(state: str) -> str:
    return gettext(STATE_LABELS[ProposalState(state)])
