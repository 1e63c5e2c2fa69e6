"""Path loss and link budgets for street-level Wi-Fi access points, and the radius they give.

Models (distances d in metres, frequencies f; see docs/wifi-planning.md):

- **free space** (FSPL): `L = 20·log10(d) + 20·log10(f_Hz) − 147.55`, an upper bound on range;
- **ITU-R P.1411 site-general** (§4.1.1, both ends below the rooftops):
  `L = 10·α·log10(d) + β + 10·γ·log10(f_GHz)`, with a log-normal shadowing of σ dB. The
  coefficients are P.1411-10's, as implemented in CEPT's SEAMCAT (research note §2.2): line of
  sight (LoS) α 2.12, β 29.2, γ 2.11, σ 5.06 (5–660 m); non-line of sight (NLoS) in urban
  high-rise α 4.00, β 10.2, γ 2.36, σ 7.60 (30–715 m); NLoS residential α 3.01, β 18.8,
  γ 2.07, σ 3.07 (30–170 m);
- **log-distance**: `L = FSPL(1 m) + 10·n·log10(d)` (n = 3 by default).

A location probability q above 50 % adds the margin `z_q·σ` (z_0.9 = 1.2816): the link then
closes at a fraction q of the locations at that distance.

Link budget (EU, research note §2.1): the AP's EIRP is capped at 20 dBm at 2.4 GHz and at
30 dBm in 5,470–5,725 MHz outdoors (DFS/TPC); a phone transmits about 15 dBm with a 0 dBi
antenna and needs about −75 dBm (a mid-range MCS on 20 MHz); the AP has a 5 dBi antenna and
−82 dBm sensitivity. Downlink closes while `L ≤ EIRP + G_client − S_client`, uplink while
`L ≤ P_client + G_client + G_AP − S_AP`; the usable radius is the smaller of the two ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import overload

import numpy as np

from parvis.wifi.planning.model import F64, PlanningError


class Band(StrEnum):
    GHZ_2_4 = "2.4"
    GHZ_5 = "5"


class Environment(StrEnum):
    """The P.1411 site-general cases."""

    LOS = "los"
    NLOS_URBAN = "nlos-urban"  # urban high-rise
    NLOS_RESIDENTIAL = "nlos-residential"


class Model(StrEnum):
    FREE_SPACE = "free-space"
    P1411 = "p1411"
    LOG_DISTANCE = "log-distance"


@dataclass(frozen=True, slots=True)
class SiteGeneral:
    """One case of the P.1411 site-general model and its validity ranges."""

    name: str
    alpha: float
    beta: float
    gamma: float
    sigma_db: float
    min_m: float
    max_m: float
    min_ghz: float
    max_ghz: float


P1411 = {
    Environment.LOS: SiteGeneral("LoS", 2.12, 29.2, 2.11, 5.06, 5.0, 660.0, 0.8, 73.0),
    Environment.NLOS_URBAN: SiteGeneral(
        "NLoS, urban high-rise", 4.00, 10.2, 2.36, 7.60, 30.0, 715.0, 0.8, 38.0
    ),
    Environment.NLOS_RESIDENTIAL: SiteGeneral(
        "NLoS, residential", 3.01, 18.8, 2.07, 3.07, 30.0, 170.0, 0.8, 73.0
    ),
}


@dataclass(frozen=True, slots=True)
class LinkBudget:
    """The radio parameters of one band: AP EIRP (antenna gain included) and sensitivity,
    client power and sensitivity, antenna gains (dBi), centre frequency (GHz)."""

    band: Band
    frequency_ghz: float
    ap_eirp_dbm: float
    ap_antenna_dbi: float
    ap_sensitivity_dbm: float
    client_tx_dbm: float
    client_antenna_dbi: float
    client_sensitivity_dbm: float

    @classmethod
    def for_band(cls, band: Band | str) -> LinkBudget:
        """The defaults of the research note: 2.4 GHz on channel 6 (2,437 MHz), EIRP 20 dBm;
        5 GHz at 5,500 MHz, EIRP 30 dBm; client 15 dBm, −75 dBm; AP 5 dBi, −82 dBm."""
        try:
            b = Band(str(band))
        except ValueError:
            raise PlanningError(f"unknown band {band!r} (2.4 or 5)") from None
        if b is Band.GHZ_2_4:
            return cls(b, 2.437, 20.0, 5.0, -82.0, 15.0, 0.0, -75.0)
        return cls(b, 5.5, 30.0, 5.0, -82.0, 15.0, 0.0, -75.0)

    @property
    def downlink_max_loss_db(self) -> float:
        return self.ap_eirp_dbm + self.client_antenna_dbi - self.client_sensitivity_dbm

    @property
    def uplink_max_loss_db(self) -> float:
        return (
            self.client_tx_dbm
            + self.client_antenna_dbi
            + self.ap_antenna_dbi
            - self.ap_sensitivity_dbm
        )


@dataclass(frozen=True, slots=True)
class Radius:
    """A usable radius and how it was obtained: the downlink and uplink ranges, the limiting
    direction, and whether the range lies outside the model's validity distances."""

    radius_m: float
    downlink_m: float
    uplink_m: float
    limiting: str
    model: str
    location_probability: float
    margin_db: float
    extrapolated: bool


