"""A whole request: resource path + query options, checked against each other."""

from __future__ import annotations

from dataclasses import dataclass

from parvis.sensing.sta.query.errors import QueryError
from parvis.sensing.sta.query.options import Params, Query, ResultFormat, parse_query, query_pairs
from parvis.sensing.sta.query.path import PathKind, ResourcePath, parse_path


@dataclass(frozen=True, slots=True)
class Request:
    """`query` is None where no query options apply (service root, property, $value, $batch)."""

    path: ResourcePath
    query: Query | None


_NO_OPTIONS = frozenset(
    {
        PathKind.SERVICE_ROOT,
        PathKind.PROPERTY,
        PathKind.VALUE,
        PathKind.BATCH,
        PathKind.CREATE_OBSERVATIONS,
    }
)


def parse_request(path: str, params: Params = (), version: str = "v1.1") -> Request:
    """Parse a GET request's path and query options; the options apply to the path's target.

    Rules beyond each part's own: no system query option on the service root, a property or
    $value; no $select / $expand with $ref (OData: references carry only their selfLink);
    $resultFormat=dataArray only on a collection of Observations. Raises QueryError.
    """
    resource = parse_path(path, version)
    pairs = query_pairs(params)
    kind = resource.kind
    if kind in _NO_OPTIONS:
        for name, _value in pairs:
            if name.strip().startswith("$"):
                raise QueryError(
                    f"{name}: query options do not apply to a {kind.value} path",
                    None,
                    option=name,
                )
        return Request(resource, None)
    assert resource.target is not None  # every other kind addresses entities
    query = parse_query(pairs, resource.target, version=version)
    if kind is PathKind.REF and (query.select or query.expand):
        option = "$select" if query.select else "$expand"
        raise QueryError(f"{option}: not allowed with $ref", None, option=option)
    if query.result_format is ResultFormat.DATA_ARRAY and not resource.is_collection:
        raise QueryError(
            "$resultFormat: dataArray needs a collection of Observations",
            None,
            option="$resultFormat",
        )
    return Request(resource, query)
