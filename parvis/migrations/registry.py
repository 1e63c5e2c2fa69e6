"""The small explicit list of model modules, so that the metadata knows every table."""

import importlib

MODEL_MODULES = (
    "parvis.kernel.auth.models",
    "parvis.kernel.notifications",
    "parvis.territory.models",
    "parvis.projects.models",
    "parvis.indicators.models",
    "parvis.participation.models",
    "parvis.participation.proposals.models",
    "parvis.participation.budgets.models",
    "parvis.participation.consultations.models",
    "parvis.mobility.models",
    "parvis.wifi.models",
    "parvis.sensing.models",
)


def import_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
