"""The territory: arrondissements and quartiers of Paris with their population."""

from parvis.territory.queries import (
    arrondissement_names,
    boundaries_geojson,
    locate_arrondissement,
    population_by_arrondissement,
)

__all__ = [
    "arrondissement_names",
    "boundaries_geojson",
    "locate_arrondissement",
    "population_by_arrondissement",
]
