"""Path loss, link budgets and radii: the research note's table of computed ranges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from parvis.wifi.planning import (
    LinkBudget,
    PlanningError,
    free_space_loss_db,
    location_margin_db,
    path_loss_db,
    range_m,
    signal_dbm,
    usable_radius,
)

# shared/docs/notes/wifi-planning.md §2.2 "Computed ranges": band, direction, maximum loss
# (dB), then FSPL, P.1411 LoS median, LoS 90 %, NLoS (urban high-rise) median, NLoS 90 %,
# log-distance n = 3.
NOTE_TABLE = [
    ("2.4", "downlink", 95, (550, 523, 258, 78, 44, 67)),
    ("2.4", "uplink", 102, (1232, 1119, 552, 117, 66, 115)),
    ("5", "downlink", 105, (771, 690, 340, 86, 49, 84)),
    ("5", "uplink", 102, (546, 498, 246, 72, 41, 67)),
]


@pytest.mark.parametrize(("band", "direction", "loss", "ranges"), NOTE_TABLE)
def test_the_note_table_of_ranges(
    band: str, direction: str, loss: float, ranges: tuple[int, ...]
) -> None:
    budget = LinkBudget.for_band(band)
    max_loss = budget.downlink_max_loss_db if direction == "downlink" else budget.uplink_max_loss_db
    assert max_loss == loss
    f = budget.frequency_ghz
    ours = (
        range_m(loss, f, model="free-space"),
        range_m(loss, f, environment="los"),
        range_m(loss, f, environment="los", location_probability=0.9),
        range_m(loss, f, environment="nlos-urban"),
        range_m(loss, f, environment="nlos-urban", location_probability=0.9),
        range_m(loss, f, model="log-distance", exponent=3.0),
    )
    # The note rounds its margin to 1.28 σ; ours is the exact quantile 1.2816 σ, and the
    # note truncates where we round: a metre or so apart at most.
    for mine, note in zip(ours, ranges, strict=True):
        assert mine == pytest.approx(note, abs=1.5)


def test_usable_radius_is_the_weaker_direction() -> None:
    nlos = usable_radius("2.4")
    assert nlos.radius_m == pytest.approx(44.5, abs=0.5)
    assert nlos.limiting == "downlink"
    assert nlos.uplink_m > nlos.downlink_m
    assert nlos.margin_db == pytest.approx(1.2816 * 7.60, abs=0.01)
    assert not nlos.extrapolated  # 44 m lies within P.1411's 30–715 m
    five = usable_radius("5")
    assert five.limiting == "uplink"  # the phone's 15 dBm limits at 5 GHz
    assert five.radius_m == pytest.approx(41, abs=1)
    los = usable_radius("2.4", environment="los")
    assert los.radius_m == pytest.approx(258, abs=1.5)
    assert usable_radius("2.4", model="free-space").radius_m == pytest.approx(550, abs=1)
    residential = usable_radius("2.4", environment="nlos-residential", location_probability=0.5)
    assert residential.extrapolated is (not 30 <= residential.radius_m <= 170)


def test_free_space_formula() -> None:
    # 20 log10(100) + 20 log10(2.4e9) - 147.55 = 40 + 187.60 - 147.55
    assert free_space_loss_db(100, 2.4) == pytest.approx(80.05, abs=0.01)
    assert path_loss_db(100.0, 2.4, model="free-space") == pytest.approx(80.05, abs=0.01)


def test_p1411_formula_and_margin() -> None:
    d, f = 100.0, 2.437
    median = 10 * 4.00 * math.log10(d) + 10.2 + 10 * 2.36 * math.log10(f)
    assert path_loss_db(d, f) == pytest.approx(median)
    assert path_loss_db(d, f, location_probability=0.9) == pytest.approx(
        median + 1.28155 * 7.6, abs=1e-3
    )
    assert location_margin_db(7.6, 0.5) == 0.0
    with pytest.raises(PlanningError, match="location probability"):
        location_margin_db(7.6, 1.0)


def test_signal_at_the_radius_is_the_sensitivity() -> None:
    radius = usable_radius("2.4", location_probability=0.9)
    at_edge = signal_dbm(radius.downlink_m, "2.4", location_probability=0.9)
    assert at_edge == pytest.approx(-75.0, abs=1e-9)
    many = signal_dbm(np.array([10.0, 50.0, 200.0]), "2.4")
    assert isinstance(many, np.ndarray)
    assert (np.diff(many) < 0).all()  # weaker farther away
    assert signal_dbm(0.0, "2.4") == signal_dbm(1.0, "2.4")  # the near field is clamped


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: LinkBudget.for_band("6"), "unknown band"),
        (lambda: usable_radius("2.4", model="hata"), "unknown path-loss model"),
        (lambda: usable_radius("2.4", environment="indoor"), "unknown environment"),
        (lambda: usable_radius("2.4", location_probability=0.0), "location probability"),
        (lambda: usable_radius("2.4", model="log-distance", exponent=-1), "exponent"),
    ],
)
def test_bad_radio_parameters(call: object, message: str) -> None:
    with pytest.raises(PlanningError, match=message):
        call()  # type: ignore[operator]
