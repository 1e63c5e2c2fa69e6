"""Reads of the SensorThings API: a parsed resource path and its query options become SQL, and
the rows become the JSON of 18-088 §9 (entities, collections, expansions, references, values).

Paging: a page is fetched with one row more than asked, so a nextLink appears exactly when more
rows exist. When the order is the id, or phenomenonTime of Observations, the nextLink carries a
`$skiptoken` with the last row's keys instead of a growing `$skip`: page 1,000 is then an index
range scan like page 1, not a scan of 100,000 rows (FROST users' deep-paging complaint).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote, urlencode

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    and_,
    column,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    values,
)
from sqlalchemy.sql import FromClause

from parvis.sensing import codec
from parvis.sensing.mapping import ENTITIES, Relation, Storage
from parvis.sensing.sqlfilter import compile_filter, compile_orderby, postgis_available
from parvis.sensing.sta.dataarray import (
    ObservationRow,
    components_for,
    encode_data_array,
    encode_data_array_response,
)
from parvis.sensing.sta.model import EntityType, NavigationProperty, model_for
from parvis.sensing.sta.payload import Link
from parvis.sensing.sta.query.filter import OrderBy
from parvis.sensing.sta.query.nodes import Path
from parvis.sensing.sta.query.options import (
    Expand,
    Query,
    ResultFormat,
    SelectNavigation,
    SelectProperty,
)
from parvis.sensing.sta.query.path import PathKind, PathSegment, ResourcePath

Row = Mapping[Any, Any]  # a result row's mapping (keys are column names)
DEFAULT_TOP: Final = 100
MAX_TOP: Final = 10_000
_CHUNK: Final = 500  # ids per IN (...) when expanding


class StaError(Exception):
    """An error answered with FROST's body `{"code", "type": "error", "message"}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def to_json(self) -> dict[str, Any]:
        return {"code": self.status, "type": "error", "message": self.message}


@dataclass(frozen=True)
class Viewer:
    """Who reads: staff see every Thing; a device also its own private Things; anyone else only
    public ones."""

    staff: bool = False
    things: frozenset[int] = frozenset()
    username: str = ""

    @property
    def can_write(self) -> bool:
        return self.staff or bool(self.things)

    @property
    def signed_in(self) -> bool:
        return bool(self.username)


ANONYMOUS: Final = Viewer()
STAFF: Final = Viewer(staff=True, username="staff")


