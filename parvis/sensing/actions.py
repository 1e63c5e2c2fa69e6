"""Writes of the SensorThings API: deep inserts, updates, deletes with the spec's cascades, and
the server's own rules (HistoricalLocations when a Thing moves, a FeatureOfInterest generated
once per Location, a Datastream's time ranges). Everything runs on one connection inside the
caller's transaction: a failed deep insert leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, insert, or_, select, update

from parvis.kernel.db import UTCDateTime
from parvis.sensing import codec
from parvis.sensing.areas import widen_observed_areas
from parvis.sensing.mapping import ENTITIES
from parvis.sensing.queries import StaError, Viewer
from parvis.sensing.sta.model import model_for
from parvis.sensing.sta.payload import (
    GEOJSON_ENCODINGS,
    Interval,
    Link,
    NewEntity,
    PayloadError,
    Update,
)
from parvis.sensing.sta.tasking import check_task_parameters

_T = {name: em.table for name, em in ENTITIES.items()}
THINGS_LOCATIONS = ENTITIES["Thing"].relations["Locations"].link
LOCATIONS_HISTORY = ENTITIES["Location"].relations["HistoricalLocations"].link
MD_PROPERTIES = ENTITIES["MultiDatastream"].relations["ObservedProperties"].link
assert THINGS_LOCATIONS is not None and LOCATIONS_HISTORY is not None
assert MD_PROPERTIES is not None


@dataclass(frozen=True)
class Change:
    """An entity created (changed is None) or updated, for MQTT notifications after commit."""

    entity_type: str
    id: int
    changed: frozenset[str] | None = None
    row: Mapping[Any, Any] | None = None  # the stored columns, when known (bulk inserts)


@dataclass
class Writer:
    conn: Connection
    viewer: Viewer
    version: str = "v1.1"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    changes: list[Change] = field(default_factory=list)

    # -- checks ------------------------------------------------------------------------------

    def _exists(self, entity_type: str, id_: int) -> bool:
        t = _T[entity_type]
        return self.conn.scalar(select(t.c.id).where(t.c.id == id_)) is not None

    def _require(self, link: Link, where: str) -> int:
        if not self._exists(link.entity_type, link.id):
            raise PayloadError(f"no {link.entity_type} with id {link.id}", where)
        return link.id

    def _check_device(self, entity_type: str, values: Mapping[Any, Any]) -> None:
        """A device writes Observations of its own Things' Datastreams, nothing else."""
        if self.viewer.staff:
            return
        if entity_type != "Observation":
            raise StaError(403, f"a device may only create Observations, not a {entity_type}")
        stream = "Datastream" if values.get("datastream_id") is not None else "MultiDatastream"
        stream_id = values.get("datastream_id") or values.get("multi_datastream_id")
        t = _T[stream]
        thing = self.conn.scalar(select(t.c.thing_id).where(t.c.id == stream_id))
        if thing not in self.viewer.things:
            raise StaError(403, f"this device may not write to {stream} {stream_id}")

    # -- create ------------------------------------------------------------------------------

    def create(
        self, new: NewEntity, *, back: tuple[str, int] | None = None, where: str = ""
    ) -> int:
        """Insert `new` and its related entities; `back` = (navigation, id) of the parent that
        contains it in a deep insert. Returns the new id."""
        name = new.entity_type
        em = ENTITIES[name]
        values = codec.to_columns(name, new.properties)
        if "phenomenonTime" in new.server_defaults:
            values["phenomenon_time_start"] = values["phenomenon_time_end"] = self.now
        if "creationTime" in new.server_defaults:
            values["creation_time"] = self.now
        later: list[tuple[str, Sequence[NewEntity | Link]]] = []
        for nav_name, members in new.related.items():
            relation = em.relations[nav_name]
            if relation.kind == "here":
                member = members[0]
                path = _join(where, nav_name)
                if isinstance(member, Link):
                    values[relation.column] = self._require(member, path)
                else:
                    values[relation.column] = self.create(member, where=path)
            else:
                later.append((nav_name, members))
        if back is not None:
            values[em.relations[back[0]].column] = back[1]
        if name == "Observation":
            if values.get("multi_datastream_id") is not None:
                check_multi_result(self.conn, values["multi_datastream_id"], new, where)
            if values.get("feature_id") is None:
                values["feature_id"] = self._generated_feature(values, where)
        self._check_device(name, values)
        if name == "Task":
            self._check_task(values, where)
        if name == "Location" or name == "FeatureOfInterest":
            _check_encoding(new.properties, where)
        new_id = int(
            self.conn.execute(insert(em.table).values(values).returning(em.table.c.id)).scalar_one()
        )
        self.changes.append(Change(name, new_id))
        # JSON members are unordered: a Thing's Locations go in before its Datastreams, whose
        # Observations may need the FeatureOfInterest generated from them.
        later.sort(key=lambda item: item[0] != "Locations")
        for nav_name, group in later:
            self._attach(name, new_id, nav_name, group, _join(where, nav_name))
        if name == "Observation":
            self._extend_stream_times(values)
        if name == "HistoricalLocation":
            self._maybe_move(new_id, values)
        return new_id

    def _attach(
        self,
        name: str,
        id_: int,
        nav_name: str,
        members: Sequence[NewEntity | Link],
        where: str,
    ) -> None:
        relation = ENTITIES[name].relations[nav_name]
        nav = model_for(self.version).entity_type(name).get_navigation(nav_name)
        assert nav is not None
        target = _T[nav.target]
        ids: list[int] = []
        for i, member in enumerate(members):
            path = f"{where}[{i}]"
            if relation.kind == "there":
                if isinstance(member, Link):
                    self._require(member, path)
                    self.conn.execute(
                        update(target)
                        .where(target.c.id == member.id)
                        .values({relation.column: id_})
                    )
                    ids.append(member.id)
                else:
                    ids.append(self.create(member, back=(nav.inverse, id_), where=path))
            else:
                ids.append(
                    self._require(member, path)
                    if isinstance(member, Link)
                    else self.create(member, where=path)
                )
        if relation.kind != "link":
            return
        link = relation.link
        assert link is not None
        rows = [
            {relation.source_column: id_, relation.target_column: other}
            | ({"rank": rank} if link is MD_PROPERTIES else {})
            for rank, other in enumerate(ids)
        ]
        if rows:
            self.conn.execute(insert(link), rows)
        if name == "Thing" and nav_name == "Locations":
            self._record_history(id_)
        elif name == "Location" and nav_name == "Things":
            for thing in ids:
                self._record_history(thing)

    def _record_history(self, thing_id: int) -> None:
        """A HistoricalLocation of the Thing at its current Locations (18-088 §8.2.3)."""
        assert THINGS_LOCATIONS is not None and LOCATIONS_HISTORY is not None
        hl = _T["HistoricalLocation"]
        hl_id = int(
            self.conn.execute(
                insert(hl).values(time=self.now, thing_id=thing_id).returning(hl.c.id)
            ).scalar_one()
        )
        locations = self.conn.scalars(
            select(THINGS_LOCATIONS.c.location_id).where(THINGS_LOCATIONS.c.thing_id == thing_id)
        ).all()
        if locations:
            self.conn.execute(
                insert(LOCATIONS_HISTORY),
                [{"location_id": loc, "historical_location_id": hl_id} for loc in locations],
            )
        self.changes.append(Change("HistoricalLocation", hl_id))

    def _maybe_move(self, hl_id: int, values: Mapping[Any, Any]) -> None:
        """A HistoricalLocation posted by hand that is the Thing's latest moves the Thing to its
        Locations; an older one only completes the history (FROST's behaviour)."""
        assert THINGS_LOCATIONS is not None and LOCATIONS_HISTORY is not None
        hl = _T["HistoricalLocation"]
        thing_id = values["thing_id"]
        latest = self.conn.scalar(
            select(func.max(hl.c.time)).where(hl.c.thing_id == thing_id, hl.c.id != hl_id)
        )
        time = values["time"]
        if latest is not None and _aware(latest) > time:
            return
        locations = self.conn.scalars(
            select(LOCATIONS_HISTORY.c.location_id).where(
                LOCATIONS_HISTORY.c.historical_location_id == hl_id
            )
        ).all()
        if not locations:
            return
        self.conn.execute(delete(THINGS_LOCATIONS).where(THINGS_LOCATIONS.c.thing_id == thing_id))
        self.conn.execute(
            insert(THINGS_LOCATIONS),
            [{"thing_id": thing_id, "location_id": loc} for loc in locations],
        )

    def _generated_feature(self, values: Mapping[Any, Any], where: str) -> int:
        """The FeatureOfInterest of an Observation that names none: the one generated from its
        Thing's Location, created the first time (18-088 §10.2)."""
        assert THINGS_LOCATIONS is not None
        stream = "Datastream" if values.get("datastream_id") is not None else "MultiDatastream"
        stream_id = values.get("datastream_id") or values.get("multi_datastream_id")
        st = _T[stream]
        thing_id = self.conn.scalar(select(st.c.thing_id).where(st.c.id == stream_id))
        loc = _T["Location"]
        rows = self.conn.execute(
            select(loc)
            .join(THINGS_LOCATIONS, THINGS_LOCATIONS.c.location_id == loc.c.id)
            .where(THINGS_LOCATIONS.c.thing_id == thing_id)
            .order_by(loc.c.id)
        ).all()
        place = next((r for r in rows if r.encoding_type in GEOJSON_ENCODINGS), None)
        if place is None:
            raise PayloadError(
                "no FeatureOfInterest given, and the Thing of the "
                f"{stream} has no GeoJSON Location to derive one from",
                _join(where, "FeatureOfInterest"),
            )
        features = _T["FeatureOfInterest"]
        if place.generated_feature_id is not None:
            return int(place.generated_feature_id)
        feature_id = int(
            self.conn.execute(
                insert(features)
                .values(
                    name=place.name,
                    description=f"Generated using location details: {place.description}",
                    encoding_type=place.encoding_type,
                    feature=place.location,
                )
                .returning(features.c.id)
            ).scalar_one()
        )
        self.conn.execute(
            update(loc).where(loc.c.id == place.id).values(generated_feature_id=feature_id)
        )
        self.changes.append(Change("FeatureOfInterest", feature_id))
        return feature_id

    def _extend_stream_times(self, values: Mapping[Any, Any]) -> None:
        stream = "Datastream" if values.get("datastream_id") is not None else "MultiDatastream"
        stream_id = values.get("datastream_id") or values.get("multi_datastream_id")
        extend_stream_times(
            self.conn,
            stream,
            {
                stream_id: (
                    values["phenomenon_time_start"],
                    values["phenomenon_time_end"],
                    values.get("result_time"),
                    values.get("result_time"),
                )
            },
            {stream_id: 1},
        )
        widen_observed_areas(self.conn, stream, {stream_id: {values["feature_id"]}})

    def _check_task(self, values: Mapping[Any, Any], where: str) -> None:
        caps = _T["TaskingCapability"]
        schema = self.conn.scalar(
            select(caps.c.tasking_parameters).where(caps.c.id == values["tasking_capability_id"])
        )
        check_task_parameters(
            schema, values.get("tasking_parameters"), _join(where, "taskingParameters")
        )

    # -- update ------------------------------------------------------------------------------

    def update(self, entity_type: str, id_: int, upd: Update) -> frozenset[str]:
        if not self.viewer.staff:
            raise StaError(403, "only staff may change entities")
        em = ENTITIES[entity_type]
        t = em.table
        if not self._exists(entity_type, id_):
            raise StaError(404, f"no {entity_type} with id {id_}")
        values = codec.to_columns(entity_type, upd.properties)
        changed = set(upd.properties)
        for nav_name, links in upd.links.items():
            relation = em.relations[nav_name]
            if relation.kind == "here":
                values[relation.column] = self._require(links[0], nav_name)
                changed.add(nav_name)
        if entity_type in ("Location", "FeatureOfInterest") and (
            "location" in upd.properties
            or "feature" in upd.properties
            or "encodingType" in upd.properties
        ):
            row = self.conn.execute(select(t).where(t.c.id == id_)).one()._mapping
            merged = {"encodingType": row["encoding_type"]} | dict(upd.properties)
            _check_encoding(merged, "")
        moved = entity_type == "Observation" and any(
            name in upd.links for name in ("Datastream", "MultiDatastream")
        )
        if moved:
            self._uncount("Observation", id_)
        if values:
            self.conn.execute(update(t).where(t.c.id == id_).values(values))
        if moved:
            row = self.conn.execute(select(t).where(t.c.id == id_)).one()._mapping
            stream = "Datastream" if row["datastream_id"] is not None else "MultiDatastream"
            stream_id = row["datastream_id"] or row["multi_datastream_id"]
            st = _T[stream]
            self.conn.execute(
                update(st)
                .where(st.c.id == stream_id)
                .values(observation_count=st.c.observation_count + 1)
            )
        if entity_type == "Task" and "taskingParameters" in upd.properties:
            row = self.conn.execute(select(t).where(t.c.id == id_)).one()._mapping
            self._check_task(row, "")
        for nav_name, links in upd.links.items():
            relation = em.relations[nav_name]
            if relation.kind == "here":
                continue
            if entity_type == "Thing" and nav_name == "Locations":
                self._replace_locations(id_, links)
            else:
                self._attach(entity_type, id_, nav_name, links, nav_name)
        self.changes.append(Change(entity_type, id_, frozenset(changed)))
        return frozenset(changed)

    def _replace_locations(self, thing_id: int, links: Sequence[Link]) -> None:
        """PATCH Thing.Locations replaces the Thing's Locations and records the move (what the
        official tests and FROST expect)."""
        assert THINGS_LOCATIONS is not None
        ids = [self._require(link, "Locations") for link in links]
        self.conn.execute(delete(THINGS_LOCATIONS).where(THINGS_LOCATIONS.c.thing_id == thing_id))
        if ids:
            self.conn.execute(
                insert(THINGS_LOCATIONS),
                [{"thing_id": thing_id, "location_id": loc} for loc in dict.fromkeys(ids)],
            )
            self._record_history(thing_id)

    # -- delete ------------------------------------------------------------------------------

    def _uncount(self, entity_type: str, id_: int) -> None:
        """Take the Observations about to go out of their streams' counts."""
        obs = _T["Observation"]
        column = obs.c.id if entity_type == "Observation" else obs.c.feature_id
        for stream, key in (
            ("Datastream", obs.c.datastream_id),
            ("MultiDatastream", obs.c.multi_datastream_id),
        ):
            t = _T[stream]
            for stream_id, n in self.conn.execute(
                select(key, func.count()).where(column == id_, key.is_not(None)).group_by(key)
            ):
                self.conn.execute(
                    update(t)
                    .where(t.c.id == stream_id)
                    .values(observation_count=t.c.observation_count - n)
                )

    def delete(self, entity_type: str, id_: int) -> None:
        """Delete with 18-088 §10.4's cascades: the database's ON DELETE CASCADE does the
        foreign-key chains; what goes through link tables is deleted here."""
        if not self.viewer.staff:
            raise StaError(403, "only staff may delete entities")
        t = _T[entity_type]
        if not self._exists(entity_type, id_):
            raise StaError(404, f"no {entity_type} with id {id_}")
        assert LOCATIONS_HISTORY is not None and MD_PROPERTIES is not None
        if entity_type == "Location":
            hl = _T["HistoricalLocation"]
            self.conn.execute(
                delete(hl).where(
                    hl.c.id.in_(
                        select(LOCATIONS_HISTORY.c.historical_location_id).where(
                            LOCATIONS_HISTORY.c.location_id == id_
                        )
                    )
                )
            )
        elif entity_type in ("Observation", "FeatureOfInterest"):
            self._uncount(entity_type, id_)
        if entity_type == "ObservedProperty":
            md = _T["MultiDatastream"]
            self.conn.execute(
                delete(md).where(
                    md.c.id.in_(
                        select(MD_PROPERTIES.c.multi_datastream_id).where(
                            MD_PROPERTIES.c.observed_property_id == id_
                        )
                    )
                )
            )
        self.conn.execute(delete(t).where(t.c.id == id_))


