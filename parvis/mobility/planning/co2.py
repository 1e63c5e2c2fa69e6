"""Greenhouse-gas emissions per passenger-km by mode, and GTFS route types mapped to modes.

Source: ADEME, Impact CO2 "comparateur transport" (https://impactco2.fr/outils/transport),
whose values come from the Base Empreinte / Base Carbone (documentation pages
https://base-empreinte.ademe.fr/documentation/base-carbone?docLink=Ferroviaire2 for rail and
?docLink=Routier2 for road) and, for cars, from ADEME's 2025 car model ("Modélisation de
l'empreinte carbone de la voiture - 2025", the Nos Gestes Climat model). The numbers are those
of the comparator's data file `src/data/categories/deplacement.ts` in the repository
github.com/incubateur-ademe/impactco2, as last changed by commit 2d15480 (2026-06-01) and read
at commit 8076a48 (2026-07-01): each mode is the sum of its "Construction" (ecv id 5) and
"Carburant" i.e. energy (ecv id 6) parts, in kg CO2e per passenger-km; the same totals, in
g, are in `src/utils/Equivalent/values.json`. Scope (ADEME's): direct emissions, making,
maintaining and scrapping the vehicles, producing and distributing the fuel or electricity;
not the infrastructure (roads, rails). Cars count one person on board.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

WALK = "walk"
BIKE = "bike"
BIKESHARE = "bikeshare"
WAIT = "wait"
CAR = "car"

METRO = "metro"
TRAM = "tram"
SUBURBAN_RAIL = "suburban_rail"
REGIONAL_RAIL = "regional_rail"
INTERCITY_RAIL = "intercity_rail"
HIGH_SPEED_RAIL = "high_speed_rail"
BUS = "bus"
TROLLEYBUS = "trolleybus"
COACH = "coach"
FERRY = "ferry"
CABLE = "cable"

TRANSIT_MODES = frozenset(
    {
        METRO,
        TRAM,
        SUBURBAN_RAIL,
        REGIONAL_RAIL,
        INTERCITY_RAIL,
        HIGH_SPEED_RAIL,
        BUS,
        TROLLEYBUS,
        COACH,
        FERRY,
        CABLE,
    }
)
SOFT_MODES = frozenset({WALK, BIKE, BIKESHARE})

# g CO2e per passenger-km (construction + energy), impactco2 slugs in the comments.
_FACTORS: dict[str, float] = {
    WALK: 0.0,  # marche: 0
    WAIT: 0.0,
    BIKE: 0.17,  # velo (vélo mécanique): 0.00017 construction
    "ebike": 10.95,  # veloelectrique: 0.00872 + 0.00223
    # Vélib' mixes mechanical and electric bikes and the station status does not say which
    # one the rider takes: the electric-assist factor is the (cautious) upper bound.
    BIKESHARE: 10.95,
    METRO: 4.44,  # metro: 0.00024 + 0.0042
    TRAM: 4.28,  # tramway: 0.00048 + 0.0038
    SUBURBAN_RAIL: 9.78,  # rer (RER ou Transilien): 0.00318 + 0.0066
    REGIONAL_RAIL: 27.69,  # ter: 0.00479 + 0.0229
    INTERCITY_RAIL: 8.98,  # intercites: 0.00318 + 0.0058
    HIGH_SPEED_RAIL: 2.93,  # tgv: 0.00063 + 0.0023
    BUS: 122.42,  # busthermique: 0.00892 + 0.1135 (the comparator's default bus)
    TROLLEYBUS: 21.7,  # buselectrique: 0.0122 + 0.0095
    COACH: 37.56,  # autocar: 0.00442 + 0.03314
    # No comparator value: proxies, stated as such in docs/mobility-planning.md.
    FERRY: 122.42,  # proxy: thermal bus (a diesel river shuttle is no better)
    CABLE: 4.28,  # proxy: tram (electric, guided) for aerial lifts and funiculars
    CAR: 142.25,  # voiturethermique (compact diesel, 1 person): 0.03170 + 0.11056
    "car_electric": 67.37,  # voitureelectrique: 0.05528 + 0.01209
}

EMISSION_G_PER_PKM: Mapping[str, float] = MappingProxyType(_FACTORS)
"""g CO2e per passenger-km by mode (ADEME Impact CO2, see the module docstring)."""

CAR_ROAD_DETOUR = 1.3
"""Road distance over straight-line distance for the car comparison. An assumption close to
the average "radial physical detour" of 1.343 measured over 300 European cities (Environment
and Planning B, 2023, doi:10.1177/23998083231168870)."""


def emissions_g(mode: str, distance_m: float) -> float:
    """g CO2e for one passenger travelling `distance_m` metres by `mode` (0 for an unknown
    mode such as "wait")."""
    return EMISSION_G_PER_PKM.get(mode, 0.0) * distance_m / 1000.0


def car_distance_m(straight_line_m: float) -> float:
    """The road distance assumed for the same trip by car."""
    return straight_line_m * CAR_ROAD_DETOUR


def car_emissions_g(straight_line_m: float) -> float:
    """g CO2e of the same trip by thermal car, one person on board."""
    return emissions_g(CAR, car_distance_m(straight_line_m))


def mode_of_route_type(route_type: int) -> str:
    """The planner's mode for a GTFS route_type, basic (0-12) or extended (100-1700, the
    "Hierarchical Vehicle Type" codes). Plain rail (2, 100) counts as suburban rail (RER,
    Transilien): in the Île-de-France feeds this planner serves, that is what it is; feeds of
    regional or intercity trains say so with the extended codes. Unknown codes: bus."""
    basic = {
        0: TRAM,
        1: METRO,
        2: SUBURBAN_RAIL,
        3: BUS,
        4: FERRY,
        5: TRAM,  # cable tram
        6: CABLE,  # aerial lift
        7: CABLE,  # funicular
        11: TROLLEYBUS,
        12: METRO,  # monorail
    }
    if route_type in basic:
        return basic[route_type]
    exact = {
        100: SUBURBAN_RAIL,
        101: HIGH_SPEED_RAIL,
        102: INTERCITY_RAIL,
        105: INTERCITY_RAIL,  # sleeper
        108: SUBURBAN_RAIL,  # rail shuttle (within a complex)
        109: SUBURBAN_RAIL,
        1501: CAR,  # communal taxi
    }
    if route_type in exact:
        return exact[route_type]
    ranges = (
        (100, 200, REGIONAL_RAIL),  # 103 inter-regional, 106 regional, 107 tourist, 110+ ...
        (200, 300, COACH),
        (400, 500, METRO),  # urban railway, metro, underground, monorail
        (700, 800, BUS),
        (800, 900, TROLLEYBUS),
        (900, 1000, TRAM),
        (1000, 1100, FERRY),  # water transport
        (1200, 1300, FERRY),
        (1300, 1500, CABLE),  # aerial lift, funicular
        (1500, 1700, CAR),  # taxi, self drive
    )
    for lo, hi, mode in ranges:
        if lo <= route_type < hi:
            return mode
    return BUS