@dataclass
class Reader:
    """One request's reading context."""

    conn: Connection
    base: str  # the versioned service root, e.g. https://host/sta/v1.1
    version: str
    viewer: Viewer = ANONYMOUS
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    _private: bool | None = None

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def postgis(self) -> bool:
        return self.dialect != "postgresql" or postgis_available(self.conn)

    # -- visibility --------------------------------------------------------------------------

    def any_private(self) -> bool:
        if self._private is None:
            things = ENTITIES["Thing"].table
            self._private = bool(
                self.conn.scalar(select(exists().where(things.c.private.is_(True))))
            )
        return self._private

    def visible(self, entity_type: str, t: FromClause) -> ColumnElement[bool]:
        """The condition hiding the entities of private Things from who may not see them."""
        if self.viewer.staff or not self.any_private():
            return true()
        things = ENTITIES["Thing"].table
        hidden = select(things.c.id).where(things.c.private.is_(True))
        if self.viewer.things:
            hidden = hidden.where(things.c.id.not_in(sorted(self.viewer.things)))
        if entity_type == "Thing":
            return t.c.id.not_in(hidden)
        if entity_type in ("Datastream", "MultiDatastream", "HistoricalLocation"):
            return t.c.thing_id.not_in(hidden)
        if entity_type == "TaskingCapability":
            return t.c.thing_id.not_in(hidden)
        if entity_type == "Task":
            caps = ENTITIES["TaskingCapability"].table
            return t.c.tasking_capability_id.not_in(
                select(caps.c.id).where(caps.c.thing_id.in_(hidden))
            )
        links = ENTITIES["Thing"].relations["Locations"].link
        assert links is not None
        hidden_places = select(links.c.location_id).where(links.c.thing_id.in_(hidden))
        if entity_type == "Location":
            return t.c.id.not_in(hidden_places)
        if entity_type == "FeatureOfInterest":
            # The feature generated from a private Thing's Location would tell where it is.
            places = ENTITIES["Location"].table
            generated = places.c.generated_feature_id
            return t.c.id.not_in(
                select(generated).where(places.c.id.in_(hidden_places), generated.is_not(None))
            )
        if entity_type == "Observation":
            ds = ENTITIES["Datastream"].table
            mds = ENTITIES["MultiDatastream"].table
            return and_(
                or_(
                    t.c.datastream_id.is_(None),
                    t.c.datastream_id.not_in(select(ds.c.id).where(ds.c.thing_id.in_(hidden))),
                ),
                or_(
                    t.c.multi_datastream_id.is_(None),
                    t.c.multi_datastream_id.not_in(
                        select(mds.c.id).where(mds.c.thing_id.in_(hidden))
                    ),
                ),
            )
        return true()  # Sensors, ObservedProperties, Features, Actuators are shared

    # -- links -------------------------------------------------------------------------------

    def self_link(self, entity_type: str, id_: int) -> str:
        return f"{self.base}/{model_for(self.version).entity_type(entity_type).entity_set}({id_})"

    # -- path resolution ---------------------------------------------------------------------

    def scope(
        self, segments: Sequence[PathSegment], *, strict: bool
    ) -> tuple[FromClause, list[ColumnElement[bool]]]:
        """The table of the last segment and the conditions selecting what the path addresses.

        `strict` checks the whole chain (for entities); otherwise only the link to the immediate
        parent when it has an id (the caller checked that the parent exists)."""
        seg = segments[-1]
        name = seg.entity_type.name
        t = ENTITIES[name].table.alias()
        conds: list[ColumnElement[bool]] = [self.visible(name, t)]
        if seg.id is not None:
            conds.append(t.c.id == seg.id)
        if len(segments) > 1:
            parent = segments[-2]
            assert seg.navigation is not None
            relation = ENTITIES[parent.entity_type.name].relations[seg.navigation.name]
            if parent.id is not None and not strict:
                parent_ids: Any = [parent.id]
            else:
                pt, pconds = self.scope(segments[:-1], strict=strict)
                parent_ids = select(pt.c.id).where(*pconds)
            conds.append(self._related_to(relation, parent.entity_type.name, t, parent_ids))
        return t, conds

    @staticmethod
    def _related_to(
        relation: Relation, parent_type: str, t: FromClause, parent_ids: Any
    ) -> ColumnElement[bool]:
        def within(column: Any) -> ColumnElement[bool]:
            if isinstance(parent_ids, list):
                return bool_(column == parent_ids[0])
            return bool_(column.in_(parent_ids))

        if relation.kind == "there":
            return within(t.c[relation.column])
        if relation.kind == "here":
            pt = ENTITIES[parent_type].table
            inner = select(pt.c[relation.column])
            inner = inner.where(within(pt.c.id))
            return t.c.id.in_(inner)
        link = relation.link
        assert link is not None
        return t.c.id.in_(
            select(link.c[relation.target_column]).where(within(link.c[relation.source_column]))
        )

    def exists(self, segments: Sequence[PathSegment]) -> bool:
        _t, conds = self.scope(segments, strict=True)
        return bool(self.conn.scalar(select(exists().where(*conds))))

    # -- entities ----------------------------------------------------------------------------

    def fetch(
        self,
        entity_type: str,
        t: FromClause,
        conds: Sequence[ColumnElement[bool]],
        query: Query | None,
        *,
        order: Sequence[Any] = (),
        offset: int = 0,
        limit: int | None = None,
        extra: Sequence[Any] = (),
    ) -> list[Row]:
        names = _selected_names(query)
        cols: list[Any] = codec.columns_for(entity_type, t, names)  # type: ignore[arg-type]
        cols += [
            t.c[c] for c in _foreign_keys(entity_type, query) if c not in {x.key for x in cols}
        ]
        stmt = select(*cols, *extra).where(*conds)
        if order:
            stmt = stmt.order_by(*order)
        if offset:
            stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [row._mapping for row in self.conn.execute(stmt)]

    def conditions(
        self, entity_type: str, t: FromClause, query: Query | None
    ) -> list[ColumnElement[bool]]:
        if query is None or query.filter is None:
            return []
        return [
            compile_filter(
                query.filter,
                entity_type,
                t,
                dialect=self.dialect,
                now=self.now,
                postgis=self.postgis(),
                visible=None if self.viewer.staff else self.visible,
            )
        ]

    def ordering(self, entity_type: str, t: FromClause, query: Query | None) -> list[Any]:
        items: Sequence[OrderBy] = query.orderby if query is not None else ()
        if _time_order(entity_type, items):
            column = t.c.phenomenon_time_start
            desc = items[0].descending
            return [column.desc(), t.c.id.desc()] if desc else [column.asc(), t.c.id.asc()]
        order = (
            compile_orderby(
                items, entity_type, t, dialect=self.dialect, now=self.now, postgis=self.postgis()
            )
            if items
            else []
        )
        if not any(_is_id(i) for i in items):
            order.append(t.c.id.asc())
        return order

    def entity_json(self, entity_type: str, row: Row, query: Query | None) -> dict[str, Any]:
        et = model_for(self.version).entity_type(entity_type)
        link = self.self_link(entity_type, row["id"])
        out: dict[str, Any] = {}
        selected = query.select if query is not None else ()
        if not selected:
            out["@iot.selfLink"] = link
            out["@iot.id"] = row["id"]
            for prop in et.properties:
                if prop.name in ("id", "selfLink"):
                    continue
                out[prop.name] = codec.read_property(entity_type, prop.name, row)
            for nav in et.navigation:
                out[f"{nav.name}@iot.navigationLink"] = f"{link}/{nav.name}"
            return out
        for item in selected:
            if isinstance(item, SelectNavigation):
                out[f"{item.navigation.name}@iot.navigationLink"] = f"{link}/{item.navigation.name}"
                continue
            name = item.property.name
            if name == "id":
                out["@iot.id"] = row["id"]
            elif name == "selfLink":
                out["@iot.selfLink"] = link
            else:
                value = codec.read_property(entity_type, name, row)
                if item.subpath:
                    _put(out, name, item.subpath, _dig(value, item.subpath))
                else:
                    out[name] = value
        return out

    def expand(
        self,
        entity_type: str,
        rows: Sequence[Row],
        bodies: Sequence[dict[str, Any]],
        query: Query | None,
    ) -> None:
        if query is None or not rows:
            return
        for item in query.expand:
            self._expand_one(entity_type, rows, bodies, item)

    def _expand_one(
        self,
        entity_type: str,
        rows: Sequence[Row],
        bodies: Sequence[dict[str, Any]],
        item: Expand,
    ) -> None:
        nav = item.navigation
        target = nav.target
        relation = ENTITIES[entity_type].relations[nav.name]
        sub = item.query
        tt = ENTITIES[target].table.alias()
        conds = [self.visible(target, tt), *self.conditions(target, tt, sub)]
        name = nav.name
        if not nav.many and relation.kind == "here":
            keys = {r[relation.column] for r in rows if r[relation.column] is not None}
            found: dict[int, tuple[Row, dict[str, Any]]] = {}
            for chunk in _chunks(sorted(keys)):
                got = self.fetch(target, tt, [*conds, tt.c.id.in_(chunk)], sub)
                got_bodies = [self.entity_json(target, r, sub) for r in got]
                self.expand(target, got, got_bodies, sub)
                for r, b in zip(got, got_bodies, strict=True):
                    found[r["id"]] = (r, b)
            for r, body in zip(rows, bodies, strict=True):
                hit = found.get(r[relation.column])
                body[name] = hit[1] if hit else None
                body.pop(f"{name}@iot.navigationLink", None)
            return
            # a to-one through a link table does not occur in the model
        parent_key, join_conds = self._parent_key(relation, tt)
        order = self.ordering(target, tt, sub)
        top = _top(sub)
        skip = sub.skip or 0
        ids = [r["id"] for r in rows]
        grouped: dict[int, list[tuple[Row, dict[str, Any]]]] = {i: [] for i in ids}
        counts: dict[int, int] = {}
        names = _selected_names(sub)
        cols: list[Any] = codec.columns_for(target, tt, names)  # type: ignore[arg-type]
        cols += [tt.c[c] for c in _foreign_keys(target, sub) if c not in {x.key for x in cols}]
        for chunk in _chunks(ids):
            got = self._members(
                relation, tt, cols, conds, join_conds, parent_key, order, chunk, skip, top
            )
            got_bodies = [self.entity_json(target, r, sub) for r in got]
            self.expand(target, got, got_bodies, sub)
            for r, b in zip(got, got_bodies, strict=True):
                grouped[r["_parent"]].append((r, b))
            if sub.count:
                stmt_count = (
                    select(parent_key, func.count())
                    .where(*conds, *join_conds, parent_key.in_(chunk))
                    .group_by(parent_key)
                )
                counts.update({int(k): int(v) for k, v in self.conn.execute(stmt_count)})
        for r, body in zip(rows, bodies, strict=True):
            members = grouped[r["id"]]
            if sub.count:
                body[f"{name}@iot.count"] = counts.get(r["id"], 0)
            body[name] = [b for _, b in members[:top]]
            body.pop(f"{name}@iot.navigationLink", None)
            if top > 0 and len(members) > top:
                link = f"{self.self_link(entity_type, r['id'])}/{name}"
                body[f"{name}@iot.nextLink"] = _with_params(link, sub, skip=skip + top)

    def _members(
        self,
        relation: Relation,
        tt: FromClause,
        cols: list[Any],
        conds: list[ColumnElement[bool]],
        join_conds: list[ColumnElement[bool]],
        parent_key: Any,
        order: list[Any],
        parents: list[int],
        skip: int,
        top: int,
    ) -> list[Row]:
        """The first skip + top + 1 members of each parent, each row with its `_parent`.

        Through a foreign key, each parent's members are an index range (the latest
        Observation of 1,000 Datastreams reads 1,000 rows, not the table): a LATERAL join on
        PostgreSQL, one small query per parent on SQLite (in-process, each costs microseconds).
        A link table goes through a window function over the (small) related sets."""
        if relation.kind == "there" and self.dialect == "postgresql":
            p = values(column("pid", BigInteger()), name="parents").data([(i,) for i in parents])
            inner = (
                select(*cols)
                .where(*conds, parent_key == p.c.pid)
                .order_by(*order)
                .offset(skip)
                .limit(top + 1)
                .lateral("members")
            )
            stmt = select(p.c.pid.label("_parent"), inner).select_from(p.join(inner, true()))
            return [row._mapping for row in self.conn.execute(stmt)]
        if relation.kind == "there":
            out: list[Row] = []
            for pid in parents:
                stmt = (
                    select(*cols, literal(pid).label("_parent"))
                    .where(*conds, parent_key == pid)
                    .order_by(*order)
                    .offset(skip)
                    .limit(top + 1)
                )
                out.extend(row._mapping for row in self.conn.execute(stmt))
            return out
        rn = func.row_number().over(partition_by=parent_key, order_by=order).label("_rn")
        where = [*conds, *join_conds, parent_key.in_(parents)]
        inner_q = select(*cols, parent_key.label("_parent"), rn).where(*where).subquery()
        stmt = (
            select(inner_q)
            .where(inner_q.c["_rn"] > skip, inner_q.c["_rn"] <= skip + top + 1)
            .order_by(inner_q.c["_parent"], inner_q.c["_rn"])
        )
        return [row._mapping for row in self.conn.execute(stmt)]

    @staticmethod
    def _parent_key(relation: Relation, tt: FromClause) -> tuple[Any, list[ColumnElement[bool]]]:
        if relation.kind == "there":
            return tt.c[relation.column], []
        link = relation.link
        assert link is not None
        la = link.alias()
        return la.c[relation.source_column], [la.c[relation.target_column] == tt.c.id]

    # -- collections -------------------------------------------------------------------------

    def collection(
        self,
        entity_type: str,
        t: FromClause,
        conds: list[ColumnElement[bool]],
        query: Query | None,
        *,
        link: str,
        skiptoken: str | None = None,
        segments: Sequence[PathSegment] = (),
    ) -> dict[str, Any]:
        where = [*conds, *self.conditions(entity_type, t, query)]
        top = _top(query)
        skip = (query.skip if query is not None else None) or 0
        order = self.ordering(entity_type, t, query)
        body: dict[str, Any] = {}
        if query is not None and query.count:
            known = self.observation_count(segments) if query.filter is None else None
            body["@iot.count"] = known if known is not None else self.count(entity_type, t, where)
        keyset = _keyset_columns(entity_type, t, query)
        page_where = list(where)
        if skiptoken is not None:
            if keyset is None:
                raise StaError(400, "$skiptoken does not apply to this order")
            page_where.append(_after(keyset, _decode_token(skiptoken, len(keyset[0]))))
        extra = [] if keyset is None else [c.label(f"_k{i}") for i, c in enumerate(keyset[0])]
        rows = self.fetch(
            entity_type, t, page_where, query, order=order, offset=skip, limit=top + 1, extra=extra
        )
        more = top > 0 and len(rows) > top  # $top=0 asks for the count alone
        rows = rows[:top]
        if query is not None and query.result_format is ResultFormat.DATA_ARRAY:
            return self._data_array(rows, query, body, more, link, keyset)
        bodies = [self.entity_json(entity_type, r, query) for r in rows]
        self.expand(entity_type, rows, bodies, query)
        if more:
            body["@iot.nextLink"] = self._next(link, query, skip, top, keyset, rows)
        body["value"] = bodies
        return body

    def _next(
        self,
        link: str,
        query: Query | None,
        skip: int,
        top: int,
        keyset: tuple[list[Any], bool] | None,
        rows: Sequence[Row],
    ) -> str:
        if keyset is not None and rows:
            last = rows[-1]
            token = _encode_token([last[f"_k{i}"] for i in range(len(keyset[0]))])
            return _with_params(link, query, skip=None, top=top, skiptoken=token)
        return _with_params(link, query, skip=skip + top, top=top)

    def observation_count(self, segments: Sequence[PathSegment]) -> int | None:
        """All Observations, or a stream's, from the streams' exact counters (no scan)."""
        if not segments or segments[-1].entity_type.name != "Observation":
            return None
        if len(segments) == 1:
            total = 0
            for stream in ("Datastream", "MultiDatastream"):
                st = ENTITIES[stream].table.alias()
                total += int(
                    self.conn.scalar(
                        select(func.coalesce(func.sum(st.c.observation_count), 0)).where(
                            self.visible(stream, st)
                        )
                    )
                    or 0
                )
            return total
        parent = segments[0]
        if len(segments) == 2 and parent.id is not None:
            name = parent.entity_type.name
            if name in ("Datastream", "MultiDatastream"):
                st = ENTITIES[name].table.alias()
                found = self.conn.scalar(
                    select(st.c.observation_count).where(
                        st.c.id == parent.id, self.visible(name, st)
                    )
                )
                return int(found or 0)
        return None

    def count(self, entity_type: str, t: FromClause, where: Sequence[ColumnElement[bool]]) -> int:
        stmt = select(func.count()).select_from(t).where(*where)
        return int(self.conn.scalar(stmt) or 0)

    def _data_array(
        self,
        rows: Sequence[Row],
        query: Query,
        body: dict[str, Any],
        more: bool,
        link: str,
        keyset: tuple[list[Any], bool] | None,
    ) -> dict[str, Any]:
        names = [
            "id" if i.property.name == "id" else i.property.name
            for i in query.select
            if isinstance(i, SelectProperty)
        ]
        components = components_for(names)
        items = []
        for r in rows:
            values = {
                c: (r["id"] if c == "id" else codec.read_property("Observation", c, r))
                for c in components
            }
            stream = (
                Link("Datastream", r["datastream_id"])
                if r.get("datastream_id") is not None
                else Link("MultiDatastream", r["multi_datastream_id"])
            )
            items.append(ObservationRow(stream, values))
        groups = encode_data_array(items, components, base_url=self.base)
        next_link = None
        if more:
            next_link = self._next(link, query, query.skip or 0, _top(query), keyset, rows)
        return encode_data_array_response(groups, count=body.get("@iot.count"), next_link=next_link)


