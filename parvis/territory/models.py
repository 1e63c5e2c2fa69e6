from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from parvis.kernel.db import Base


class Arrondissement(Base):
    __tablename__ = "arrondissements"

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    insee_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    official_name: Mapped[str] = mapped_column(String(80))
    population: Mapped[int | None]
    surface_m2: Mapped[float]
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)


class Quartier(Base):
    __tablename__ = "quartiers"

    insee_code: Mapped[str] = mapped_column(String(7), primary_key=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    arrondissement: Mapped[int] = mapped_column(ForeignKey("arrondissements.number"), index=True)
    surface_m2: Mapped[float]
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
