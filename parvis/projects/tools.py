"""The connected-city facet: the small public interface the sensing and Wi-Fi domains implement.

A provider lists the connected assets (sensors, actuators, access points, ...) attached to a
project. Until those domains exist no provider is registered and the facet says so honestly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ConnectedAsset:
    kind: str  # "sensor", "actuator", "wifi-site", ...
    name: str
    url: str
    status: str = ""


class ToolProvider(Protocol):
    def assets_for_project(self, db: Session, project_id: int) -> list[ConnectedAsset]: ...


class ToolRegistry:
    def __init__(self) -> None:
        self.providers: list[ToolProvider] = []

    def register(self, provider: ToolProvider) -> None:
        self.providers.append(provider)

    def assets_for_project(self, db: Session, project_id: int) -> list[ConnectedAsset]:
        return [a for p in self.providers for a in p.assets_for_project(db, project_id)]

    def as_dicts(self, db: Session, project_id: int) -> list[dict[str, Any]]:
        return [asdict(a) for a in self.assets_for_project(db, project_id)]