# -- helpers -----------------------------------------------------------------------------------


def bool_(expr: Any) -> ColumnElement[bool]:
    return expr  # type: ignore[no-any-return]


def _chunks(items: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(items), _CHUNK):
        yield list(items[i : i + _CHUNK])


def _top(query: Query | None) -> int:
    top = query.top if query is not None else None
    return DEFAULT_TOP if top is None else min(top, MAX_TOP)


def _is_id(item: OrderBy) -> bool:
    return (
        isinstance(item.expr, Path) and not item.expr.navigation and item.expr.property.name == "id"
    )


def _time_order(entity_type: str, items: Sequence[OrderBy]) -> bool:
    """`$orderby=phenomenonTime [asc|desc]` on Observations: ordered by (start, id), the index."""
    if entity_type != "Observation" or len(items) != 1:
        return False
    expr = items[0].expr
    return (
        isinstance(expr, Path)
        and not expr.navigation
        and not expr.subpath
        and expr.property.name == "phenomenonTime"
    )


def _keyset_columns(
    entity_type: str, t: FromClause, query: Query | None
) -> tuple[list[Any], bool] | None:
    """The columns a nextLink can resume after (and whether descending), when the order allows."""
    items: Sequence[OrderBy] = query.orderby if query is not None else ()
    if query is not None and query.skip:
        return None
    if not items:
        return [t.c.id], False
    if len(items) == 1 and _is_id(items[0]):
        return [t.c.id], items[0].descending
    if _time_order(entity_type, items):
        return [t.c.phenomenon_time_start, t.c.id], items[0].descending
    return None


