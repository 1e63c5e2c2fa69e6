"""Pure parser of SensorThings API request URLs: resource paths and query options to a typed AST.

No database, no web framework: the HTTP layer decodes the URL and calls `parse_request` (or
`parse_path` and `parse_query`); the SQL layer walks the resulting `ResourcePath` and `Query`.
See docs/sensing-sta-query.md.
"""

from parvis.sensing.sta.query.errors import QueryError
from parvis.sensing.sta.query.filter import OrderBy, parse_filter, parse_orderby, tokenize
from parvis.sensing.sta.query.functions import FUNCTIONS, FunctionSpec, Kind
from parvis.sensing.sta.query.nodes import (
    Binary,
    BinaryOperator,
    Call,
    Expr,
    Interval,
    Literal,
    LiteralType,
    Path,
    Unary,
    UnaryOperator,
    format_expr,
)
from parvis.sensing.sta.query.options import (
    Expand,
    Query,
    ResultFormat,
    SelectItem,
    SelectNavigation,
    SelectProperty,
    format_expand,
    format_orderby,
    format_query,
    format_query_string,
    format_select,
    parse_query,
)
from parvis.sensing.sta.query.path import PathKind, PathSegment, ResourcePath, parse_path
from parvis.sensing.sta.query.request import Request, parse_request
from parvis.sensing.sta.query.wkt import Geometry, parse_wkt

__all__ = [
    "FUNCTIONS",
    "Binary",
    "BinaryOperator",
    "Call",
    "Expand",
    "Expr",
    "FunctionSpec",
    "Geometry",
    "Interval",
    "Kind",
    "Literal",
    "LiteralType",
    "OrderBy",
    "Path",
    "PathKind",
    "PathSegment",
    "Query",
    "QueryError",
    "Request",
    "ResourcePath",
    "ResultFormat",
    "SelectItem",
    "SelectNavigation",
    "SelectProperty",
    "Unary",
    "UnaryOperator",
    "format_expand",
    "format_expr",
    "format_orderby",
    "format_query",
    "format_query_string",
    "format_select",
    "parse_filter",
    "parse_orderby",
    "parse_path",
    "parse_query",
    "parse_request",
    "parse_wkt",
    "tokenize",
]
