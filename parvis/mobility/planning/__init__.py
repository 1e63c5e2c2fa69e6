"""Multimodal journey planning: public transport, walking, cycling and bike share, ranked by a
generalised cost that favours collective and soft modes, with CO2 per leg (ADEME factors)
beside the same trip by car. Pure: numpy, the standard library and the routing core.

    from parvis.mobility.planning import Network, Place, Preferences, plan

    net = Network(timetable, stations)           # stations: BikeStation with live status
    journeys = plan(net, Place(48.8809, 2.3553, "Gare du Nord"),
                    Place(48.8918, 2.2379, "La Défense"), datetime(2017, 1, 12, 8, 0))
    for j in journeys:                           # [] means no journey
        print(j.departure, j.arrival, j.modes, j.co2_g, j.car_co2_g)

Model, speeds, cost and emission factors: docs/mobility-planning.md.
"""

from __future__ import annotations

from parvis.mobility.planning.co2 import (
    CAR_ROAD_DETOUR,
    EMISSION_G_PER_PKM,
    TRANSIT_MODES,
    car_emissions_g,
    emissions_g,
    mode_of_route_type,
)
from parvis.mobility.planning.geo import PointIndex, circle_polygon, haversine_m
from parvis.mobility.planning.isochrone import Reached, isochrone, isochrone_geojson
from parvis.mobility.planning.model import (
    BikeStation,
    Place,
    PlannedJourney,
    PlannedLeg,
    PlanningError,
    Preferences,
    StopCall,
)
from parvis.mobility.planning.network import Network
from parvis.mobility.planning.planner import plan

__all__ = [
    "CAR_ROAD_DETOUR",
    "EMISSION_G_PER_PKM",
    "TRANSIT_MODES",
    "BikeStation",
    "Network",
    "Place",
    "PlannedJourney",
    "PlannedLeg",
    "PlanningError",
    "PointIndex",
    "Preferences",
    "Reached",
    "StopCall",
    "car_emissions_g",
    "circle_polygon",
    "emissions_g",
    "haversine_m",
    "isochrone",
    "isochrone_geojson",
    "mode_of_route_type",
    "plan",
]