def free_space_loss_db(distance_m: float, frequency_ghz: float) -> float:
    """Free-space path loss (dB) at `distance_m` metres and `frequency_ghz`."""
    return 20.0 * math.log10(distance_m) + 20.0 * math.log10(frequency_ghz * 1e9) - 147.55


def location_margin_db(sigma_db: float, probability: float) -> float:
    """The shadowing margin that makes a link close at `probability` of the locations
    (z·σ with z the standard normal quantile; 0 at 50 %)."""
    if not 0.0 < probability < 1.0:
        raise PlanningError(f"location probability must be in (0, 1), got {probability!r}")
    return NormalDist().inv_cdf(probability) * sigma_db


@overload
def path_loss_db(
    distance_m: float,
    frequency_ghz: float,
    *,
    model: Model | str = ...,
    environment: Environment | str = ...,
    location_probability: float = ...,
    exponent: float = ...,
) -> float: ...


@overload
def path_loss_db(
    distance_m: F64,
    frequency_ghz: float,
    *,
    model: Model | str = ...,
    environment: Environment | str = ...,
    location_probability: float = ...,
    exponent: float = ...,
) -> F64: ...


def path_loss_db(
    distance_m: float | F64,
    frequency_ghz: float,
    *,
    model: Model | str = Model.P1411,
    environment: Environment | str = Environment.NLOS_URBAN,
    location_probability: float = 0.5,
    exponent: float = 3.0,
) -> float | F64:
    """Path loss (dB) at a distance (or an array of distances), shadowing margin included.
    Distances under 1 m are taken as 1 m (the models are not meant for the near field)."""
    m, env = _model(model), _environment(environment)
    d = np.maximum(np.asarray(distance_m, dtype=np.float64), 1.0)
    fspl_1m = 20.0 * math.log10(frequency_ghz * 1e9) - 147.55
    if m is Model.FREE_SPACE:
        loss = 20.0 * np.log10(d) + fspl_1m
    elif m is Model.LOG_DISTANCE:
        loss = 10.0 * exponent * np.log10(d) + fspl_1m
    else:
        c = P1411[env]
        margin = location_margin_db(c.sigma_db, location_probability)
        loss = 10.0 * c.alpha * np.log10(d) + c.beta + 10.0 * c.gamma * math.log10(frequency_ghz)
        loss = loss + margin
    if np.ndim(distance_m) == 0:
        return float(loss)
    out: F64 = np.asarray(loss, dtype=np.float64)
    return out


def range_m(
    max_loss_db: float,
    frequency_ghz: float,
    *,
    model: Model | str = Model.P1411,
    environment: Environment | str = Environment.NLOS_URBAN,
    location_probability: float = 0.5,
    exponent: float = 3.0,
) -> float:
    """The distance at which the path loss reaches `max_loss_db`: the inverse of
    `path_loss_db` (the models are increasing in distance)."""
    m, env = _model(model), _environment(environment)
    fspl_1m = 20.0 * math.log10(frequency_ghz * 1e9) - 147.55
    if m is Model.FREE_SPACE:
        return float(10.0 ** ((max_loss_db - fspl_1m) / 20.0))
    if m is Model.LOG_DISTANCE:
        return float(10.0 ** ((max_loss_db - fspl_1m) / (10.0 * exponent)))
    c = P1411[env]
    margin = location_margin_db(c.sigma_db, location_probability)
    return float(
        10.0
        ** (
            (max_loss_db - margin - c.beta - 10.0 * c.gamma * math.log10(frequency_ghz))
            / (10.0 * c.alpha)
        )
    )


