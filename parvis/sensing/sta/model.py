"""The SensorThings API entity model as plain data: entity types, properties, navigation.

Sources: OGC 18-088 (STA v1.1 Part 1 Sensing) §8 and §12 (MultiDatastream extension), OGC 17-079
(STA v1.0 Part 2 Tasking Core) §7. One table serves the URL/query parser and, later, the SQL
mapping, so everything here is data: no behaviour beyond look-ups.

Conventions:
- Entity types are named in the singular (``Thing``), entity sets in the plural (``Things``).
- Navigation properties are named as in the JSON (``Thing.Datastreams``, ``Datastream.Thing``): a
  to-many navigation has the plural name of its target set, a to-one one the singular type name.
- ``id`` is an ordinary property here (``@iot.id`` is its alias): Parvis uses 64-bit integer ids.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

V1_0: Final = "v1.0"
V1_1: Final = "v1.1"
VERSIONS: Final = (V1_0, V1_1)


class PropertyType(enum.Enum):
    """What a property holds, as far as querying and storage need to know."""

    ID = "id"  # 64-bit integer identifier (@iot.id)
    SELF_LINK = "selfLink"  # @iot.selfLink: computed, only usable in $select
    STRING = "string"  # CharacterString, URI, ValueCode
    INSTANT = "instant"  # TM_Instant: ISO 8601 date-time
    INTERVAL = "interval"  # TM_Period: ISO 8601 interval start/end
    TIME = "time"  # TM_Object: an instant or an interval (Observation.phenomenonTime)
    GEOMETRY = "geometry"  # GeoJSON (Location.location, FeatureOfInterest.feature, observedArea)
    OBJECT = "object"  # JSON object (properties, parameters, unitOfMeasurement, ...)
    ARRAY = "array"  # JSON array (MultiDatastream.unitOfMeasurements, ...)
    ANY = "any"  # any JSON value (Observation.result, Sensor.metadata, ...)

    @property
    def has_subpaths(self) -> bool:
        """Whether `prop/key/...` may address inside the value (JSON documents)."""
        # GeoJSON too: FROST's tests filter on `location/properties/priority` (GeoJSON Features).
        return self in _JSON_TYPES

    @property
    def queryable(self) -> bool:
        """Whether the property can be used in $filter and $orderby (selfLink is computed)."""
        return self is not PropertyType.SELF_LINK


_JSON_TYPES: Final = frozenset(
    {PropertyType.GEOMETRY, PropertyType.OBJECT, PropertyType.ARRAY, PropertyType.ANY}
)


class Cardinality(enum.Enum):
    """How many entities a navigation property leads to."""

    ONE = "one"
    MANY = "many"


@dataclass(frozen=True, slots=True)
class Property:
    """A primitive (non-navigation) property of an entity type."""

    name: str
    type: PropertyType
    # "One (mandatory)" in the spec: always serialized, even when null (the ETS checks the key).
    mandatory: bool = False
    # Set by the service only (id, Task.creationTime); clients must not send it.
    read_only: bool = False
    aliases: tuple[str, ...] = ()

    def __repr__(self) -> str:  # short: ASTs embed properties, and test failures print ASTs
        return f"Property({self.name!r}, {self.type.name})"


@dataclass(frozen=True, slots=True)
class NavigationProperty:
    """A relation from `source` to `target` (entity type names), seen from `source`."""

    name: str
    source: str
    target: str
    cardinality: Cardinality
    # Name of the navigation property of `target` that leads back to `source`.
    inverse: str
    # The spec's "mandatory" side: an entity of `source` cannot exist without this link.
    required: bool = False

    @property
    def many(self) -> bool:
        return self.cardinality is Cardinality.MANY

    def __repr__(self) -> str:
        arrow = f"{self.source}.{self.name} -> {self.target}"
        return f"NavigationProperty({arrow}, {self.cardinality.name})"


@dataclass(frozen=True, slots=True)
class EntityType:
    """An entity type with its entity set name, properties and navigation properties."""

    name: str
    entity_set: str
    properties: tuple[Property, ...]
    navigation: tuple[NavigationProperty, ...]
    # Which document defines it: "sensing" (18-088), "multidatastream" (18-088 §12),
    # "tasking" (17-079). The service root may hide extensions (ets-sta10 rejects unknown sets).
    part: str = "sensing"
    _members: Mapping[str, Property | NavigationProperty] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        members: dict[str, Property | NavigationProperty] = {}
        for prop in self.properties:
            for name in (prop.name, *prop.aliases):
                members[name] = prop
        for nav in self.navigation:
            members[nav.name] = nav
        # A frozen dataclass: the look-up table is computed once, here.
        object.__setattr__(self, "_members", MappingProxyType(members))

    def __repr__(self) -> str:
        return f"EntityType({self.name!r})"

    def member(self, name: str) -> Property | NavigationProperty | None:
        """The property or navigation property called `name` (aliases included), if any."""
        return self._members.get(name)

    def get_property(self, name: str) -> Property | None:
        found = self._members.get(name)
        return found if isinstance(found, Property) else None

    def get_navigation(self, name: str) -> NavigationProperty | None:
        found = self._members.get(name)
        return found if isinstance(found, NavigationProperty) else None

    @property
    def member_names(self) -> tuple[str, ...]:
        """Canonical names of all members: properties first, then navigation properties."""
        return tuple(p.name for p in self.properties) + tuple(n.name for n in self.navigation)


@dataclass(frozen=True, slots=True)
class DataModel:
    """All entity types served under one API version."""

    version: str
    entity_types: tuple[EntityType, ...]
    _by_name: Mapping[str, EntityType] = field(init=False, repr=False, compare=False)
    _by_set: Mapping[str, EntityType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_by_name", MappingProxyType({t.name: t for t in self.entity_types})
        )
        object.__setattr__(
            self, "_by_set", MappingProxyType({t.entity_set: t for t in self.entity_types})
        )

    def __repr__(self) -> str:
        return f"DataModel({self.version!r})"

    def entity_type(self, name: str) -> EntityType:
        """The entity type called `name` (singular); KeyError if there is none."""
        return self._by_name[name]

    def entity_set(self, name: str) -> EntityType | None:
        """The entity type whose entity set is called `name` (plural), if any."""
        return self._by_set.get(name)

    @property
    def entity_set_names(self) -> tuple[str, ...]:
        return tuple(t.entity_set for t in self.entity_types)

    def target(self, nav: NavigationProperty) -> EntityType:
        return self._by_name[nav.target]

    def inverse(self, nav: NavigationProperty) -> NavigationProperty:
        found = self._by_name[nav.target].get_navigation(nav.inverse)
        if found is None:  # pragma: no cover - guarded by a test over the whole model
            raise KeyError(f"{nav.target}.{nav.inverse}")
        return found

    def is_many_to_many(self, nav: NavigationProperty) -> bool:
        """True for relations stored in a link table (Thing-Location, ...)."""
        return nav.many and self.inverse(nav).many


# -- the tables ------------------------------------------------------------------------------

_ONE, _MANY = Cardinality.ONE, Cardinality.MANY
_T = PropertyType


def _id() -> tuple[Property, ...]:
    return (
        Property("id", _T.ID, mandatory=True, read_only=True, aliases=("@iot.id",)),
        Property(
            "selfLink", _T.SELF_LINK, mandatory=True, read_only=True, aliases=("@iot.selfLink",)
        ),
    )


def _named() -> tuple[Property, ...]:
    return (
        Property("name", _T.STRING, mandatory=True),
        Property("description", _T.STRING, mandatory=True),
    )


_PROPERTIES: Final = Property("properties", _T.OBJECT)


def _nav(
    source: str,
    name: str,
    target: str,
    cardinality: Cardinality,
    inverse: str,
    *,
    required: bool = False,
) -> NavigationProperty:
    return NavigationProperty(name, source, target, cardinality, inverse, required)


def _build(version: str) -> DataModel:
    # v1.1 added the `properties` object to every entity that has a name (18-088 annex B,
    # 2018-10-12); in v1.0 only Thing had it. The tasking entities of 17-079 always have it.
    v11 = version == V1_1
    props: tuple[Property, ...] = (_PROPERTIES,) if v11 else ()
    types = (
        EntityType(
            "Thing",
            "Things",
            (*_id(), *_named(), _PROPERTIES),
            (
                _nav("Thing", "Locations", "Location", _MANY, "Things"),
                _nav("Thing", "HistoricalLocations", "HistoricalLocation", _MANY, "Thing"),
                _nav("Thing", "Datastreams", "Datastream", _MANY, "Thing"),
                _nav("Thing", "MultiDatastreams", "MultiDatastream", _MANY, "Thing"),
                _nav("Thing", "TaskingCapabilities", "TaskingCapability", _MANY, "Thing"),
            ),
        ),
        EntityType(
            "Location",
            "Locations",
            (
                *_id(),
                *_named(),
                Property("encodingType", _T.STRING, mandatory=True),
                Property("location", _T.GEOMETRY, mandatory=True),
                *props,
            ),
            (
                _nav("Location", "Things", "Thing", _MANY, "Locations"),
                _nav("Location", "HistoricalLocations", "HistoricalLocation", _MANY, "Locations"),
            ),
        ),
        EntityType(
            "HistoricalLocation",
            "HistoricalLocations",
            (*_id(), Property("time", _T.INSTANT, mandatory=True)),
            (
                _nav(
                    "HistoricalLocation",
                    "Thing",
                    "Thing",
                    _ONE,
                    "HistoricalLocations",
                    required=True,
                ),
                # "One HistoricalLocation SHALL have one or many Locations."
                _nav(
                    "HistoricalLocation",
                    "Locations",
                    "Location",
                    _MANY,
                    "HistoricalLocations",
                    required=True,
                ),
            ),
        ),
        EntityType(
            "Datastream",
            "Datastreams",
            (
                *_id(),
                *_named(),
                Property("unitOfMeasurement", _T.OBJECT, mandatory=True),
                Property("observationType", _T.STRING, mandatory=True),
                *props,
                # The next three summarise the Observations (FROST maintains them by trigger).
                Property("observedArea", _T.GEOMETRY),
                Property("phenomenonTime", _T.INTERVAL),
                Property("resultTime", _T.INTERVAL),
            ),
            (
                _nav("Datastream", "Thing", "Thing", _ONE, "Datastreams", required=True),
                _nav("Datastream", "Sensor", "Sensor", _ONE, "Datastreams", required=True),
                _nav(
                    "Datastream",
                    "ObservedProperty",
                    "ObservedProperty",
                    _ONE,
                    "Datastreams",
                    required=True,
                ),
                _nav("Datastream", "Observations", "Observation", _MANY, "Datastream"),
            ),
        ),
        EntityType(
            "MultiDatastream",
            "MultiDatastreams",
            (
                *_id(),
                *_named(),
                Property("unitOfMeasurements", _T.ARRAY, mandatory=True),
                Property("observationType", _T.STRING, mandatory=True),
                Property("multiObservationDataTypes", _T.ARRAY, mandatory=True),
                *props,
                Property("observedArea", _T.GEOMETRY),
                Property("phenomenonTime", _T.INTERVAL),
                Property("resultTime", _T.INTERVAL),
            ),
            (
                _nav("MultiDatastream", "Thing", "Thing", _ONE, "MultiDatastreams", required=True),
                _nav(
                    "MultiDatastream", "Sensor", "Sensor", _ONE, "MultiDatastreams", required=True
                ),
                # Ordered: the i-th ObservedProperty matches the i-th element of each result.
                _nav(
                    "MultiDatastream",
                    "ObservedProperties",
                    "ObservedProperty",
                    _MANY,
                    "MultiDatastreams",
                    required=True,
                ),
                _nav("MultiDatastream", "Observations", "Observation", _MANY, "MultiDatastream"),
            ),
            part="multidatastream",
        ),
        EntityType(
            "Sensor",
            "Sensors",
            (
                *_id(),
                *_named(),
                Property("encodingType", _T.STRING, mandatory=True),
                Property("metadata", _T.ANY, mandatory=True),
                *props,
            ),
            (
                _nav("Sensor", "Datastreams", "Datastream", _MANY, "Sensor"),
                _nav("Sensor", "MultiDatastreams", "MultiDatastream", _MANY, "Sensor"),
            ),
        ),
        EntityType(
            "ObservedProperty",
            "ObservedProperties",
            (
                *_id(),
                Property("name", _T.STRING, mandatory=True),
                Property("definition", _T.STRING, mandatory=True),
                Property("description", _T.STRING, mandatory=True),
                *props,
            ),
            (
                _nav("ObservedProperty", "Datastreams", "Datastream", _MANY, "ObservedProperty"),
                _nav(
                    "ObservedProperty",
                    "MultiDatastreams",
                    "MultiDatastream",
                    _MANY,
                    "ObservedProperties",
                ),
            ),
        ),
        EntityType(
            "Observation",
            "Observations",
            (
                *_id(),
                Property("phenomenonTime", _T.TIME, mandatory=True),
                Property("result", _T.ANY, mandatory=True),
                # Mandatory key, but its value may be null (ETS: `"resultTime": null`).
                Property("resultTime", _T.INSTANT, mandatory=True),
                Property("resultQuality", _T.ANY),
                Property("validTime", _T.INTERVAL),
                Property("parameters", _T.OBJECT),
            ),
            (
                # Exactly one of Datastream / MultiDatastream (the core alone requires Datastream),
                # so neither is flagged `required` here: the write path checks the pair.
                _nav("Observation", "Datastream", "Datastream", _ONE, "Observations"),
                _nav("Observation", "MultiDatastream", "MultiDatastream", _ONE, "Observations"),
                _nav(
                    "Observation",
                    "FeatureOfInterest",
                    "FeatureOfInterest",
                    _ONE,
                    "Observations",
                    required=True,
                ),
            ),
        ),
        EntityType(
            "FeatureOfInterest",
            "FeaturesOfInterest",
            (
                *_id(),
                *_named(),
                Property("encodingType", _T.STRING, mandatory=True),
                Property("feature", _T.GEOMETRY, mandatory=True),
                *props,
            ),
            (_nav("FeatureOfInterest", "Observations", "Observation", _MANY, "FeatureOfInterest"),),
        ),
        EntityType(
            "TaskingCapability",
            "TaskingCapabilities",
            (
                *_id(),
                *_named(),
                Property("taskingParameters", _T.OBJECT, mandatory=True),
                _PROPERTIES,
            ),
            (
                _nav(
                    "TaskingCapability",
                    "Thing",
                    "Thing",
                    _ONE,
                    "TaskingCapabilities",
                    required=True,
                ),
                _nav(
                    "TaskingCapability",
                    "Actuator",
                    "Actuator",
                    _ONE,
                    "TaskingCapabilities",
                    required=True,
                ),
                _nav("TaskingCapability", "Tasks", "Task", _MANY, "TaskingCapability"),
            ),
            part="tasking",
        ),
        EntityType(
            "Task",
            "Tasks",
            (
                *_id(),
                Property("taskingParameters", _T.OBJECT, mandatory=True),
                # "SHALL only be added automatically by the service" (17-079 §7).
                Property("creationTime", _T.INSTANT, mandatory=True, read_only=True),
            ),
            (
                _nav(
                    "Task",
                    "TaskingCapability",
                    "TaskingCapability",
                    _ONE,
                    "Tasks",
                    required=True,
                ),
            ),
            part="tasking",
        ),
        EntityType(
            "Actuator",
            "Actuators",
            (
                *_id(),
                *_named(),
                Property("encodingType", _T.STRING, mandatory=True),
                Property("metadata", _T.ANY, mandatory=True),
                _PROPERTIES,
            ),
            (_nav("Actuator", "TaskingCapabilities", "TaskingCapability", _MANY, "Actuator"),),
            part="tasking",
        ),
    )
    return DataModel(version, types)


MODELS: Final[Mapping[str, DataModel]] = MappingProxyType({v: _build(v) for v in VERSIONS})


def model_for(version: str) -> DataModel:
    """The data model of API version `version` ("v1.0" or "v1.1")."""
    try:
        return MODELS[version]
    except KeyError:
        raise ValueError(
            f"unknown SensorThings API version {version!r}; expected one of {', '.join(VERSIONS)}"
        ) from None
