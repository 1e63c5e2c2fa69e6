"""RFC 6902 JSON Patch (`application/json-patch+json`, sent by frost-sta-client) on JSON values.

18-088 §10.3 allows PATCH bodies in JSON Patch form. `apply_patch` works on a deep copy, so a
patch either applies completely or leaves the document untouched (RFC 6902 §5: atomic).
Errors are `PayloadError`s whose path is the failing operation (`[2]`) and whose message names it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from parvis.sensing.sta.payload import PayloadError

OPERATIONS: Final = ("add", "remove", "replace", "move", "copy", "test")


@dataclass(frozen=True, slots=True)
class Operation:
    """One checked patch operation; `value` is meaningful for add/replace/test only."""

    op: str
    path: str
    value: object = None
    from_: str | None = None

    def describe(self) -> str:
        return f"{self.op} {self.path}" + (f" from {self.from_}" if self.from_ is not None else "")


def parse_pointer(pointer: str) -> tuple[str, ...]:
    """RFC 6901 tokens of `pointer` ("" is the whole document); ValueError if malformed."""
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer {pointer!r} must start with '/'")
    tokens = pointer[1:].split("/")
    for token in tokens:
        # '~' must be followed by 0 or 1 (RFC 6901 §3).
        if "~" in token.replace("~0", "").replace("~1", ""):
            raise ValueError(f"JSON pointer {pointer!r} has a bad '~' escape")
    # ~1 first, then ~0: "~01" means "~1", not "/" (RFC 6901 §4).
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in tokens)


def parse_patch(patch: object) -> tuple[Operation, ...]:
    """Check the shape of a JSON Patch document (an array of operation objects)."""
    if not isinstance(patch, list):
        raise PayloadError("a JSON Patch is an array of operations", "")
    ops: list[Operation] = []
    for i, item in enumerate(patch):
        where = f"[{i}]"
        if not isinstance(item, dict):
            raise PayloadError("a JSON Patch operation is an object", where)
        op = item.get("op")
        if op not in OPERATIONS:
            found = repr(op) if isinstance(op, str) else "none"
            raise PayloadError(f"unknown op {found} (known: {', '.join(OPERATIONS)})", where)
        path = item.get("path")
        if not isinstance(path, str):
            raise PayloadError(f"{op}: 'path' must be a string", where)
        from_ = item.get("from")
        if op in ("move", "copy") and not isinstance(from_, str):
            raise PayloadError(f"{op} {path}: 'from' must be a string", where)
        if op in ("add", "replace", "test") and "value" not in item:
            raise PayloadError(f"{op} {path}: 'value' is missing", where)
        # Members not defined for the operation are ignored (RFC 6902 §4, appendix A.11).
        ops.append(
            Operation(op, path, item.get("value"), from_ if op in ("move", "copy") else None)
        )
    return tuple(ops)


def apply_patch(document: object, patch: object) -> object:
    """Apply the JSON Patch `patch` to `document` and return the result (a new value)."""
    ops = parse_patch(patch)
    doc = copy.deepcopy(document)
    for i, op in enumerate(ops):
        doc = _apply(doc, op, f"[{i}]")
    return doc


def _fail(op: Operation, where: str, reason: str) -> NoReturn:
    raise PayloadError(f"{op.describe()}: {reason}", where)


def _tokens(op: Operation, pointer: str, where: str) -> tuple[str, ...]:
    try:
        return parse_pointer(pointer)
    except ValueError as e:
        _fail(op, where, str(e))


def _index(op: Operation, where: str, array: Sequence[Any], key: str, *, end: bool) -> int:
    """An array index; `end` allows `-` and len(array) (positions to insert at)."""
    if end and key == "-":
        return len(array)
    # Decimal without leading zeros (RFC 6901 §4).
    if not key.isdigit() or (len(key) > 1 and key[0] == "0") or not key.isascii():
        _fail(op, where, f"{key!r} is not an array index")
    index = int(key)
    if index > len(array) or (index == len(array) and not end):
        _fail(op, where, f"index {index} is out of bounds (array length {len(array)})")
    return index


def _container(op: Operation, doc: object, tokens: tuple[str, ...], where: str) -> object:
    """The value holding the last token (which must exist up to there)."""
    current = doc
    for depth, token in enumerate(tokens[:-1]):
        if isinstance(current, dict):
            if token not in current:
                _fail(op, where, f"path not found at /{'/'.join(tokens[: depth + 1])}")
            current = current[token]
        elif isinstance(current, list):
            current = current[_index(op, where, current, token, end=False)]
        else:
            _fail(op, where, f"path not found at /{'/'.join(tokens[: depth + 1])}")
    return current


def _get(op: Operation, doc: object, pointer: str, where: str) -> object:
    tokens = _tokens(op, pointer, where)
    if not tokens:
        return doc
    parent = _container(op, doc, tokens, where)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            _fail(op, where, f"path {pointer} not found")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(op, where, parent, last, end=False)]
    _fail(op, where, f"path {pointer} not found")


def _add(op: Operation, doc: object, pointer: str, value: object, where: str) -> object:
    tokens = _tokens(op, pointer, where)
    if not tokens:
        return value  # replaces the whole document
    parent = _container(op, doc, tokens, where)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(op, where, parent, last, end=True), value)
    else:
        _fail(op, where, f"cannot add to a {_json_type(parent)}")
    return doc


def _remove(op: Operation, doc: object, pointer: str, where: str) -> object:
    tokens = _tokens(op, pointer, where)
    if not tokens:
        _fail(op, where, "cannot remove the whole document")
    parent = _container(op, doc, tokens, where)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            _fail(op, where, f"path {pointer} not found")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(op, where, parent, last, end=False))
    _fail(op, where, f"path {pointer} not found")


def _apply(doc: object, op: Operation, where: str) -> object:
    if op.op == "add":
        return _add(op, doc, op.path, copy.deepcopy(op.value), where)
    if op.op == "remove":
        _remove(op, doc, op.path, where)
        return doc
    if op.op == "replace":
        _get(op, doc, op.path, where)  # the target must exist
        if op.path == "":
            return copy.deepcopy(op.value)
        _remove(op, doc, op.path, where)
        return _add(op, doc, op.path, copy.deepcopy(op.value), where)
    if op.op == "test":
        if not json_equal(_get(op, doc, op.path, where), op.value):
            _fail(op, where, "test failed: the value differs")
        return doc
    assert op.from_ is not None  # move / copy, checked by parse_patch
    if op.op == "move":
        if op.path.startswith(op.from_ + "/"):
            _fail(op, where, "cannot move a value into one of its children")
        if op.path == op.from_:
            _get(op, doc, op.from_, where)
            return doc
        value = _remove(op, doc, op.from_, where)
        return _add(op, doc, op.path, value, where)
    value = copy.deepcopy(_get(op, doc, op.from_, where))
    return _add(op, doc, op.path, value, where)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "value"


def json_equal(a: object, b: object) -> bool:
    """JSON equality (RFC 6902 §4.6): 1 == 1.0, but true != 1 and "10" != 10."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
