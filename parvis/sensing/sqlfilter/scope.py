"""Where the columns of a path come from: the filtered table, or the tables of its relations.

A path such as `Datastreams/Observations/result` walks relations. In $filter, a predicate using
such paths becomes an EXISTS over the joined chain of related tables (any semantics: it holds
when it holds for some related entities; paths sharing a prefix share its tables, so
`Datastreams/name eq Datastreams/description` looks at one Datastream). In $orderby, paths only
walk to-one relations and each column is a correlated scalar subquery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Join, Select, and_, literal_column, select

from parvis.sensing.mapping import Relation, entity_map
from parvis.sensing.sqlfilter.values import SqlExpr
from parvis.sensing.sta.model import NavigationProperty

Chain = tuple[NavigationProperty, ...]
# The condition hiding what a reader may not see (private Things) in a table of an entity type:
# a related entity it may not see does not count, as if it were absent.
Visible = Callable[[str, FromClause], ColumnElement[bool]]


class Scope(Protocol):
    def column(self, navigation: Chain, name: str) -> SqlExpr: ...


def _relation(nav: NavigationProperty) -> Relation:
    return entity_map(nav.source).relations[nav.name]


def _alias(nav: NavigationProperty) -> FromClause:
    return entity_map(nav.target).table.alias()


def _join(
    joined: FromClause | Join,
    nav: NavigationProperty,
    source: FromClause,
    target: FromClause,
    *,
    outer: bool,
    visible: Visible | None = None,
) -> Join:
    """`joined` joined to `target`, related to `source` (already in `joined`) through `nav`."""
    relation = _relation(nav)
    seen = visible(nav.target, target) if visible is not None else None

    def on(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return condition if seen is None else and_(condition, seen)

    if relation.kind == "here":
        return joined.join(target, on(source.c[relation.column] == target.c.id), isouter=outer)
    if relation.kind == "there":
        return joined.join(target, on(target.c[relation.column] == source.c.id), isouter=outer)
    assert relation.link is not None
    link = relation.link.alias()
    return joined.join(link, link.c[relation.source_column] == source.c.id, isouter=outer).join(
        target, on(link.c[relation.target_column] == target.c.id), isouter=outer
    )


def _correlated(
    nav: NavigationProperty, outer: FromClause, target: FromClause
) -> tuple[FromClause | Join, ColumnElement[bool]]:
    """A FROM item reaching `target` and the condition tying it to the outer row."""
    relation = _relation(nav)
    if relation.kind == "here":
        return target, outer.c[relation.column] == target.c.id
    if relation.kind == "there":
        return target, target.c[relation.column] == outer.c.id
    assert relation.link is not None
    link = relation.link.alias()
    item = link.join(target, link.c[relation.target_column] == target.c.id)
    return item, link.c[relation.source_column] == outer.c.id


class RootScope:
    """Paths without relations, on the filtered table itself."""

    def __init__(self, table: FromClause) -> None:
        self.table = table

    def column(self, navigation: Chain, name: str) -> SqlExpr:
        assert not navigation, "a path through relations needs a JoinScope or a ScalarScope"
        return self.table.c[name]


class JoinScope:
    """The tables of an EXISTS subquery, one alias per distinct chain of relations."""

    def __init__(
        self,
        table: FromClause,
        entity_type: str,
        chains: Iterable[Chain],
        *,
        outer: bool,
        visible: Visible | None = None,
    ) -> None:
        self.table = table
        self.entity_type = entity_type
        self.visible = visible
        self.aliases: dict[tuple[str, ...], FromClause] = {}
        prefixes: list[Chain] = []
        for chain in chains:
            for i in range(1, len(chain) + 1):
                if chain[:i] not in prefixes:
                    prefixes.append(chain[:i])
        prefixes.sort(key=len)  # a chain's parent is always built first
        self.froms: list[FromClause | Join] = []
        self.conditions: list[ColumnElement[bool]] = []
        if outer:
            self._build_outer(prefixes)
        else:
            self._build_inner(prefixes)

    @staticmethod
    def key(chain: Chain) -> tuple[str, ...]:
        return tuple(nav.name for nav in chain)

    def _build_outer(self, prefixes: Sequence[Chain]) -> None:
        """The entity again, by id, LEFT JOINed to its relations: a missing related entity
        counts as one whose properties are all null (`Datastreams/id eq null` matches a Thing
        without Datastreams)."""
        base = entity_map(self.entity_type).table.alias()
        joined: FromClause | Join = base
        self.aliases[()] = base
        for chain in prefixes:
            target = _alias(chain[-1])
            parent = self.aliases[self.key(chain[:-1])]
            joined = _join(joined, chain[-1], parent, target, outer=True, visible=self.visible)
            self.aliases[self.key(chain)] = target
        self.froms.append(joined)
        self.conditions.append(base.c.id == self.table.c.id)

    def _build_inner(self, prefixes: Sequence[Chain]) -> None:
        """The related tables only, the first of each chain correlated with the outer row
        (what PostgreSQL turns into a semi-join)."""
        roots: dict[tuple[str, ...], FromClause | Join] = {}
        for chain in prefixes:
            target = _alias(chain[-1])
            self.aliases[self.key(chain)] = target
            if len(chain) == 1:
                item, condition = _correlated(chain[0], self.table, target)
                roots[self.key(chain)] = item
                self.conditions.append(condition)
                if self.visible is not None:
                    self.conditions.append(self.visible(chain[0].target, target))
            else:
                root = self.key(chain[:1])
                parent = self.aliases[self.key(chain[:-1])]
                roots[root] = _join(
                    roots[root], chain[-1], parent, target, outer=False, visible=self.visible
                )
        self.froms.extend(roots.values())

    def column(self, navigation: Chain, name: str) -> SqlExpr:
        if not navigation:  # the outer row itself
            return self.table.c[name]
        return self.aliases[self.key(navigation)].c[name]

    def exists(self, condition: ColumnElement[Any]) -> ColumnElement[bool]:
        query: Select[Any] = (
            select(literal_column("1"))
            .select_from(*self.froms)
            .where(and_(*self.conditions, condition))
            .correlate(self.table)
        )
        return query.exists()


class ScalarScope:
    """Columns of to-one relations as correlated scalar subqueries (for $orderby)."""

    def __init__(self, table: FromClause) -> None:
        self.table = table

    def column(self, navigation: Chain, name: str) -> SqlExpr:
        if not navigation:
            return self.table.c[name]
        targets = [_alias(nav) for nav in navigation]
        joined, condition = _correlated(navigation[0], self.table, targets[0])
        for i in range(1, len(navigation)):
            joined = _join(joined, navigation[i], targets[i - 1], targets[i], outer=False)
        query = select(targets[-1].c[name]).select_from(joined).where(condition)
        return query.correlate(self.table).scalar_subquery()
