"""Translatable labels of the Wi-Fi domain (message ids are English)."""

from __future__ import annotations

from parvis.kernel.i18n import lazy

KIND_LABELS = {
    "crossing": lazy("Signalised crossing"),
    "velib": lazy("Vélib' station"),
    "toilet": lazy("Public toilet"),
    "fountain": lazy("Drinking fountain"),
    "other": lazy("Other mounting point"),
}