def _after(keyset: tuple[list[Any], bool], values: list[Any]) -> ColumnElement[bool]:
    columns, desc = keyset
    if len(columns) == 1:
        return bool_(columns[0] < values[0] if desc else columns[0] > values[0])
    left = tuple_(*columns)
    right = tuple_(*(literal(v, type_=c.type) for v, c in zip(values, columns, strict=True)))
    return bool_(left < right if desc else left > right)


def _encode_token(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode_token(token: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != size:
            raise ValueError
        if size == 2:
            values[0] = datetime.fromisoformat(values[0])
        if not isinstance(values[-1], int):
            raise ValueError
    except (ValueError, TypeError):
        raise StaError(400, "$skiptoken: not a token given by this service") from None
    return values


def _selected_names(query: Query | None) -> tuple[str, ...] | None:
    if query is None or not query.select:
        return None
    names = [i.property.name for i in query.select if isinstance(i, SelectProperty)]
    if query.result_format is ResultFormat.DATA_ARRAY:
        names += ["phenomenonTime", "result", "resultTime", "resultQuality", "validTime"]
        names.append("parameters")
    return tuple(names)


def _foreign_keys(entity_type: str, query: Query | None) -> list[str]:
    """Columns needed beyond the selected ones: keys of to-one expansions, and the streams of
    Observations (dataArray groups by them)."""
    rels = ENTITIES[entity_type].relations
    keys = [
        rels[e.navigation.name].column
        for e in (query.expand if query else ())
        if rels[e.navigation.name].kind == "here"
    ]
    if entity_type == "Observation":
        keys += ["datastream_id", "multi_datastream_id"]
    return keys


def _put(out: dict[str, Any], name: str, subpath: tuple[str | int, ...], value: object) -> None:
    node: Any = out.setdefault(name, {})
    for key in subpath[:-1]:
        node = node.setdefault(str(key), {})
    node[str(subpath[-1])] = value


def _dig(value: object, subpath: tuple[str | int, ...]) -> object:
    for key in subpath:
        if isinstance(key, int) and isinstance(value, list) and -len(value) <= key < len(value):
            value = value[key]
        elif isinstance(value, dict) and str(key) in value:
            value = value[str(key)]
        else:
            return None
    return value


def _with_params(
    link: str,
    query: Query | None,
    *,
    skip: int | None,
    top: int | None = None,
    skiptoken: str | None = None,
) -> str:
    from parvis.sensing.sta.query.options import format_query

    params = dict(format_query(query)) if query is not None else {}
    params.pop("$skip", None)
    params.pop("$top", None)
    if top is not None:
        params["$top"] = str(top)
    if skip is not None:
        params["$skip"] = str(skip)
    if skiptoken is not None:
        params["$skiptoken"] = skiptoken
    if not params:
        return link
    return f"{link}?{urlencode(params, safe='$/(),;=@:*', quote_via=quote)}"


def single_property(et: EntityType, path: ResourcePath) -> str:
    assert path.property is not None
    return path.property.name


def nav_of(segment: PathSegment) -> NavigationProperty | None:
    return segment.navigation


__all__ = [
    "ANONYMOUS",
    "STAFF",
    "PathKind",
    "Reader",
    "StaError",
    "Storage",
    "Viewer",
    "false",
]