def usable_radius(
    band: Band | str = Band.GHZ_2_4,
    *,
    model: Model | str = Model.P1411,
    environment: Environment | str = Environment.NLOS_URBAN,
    location_probability: float = 0.9,
    exponent: float = 3.0,
    budget: LinkBudget | None = None,
) -> Radius:
    """The usable radius of an AP: the smaller of its downlink and uplink ranges under the
    band's link budget (`LinkBudget.for_band` unless given). At 2.4 GHz, P.1411 NLoS urban at
    90 % of locations gives 44 m (the downlink limits); LoS gives 258 m."""
    budget = budget or LinkBudget.for_band(band)
    m, env = _model(model), _environment(environment)
    if not 0.0 < location_probability < 1.0:
        raise PlanningError(f"location probability must be in (0, 1), got {location_probability!r}")
    if not (math.isfinite(exponent) and exponent > 0):
        raise PlanningError(f"path-loss exponent must be positive, got {exponent!r}")
    down, up = (
        range_m(
            loss,
            budget.frequency_ghz,
            model=m,
            environment=env,
            location_probability=location_probability,
            exponent=exponent,
        )
        for loss in (budget.downlink_max_loss_db, budget.uplink_max_loss_db)
    )
    radius = min(down, up)
    margin = 0.0
    extrapolated = False
    name = str(m)
    if m is Model.P1411:
        c = P1411[env]
        margin = location_margin_db(c.sigma_db, location_probability)
        extrapolated = not (c.min_m <= radius <= c.max_m)
        name = f"ITU-R P.1411 site-general, {c.name}"
    elif m is Model.LOG_DISTANCE:
        name = f"log-distance, n = {exponent:g}"
    return Radius(
        radius_m=radius,
        downlink_m=down,
        uplink_m=up,
        limiting="downlink" if down <= up else "uplink",
        model=name,
        location_probability=location_probability if m is Model.P1411 else 0.5,
        margin_db=margin,
        extrapolated=extrapolated,
    )


@overload
def signal_dbm(
    distance_m: float,
    band: Band | str = ...,
    *,
    model: Model | str = ...,
    environment: Environment | str = ...,
    location_probability: float = ...,
    exponent: float = ...,
    budget: LinkBudget | None = ...,
) -> float: ...


@overload
def signal_dbm(
    distance_m: F64,
    band: Band | str = ...,
    *,
    model: Model | str = ...,
    environment: Environment | str = ...,
    location_probability: float = ...,
    exponent: float = ...,
    budget: LinkBudget | None = ...,
) -> F64: ...


def signal_dbm(
    distance_m: float | F64,
    band: Band | str = Band.GHZ_2_4,
    *,
    model: Model | str = Model.P1411,
    environment: Environment | str = Environment.NLOS_URBAN,
    location_probability: float = 0.5,
    exponent: float = 3.0,
    budget: LinkBudget | None = None,
) -> float | F64:
    """The AP's signal at a client `distance_m` away (dBm, downlink: EIRP + client antenna −
    path loss); median by default. Compare with the client sensitivity (−75 dBm)."""
    budget = budget or LinkBudget.for_band(band)
    loss = path_loss_db(
        distance_m,
        budget.frequency_ghz,
        model=model,
        environment=environment,
        location_probability=location_probability,
        exponent=exponent,
    )
    return budget.ap_eirp_dbm + budget.client_antenna_dbi - loss


def _model(model: Model | str) -> Model:
    try:
        return Model(str(model))
    except ValueError:
        known = ", ".join(m.value for m in Model)
        raise PlanningError(f"unknown path-loss model {model!r} (known: {known})") from None


def _environment(environment: Environment | str) -> Environment:
    try:
        return Environment(str(environment))
    except ValueError:
        known = ", ".join(e.value for e in Environment)
        raise PlanningError(f"unknown environment {environment!r} (known: {known})") from None
