"""Load the real boundaries and population of Paris (City of Paris and INSEE open data)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from parvis.territory.models import Arrondissement, Quartier

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "paris"
Progress = Callable[[str], None]


def _ordinal(number: int) -> str:
    return "Paris 1er" if number == 1 else f"Paris {number}e"


def load_territory(db: Session, progress: Progress = lambda _: None) -> tuple[int, int]:
    """Replace the arrondissements and quartiers with the shipped data; returns their counts."""
    population: dict[int, int] = {}
    with (DATA_DIR / "paris_population_arrondissements_2022.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            population[int(row["c_ar"])] = int(row["population_totale"])
    arrondissements = json.loads((DATA_DIR / "arrondissements.geojson").read_text("utf-8"))
    quartiers = json.loads((DATA_DIR / "quartiers_administratifs.geojson").read_text("utf-8"))
    db.execute(delete(Quartier))
    db.execute(delete(Arrondissement))
    for feature in sorted(arrondissements["features"], key=lambda f: f["properties"]["c_ar"]):
        props = feature["properties"]
        number = int(props["c_ar"])
        db.add(
            Arrondissement(
                number=number,
                insee_code=str(props["c_arinsee"]),
                name=_ordinal(number),
                official_name=props["l_aroff"],
                population=population.get(number),
                surface_m2=float(props["surface"]),
                geometry=feature["geometry"],
            )
        )
    progress(f"{len(arrondissements['features'])} arrondissements")
    db.flush()
    for feature in quartiers["features"]:
        props = feature["properties"]
        db.add(
            Quartier(
                insee_code=str(props["c_quinsee"]),
                number=int(props["c_qu"]),
                name=props["l_qu"],
                arrondissement=int(props["c_ar"]),
                surface_m2=float(props["surface"]),
                geometry=feature["geometry"],
            )
        )
    progress(f"{len(quartiers['features'])} quartiers")
    db.commit()
    return len(arrondissements["features"]), len(quartiers["features"])
