"""One SensorThings request, whatever carried it (HTTP, a $batch part, an MQTT message): parse,
run in one transaction, answer; after the commit, tell MQTT subscribers what changed."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from sqlalchemy import Connection, Engine, select

from parvis.sensing import codec
from parvis.sensing.actions import Change, Writer
from parvis.sensing.mapping import ENTITIES
from parvis.sensing.queries import ANONYMOUS, Reader, StaError, Viewer
from parvis.sensing.sqlfilter import UnsupportedFilter
from parvis.sensing.sta.jsonpatch import apply_patch
from parvis.sensing.sta.model import V1_0, V1_1, model_for
from parvis.sensing.sta.mqtt_topics import EntityEvent, topics_for
from parvis.sensing.sta.payload import PayloadError, binding_for, parse_create, parse_update
from parvis.sensing.sta.query.errors import QueryError
from parvis.sensing.sta.query.options import parse_query, query_pairs
from parvis.sensing.sta.query.path import PathKind, ResourcePath, parse_path
from parvis.sensing.sta.query.request import parse_request

MAX_BODY: Final = 25 * 1024 * 1024  # FROST's maxDataSize
SENSING_SETS: Final = (
    "Things",
    "Locations",
    "HistoricalLocations",
    "Datastreams",
    "MultiDatastreams",
    "Sensors",
    "ObservedProperties",
    "Observations",
    "FeaturesOfInterest",
)
TASKING_SETS: Final = ("TaskingCapabilities", "Tasks", "Actuators")
CONFORMANCE_11: Final = (
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/batch-request/batch-request",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/multi-datastream",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt/receive-updates",
    "http://www.opengis.net/spec/iot_tasking/1.0/req/tasking-core",
    "http://www.opengis.net/spec/iot_tasking/1.0/req/create-tasks-via-mqtt",
)
MQTT_CONFORMANCE: Final = "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation"


class Publisher(Protocol):
    def publish(self, topic: str, payload: bytes) -> object: ...

    def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> object: ...


@dataclass
class Transaction:
    """A $batch change set: one connection inside one transaction, and what it changed."""

    conn: Connection
    changes: list[Change] = field(default_factory=list)


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON
    text: str | None = None  # $value
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, status: int, message: str) -> Answer:
        return cls(status, {"code": status, "type": "error", "message": message})


@dataclass
class Service:
    """The SensorThings API of one version, bound to a database and a public root URL."""

    engine: Engine
    root: str  # e.g. https://host/sta (without the version)
    version: str = V1_1
    publisher: Publisher | None = None
    mqtt_endpoints: Sequence[str] = ()
    hide_tasking: bool = False
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def base(self) -> str:
        return f"{self.root}/{self.version}"

    # -- reads -------------------------------------------------------------------------------

    def get(self, path: str, query: str = "", viewer: Viewer = ANONYMOUS) -> Answer:
        try:
            with self.engine.connect() as conn:
                return self._get(conn, path, query, viewer)
        except (QueryError, PayloadError) as e:
            return Answer.error(e.status, str(e))
        except UnsupportedFilter as e:
            return Answer.error(e.status, str(e))
        except StaError as e:
            return Answer.error(e.status, e.message)

    def _get(self, conn: Connection, path: str, query: str, viewer: Viewer) -> Answer:
        pairs = query_pairs(query)
        skiptoken = next((v for k, v in pairs if k == "$skiptoken"), None)
        pairs = [(k, v) for k, v in pairs if k != "$skiptoken"]
        request = parse_request(path, pairs, self.version)
        resource = request.path
        kind = resource.kind
        if kind is PathKind.SERVICE_ROOT:
            return Answer(200, self.root_document())
        if kind in (PathKind.BATCH, PathKind.CREATE_OBSERVATIONS):
            return Answer.error(405, f"{resource.special} takes a POST")
        reader = Reader(conn, self.base, self.version, viewer, self.clock())
        segments = resource.segments
        target = segments[-1].entity_type.name
        link = f"{self.base}/{resource.canonical()}".removesuffix("/$ref")
        if resource.is_collection:
            if len(segments) > 1 and not reader.exists(segments[:-1]):
                raise StaError(404, f"{segments[-2].text()} does not exist")
            t, conds = reader.scope(segments, strict=False)
            body = reader.collection(
                target,
                t,
                conds,
                request.query,
                link=link,
                skiptoken=skiptoken,
                segments=segments,
            )
            if kind is PathKind.REF:
                body["value"] = [{"@iot.selfLink": v["@iot.selfLink"]} for v in body["value"]]
            return Answer(200, body)
        t, conds = reader.scope(segments, strict=True)
        options = request.query if kind is PathKind.ENTITY else None
        rows = reader.fetch(target, t, conds, options)
        if not rows:
            raise StaError(404, f"{resource.canonical()}: no such entity")
        row = rows[0]
        if kind is PathKind.REF:
            return Answer(200, {"@iot.selfLink": reader.self_link(target, row["id"])})
        if kind is PathKind.ENTITY:
            body = reader.entity_json(target, row, options)
            reader.expand(target, [row], [body], options)
            return Answer(200, body)
        assert resource.property is not None
        name = resource.property.name
        value = row["id"] if name == "id" else codec.read_property(target, name, row)
        if resource.subpath:
            from parvis.sensing.queries import _dig

            value = _dig(value, resource.subpath)
        if value is None:
            if self.version == V1_0:
                return Answer(200, text="") if kind is PathKind.VALUE else Answer(200, {name: None})
            return Answer(204)
        if kind is PathKind.VALUE:
            return Answer(200, text=codec.value_text(value))
        key = str(resource.subpath[-1]) if resource.subpath else name
        return Answer(200, {key: value})

    def root_document(self) -> dict[str, Any]:
        names = (
            SENSING_SETS
            if self.hide_tasking or self.version == V1_0
            else SENSING_SETS + TASKING_SETS
        )
        settings: dict[str, Any] = {"conformance": list(CONFORMANCE_11)}
        if self.mqtt_endpoints:
            settings[MQTT_CONFORMANCE] = {"endpoints": list(self.mqtt_endpoints)}
        return {
            "value": [{"name": n, "url": f"{self.base}/{n}"} for n in names],
            "serverSettings": settings,
        }

    # -- writes ------------------------------------------------------------------------------

    def _write(
        self, viewer: Viewer, work: Callable[[Writer], Answer], tx: Transaction | None = None
    ) -> Answer:
        if (refused := write_refusal(viewer)) is not None:
            return refused
        if tx is not None:
            # Inside a $batch change set: errors abort the whole set (its caller rolls back).
            writer = Writer(tx.conn, viewer, self.version, self.clock())
            answer = work(writer)
            tx.changes.extend(writer.changes)
            return answer
        try:
            with self.engine.begin() as conn:
                writer = Writer(conn, viewer, self.version, self.clock())
                answer = work(writer)
                changes = list(writer.changes)
        except (QueryError, PayloadError) as e:
            return Answer.error(e.status, str(e))
        except StaError as e:
            return Answer.error(e.status, e.message)
        self.notify(changes)
        return answer

    def post(
        self, path: str, body: object, viewer: Viewer, tx: Transaction | None = None
    ) -> Answer:
        resource = parse_path_or_error(path, self.version)
        if isinstance(resource, Answer):
            return resource
        if resource.kind is PathKind.CREATE_OBSERVATIONS:
            from parvis.sensing.bulk import create_observations

            return self._write(viewer, lambda w: create_observations(w, body, self.base), tx)
        if resource.kind is not PathKind.COLLECTION:
            return Answer.error(405, f"POST creates in a collection, not on {resource.canonical()}")
        target = resource.segments[-1].entity_type.name

        def work(writer: Writer) -> Answer:
            segments = resource.segments
            binding = binding_for(resource)
            if len(segments) > 1:
                reader = Reader(writer.conn, self.base, self.version, STAFF_VIEW)
                if not reader.exists(segments[:-1]):
                    raise StaError(404, f"{segments[-2].text()} does not exist")
                if binding is None:
                    raise StaError(400, "POST to a navigation collection needs its parent's id")
            doc = links_only(body)
            new = parse_create(target, doc, version=self.version, bound_parent=binding)
            new_id = writer.create(new)
            link = Reader(writer.conn, self.base, self.version).self_link(target, new_id)
            reader = Reader(writer.conn, self.base, self.version, STAFF_VIEW)
            et = ENTITIES[target].table
            row = reader.fetch(target, et, [et.c.id == new_id], None)[0]
            return Answer(201, reader.entity_json(target, row, None), headers={"Location": link})

        return self._write(viewer, work, tx)

    def update(
        self,
        path: str,
        body: object,
        viewer: Viewer,
        *,
        partial: bool,
        json_patch: bool = False,
        tx: Transaction | None = None,
    ) -> Answer:
        resource = parse_path_or_error(path, self.version)
        if isinstance(resource, Answer):
            return resource
        if resource.kind is not PathKind.ENTITY:
            return Answer.error(405, f"{'PATCH' if partial else 'PUT'} applies to one entity")
        target = resource.segments[-1].entity_type.name

        def work(writer: Writer) -> Answer:
            reader = Reader(writer.conn, self.base, self.version, STAFF_VIEW)
            t, conds = reader.scope(resource.segments, strict=True)
            rows = reader.fetch(target, t, conds, None)
            if not rows:
                raise StaError(404, f"{resource.canonical()}: no such entity")
            id_ = rows[0]["id"]
            doc: object = body
            if json_patch:
                current = reader.entity_json(target, rows[0], None)
                props = {k: v for k, v in current.items() if "@" not in k}
                patched = apply_patch(props, body)
                doc = {k: v for k, v in _as_dict(patched).items() if k != "id"}
                changed = {k: v for k, v in doc.items() if props.get(k) != v}
                upd = parse_update(target, changed, partial=True, version=self.version)
            else:
                doc = links_only(_strip_id(doc))
                upd = parse_update(target, doc, partial=partial, version=self.version)
            writer.update(target, id_, upd)
            t2 = ENTITIES[target].table
            row = reader.fetch(target, t2, [t2.c.id == id_], None)[0]
            return Answer(200, reader.entity_json(target, row, None))

        return self._write(viewer, work, tx)

    def delete(self, path: str, viewer: Viewer, tx: Transaction | None = None) -> Answer:
        resource = parse_path_or_error(path, self.version)
        if isinstance(resource, Answer):
            return resource
        if resource.kind is not PathKind.ENTITY:
            return Answer.error(405, "DELETE applies to one entity")
        target = resource.segments[-1].entity_type.name

        def work(writer: Writer) -> Answer:
            reader = Reader(writer.conn, self.base, self.version, STAFF_VIEW)
            t, conds = reader.scope(resource.segments, strict=True)
            found = writer.conn.scalar(select(t.c.id).where(*conds))
            if found is None:
                raise StaError(404, f"{resource.canonical()}: no such entity")
            writer.delete(target, int(found))
            return Answer(200)

        return self._write(viewer, work, tx)

    # -- notifications -----------------------------------------------------------------------

    def notify(self, changes: Sequence[Change]) -> None:
        """Send each created or updated entity, as a GET would show it, on its MQTT topics.
        Rows already known (bulk-inserted Observations) are not read again."""
        if self.publisher is None or not changes:
            return
        messages: list[tuple[str, bytes]] = []
        with self.engine.connect() as conn:
            readers = [
                Reader(conn, f"{self.root}/{version}", version, STAFF_VIEW)
                for version in (V1_1, V1_0)
            ]
            for change in changes:
                name = change.entity_type
                row = change.row
                if row is None:
                    t = ENTITIES[name].table
                    # Every column: the foreign keys name the navigation topics.
                    found = conn.execute(select(t).where(t.c.id == change.id)).first()
                    if found is None:
                        continue  # deleted since, or rolled back with its savepoint
                    row = found._mapping
                links = {
                    nav: frozenset({row[rel.column]})
                    for nav, rel in ENTITIES[name].relations.items()
                    if rel.kind == "here" and row.get(rel.column) is not None
                }
                event = EntityEvent(name, change.id, links, change.changed)
                for reader in readers:
                    if model_for(reader.version).entity_set(_plural(name)) is None:
                        continue  # tasking and MultiDatastreams are v1.1 only
                    body = reader.entity_json(name, row, None)
                    payload = json.dumps(body, ensure_ascii=False).encode()
                    messages.extend((topic, payload) for topic in topics_for(reader.version, event))
        # One call for the batch: a publish each costs the bridge ten times more.
        self.publisher.publish_many(messages)


STAFF_VIEW: Final = Viewer(staff=True, username="service")


def write_refusal(viewer: Viewer) -> Answer | None:
    """Why `viewer` may not write, or None: 401 to sign in, 403 for an account without the
    right (a resident's, say)."""
    if viewer.can_write:
        return None
    if viewer.signed_in:
        return Answer.error(403, "only staff and devices may write to the SensorThings API")
    return Answer.error(401, "sign in (Basic or Bearer) to write")


def parse_path_or_error(path: str, version: str) -> ResourcePath | Answer:
    try:
        return parse_path(path, version)
    except QueryError as e:
        return Answer.error(e.status, str(e))


def _plural(entity_type: str) -> str:
    return model_for(V1_1).entity_type(entity_type).entity_set


def links_only(body: object) -> object:
    """A related entity that carries an @iot.id is a link, whatever else it carries.

    frost-sta-client sends related entities whole, even those it only links (an Observation's
    Datastream arrives with its Thing and that Thing's Locations); FROST reads them as links
    (`entityExistsOrCreate`), so that nothing is created twice. Navigation members are the
    capitalised ones; properties (whose JSON may hold anything) are left alone."""
    if not isinstance(body, Mapping):
        return body
    return {k: _link_or_entity(v) if k[:1].isupper() else v for k, v in body.items()}


def _link_or_entity(value: object) -> object:
    if isinstance(value, list):
        return [_link_or_entity(item) for item in value]
    if isinstance(value, Mapping) and "@iot.id" in value:
        return {"@iot.id": value["@iot.id"]}
    return links_only(value)


def _strip_id(body: object) -> object:
    """frost-sta-client's PUT sends the whole entity, with its own id and selfLink."""
    if isinstance(body, Mapping):
        return {k: v for k, v in body.items() if k not in ("@iot.id", "id")}
    return body


def _as_dict(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError("a JSON Patch must leave an object")
    return value


__all__ = ["Answer", "Service", "parse_query"]