def multi_size(conn: Connection, multi_datastream_id: int) -> int:
    assert MD_PROPERTIES is not None
    return int(
        conn.scalar(
            select(func.count()).where(MD_PROPERTIES.c.multi_datastream_id == multi_datastream_id)
        )
        or 0
    )


def check_multi_result(
    conn: Connection, multi_datastream_id: int, new: NewEntity, where: str, size: int | None = None
) -> None:
    """18-088 §12: a MultiDatastream's result is an array, one value per ObservedProperty."""
    result = new.properties.get("result")
    expected = multi_size(conn, multi_datastream_id) if size is None else size
    if not isinstance(result, list) or len(result) != expected:
        raise PayloadError(
            f"the result of an Observation of a MultiDatastream is an array of {expected} values, "
            "one per ObservedProperty",
            _join(where, "result"),
        )


def extend_stream_times(
    conn: Connection,
    stream: str,
    spans: Mapping[Any, tuple[datetime, datetime, datetime | None, datetime | None]],
    added: Mapping[Any, int] | None = None,
) -> None:
    """Widen the phenomenonTime and resultTime of (Multi)Datastreams to cover new Observations
    and add them to the streams' counts: one UPDATE per stream, all sent in one executemany
    per batch, not a trigger per row (FROST's bulk-load complaint)."""
    t = _T[stream]
    added = added or {}
    none = (None, None, None, None)
    params = [
        dict(zip(("p0", "p1", "r0", "r1"), spans.get(sid, none), strict=True))
        | {"sid": sid, "n": added.get(sid, 0)}
        for sid in sorted(set(spans) | set(added))
    ]
    if not params:
        return

    def widen(column: Any, name: str, earlier: bool) -> Any:
        value = bindparam(name, type_=UTCDateTime())
        beyond = column > value if earlier else column < value
        return case((or_(column.is_(None), beyond), func.coalesce(value, column)), else_=column)

    stmt = (
        update(t)
        .where(t.c.id == bindparam("sid"))
        .values(
            observation_count=t.c.observation_count + bindparam("n"),
            phenomenon_time_start=widen(t.c.phenomenon_time_start, "p0", True),
            phenomenon_time_end=widen(t.c.phenomenon_time_end, "p1", False),
            result_time_start=widen(t.c.result_time_start, "r0", True),
            result_time_end=widen(t.c.result_time_end, "r1", False),
        )
    )
    conn.execute(stmt, params)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def _check_encoding(properties: Mapping[str, object], where: str) -> None:
    """location and feature must be GeoJSON when their encodingType says so (payload checks
    them); any other encodingType is stored as given."""
    encoding = properties.get("encodingType")
    if encoding is None:
        return
    if not isinstance(encoding, str) or not encoding:
        raise PayloadError("encodingType must be a non-empty string", _join(where, "encodingType"))


def interval_of(value: object) -> tuple[datetime | None, datetime | None]:
    if isinstance(value, Interval):
        return value.start, value.end
    if isinstance(value, datetime):
        return value, value
    return None, None


def changes_of(items: Iterable[Change]) -> list[Change]:
    return list(items)
