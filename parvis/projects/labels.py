"""Human labels for the lifecycle; translate them with gettext() at display time."""

from parvis.kernel.i18n import gettext, lazy
from parvis.projects.models import Status

STATUS_LABELS = {
    Status.IDEA: lazy("Idea"),
    Status.CONSULTATION: lazy("Consultation"),
    Status.DESIGN: lazy("Design"),
    Status.EXPERIMENTATION: lazy("Experimentation"),
    Status.DEPLOYMENT: lazy("Deployment"),
    Status.EVALUATION: lazy("Evaluation"),
    Status.DONE: lazy("Done"),
}


def status_label(status: Status | str) -> str:
    return gettext(STATUS_LABELS[Status(status)])
