"""Translatable labels of the mobility domain (message ids are English)."""

from __future__ import annotations

from parvis.kernel.i18n import lazy

MODE_LABELS = {
    "transit": lazy("Public transport"),
    "walk": lazy("Walking"),
    "bike": lazy("My own bike"),
    "bikeshare": lazy("Vélib' (bike share)"),
    "rail": lazy("Train"),
    "suburban_rail": lazy("RER / Transilien"),
    "metro": lazy("Metro"),
    "tram": lazy("Tram"),
    "bus": lazy("Bus"),
    "ferry": lazy("Boat"),
    "cable": lazy("Cable car"),
    "wait": lazy("Wait"),
}
KIND_LABELS = {
    "transit": lazy("Public transport"),
    "bikeshare": lazy("Bike share"),
    "other": lazy("Other"),
}
STATUS_LABELS = {"accepted": lazy("accepted"), "refused": lazy("refused")}
