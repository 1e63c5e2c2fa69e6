"""RFC 6902 JSON Patch: the examples of appendix A, plus FROST's JsonPatchTests operations."""

from __future__ import annotations

import json

import pytest

from parvis.sensing.sta.jsonpatch import apply_patch, json_equal, parse_pointer
from parvis.sensing.sta.payload import PayloadError

# (document, patch, result) from RFC 6902 appendix A.
APPENDIX_A = [
    # A.1 adding an object member
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    # A.2 adding an array element
    (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    # A.3 removing an object member
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    # A.4 removing an array element
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    # A.5 replacing a value
    (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    # A.6 moving a value
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    # A.7 moving an array element
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    # A.8 testing a value: success
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    # A.10 adding a nested member object
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    # A.11 ignoring unrecognized elements
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
        {"foo": "bar", "baz": "qux"},
    ),
    # A.14 ~ escape ordering
    (
        {"/": 9, "~1": 10},
        [{"op": "test", "path": "/~01", "value": 10}],
        {"/": 9, "~1": 10},
    ),
    # A.16 adding an array value
    (
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
    # FROST JsonPatchTests: add/copy/move/replace under /properties
    (
        {"name": "t", "properties": {"key1": 1}},
        [
            {"op": "add", "path": "/properties/key2", "value": 2},
            {"op": "copy", "from": "/properties/key1", "path": "/properties/key3"},
            {"op": "move", "from": "/properties/key2", "path": "/properties/key4"},
            {"op": "replace", "path": "/properties/key1", "value": {"a": [1]}},
        ],
        {"name": "t", "properties": {"key1": {"a": [1]}, "key3": 1, "key4": 2}},
    ),
    # whole-document operations
    ({"a": 1}, [{"op": "replace", "path": "", "value": [1]}], [1]),
    ({"a": 1}, [{"op": "add", "path": "", "value": 2}], 2),
    ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a"}], {"a": {"b": 1}}),
    ({"a": [1, 2]}, [{"op": "test", "path": "/a", "value": [1, 2.0]}], {"a": [1, 2]}),
]


@pytest.mark.parametrize(("document", "patch", "result"), APPENDIX_A)
def test_appendix_a(document: object, patch: object, result: object) -> None:
    before = json.dumps(document)
    assert apply_patch(document, patch) == result
    assert json.dumps(document) == before  # the input is never modified


@pytest.mark.parametrize(
    ("document", "patch", "message", "path"),
    [
        # A.9 testing a value: error
        (
            {"baz": "qux"},
            [{"op": "test", "path": "/baz", "value": "bar"}],
            "test /baz: test failed: the value differs",
            "[0]",
        ),
        # A.12 adding to a nonexistent target
        (
            {"foo": "bar"},
            [{"op": "add", "path": "/baz/bat", "value": "qux"}],
            "add /baz/bat: path not found at /baz",
            "[0]",
        ),
        # A.15 comparing strings and numbers
        (
            {"/": 9, "~1": 10},
            [{"op": "test", "path": "/~01", "value": "10"}],
            "test /~01: test failed: the value differs",
            "[0]",
        ),
        (
            {"a": [1]},
            [{"op": "add", "path": "/a/5", "value": 1}],
            "add /a/5: index 5 is out of bounds (array length 1)",
            "[0]",
        ),
        (
            {"a": [1]},
            [{"op": "add", "path": "/a/01", "value": 1}],
            "add /a/01: '01' is not an array index",
            "[0]",
        ),
        (
            {"a": [1]},
            [{"op": "remove", "path": "/a/1"}],
            "remove /a/1: index 1 is out of bounds (array length 1)",
            "[0]",
        ),
        (
            {"a": [1]},
            [{"op": "remove", "path": "/a/-"}],
            "remove /a/-: '-' is not an array index",
            "[0]",
        ),
        ({"a": 1}, [{"op": "remove", "path": "/b"}], "remove /b: path /b not found", "[0]"),
        (
            {"a": 1},
            [{"op": "remove", "path": ""}],
            "remove : cannot remove the whole document",
            "[0]",
        ),
        (
            {"a": 1},
            [{"op": "replace", "path": "/b", "value": 1}],
            "replace /b: path /b not found",
            "[0]",
        ),
        (
            {"a": 1},
            [{"op": "add", "path": "/a/b", "value": 1}],
            "add /a/b: cannot add to a number",
            "[0]",
        ),
        ({"a": 1}, [{"op": "remove", "path": "/a/b"}], "remove /a/b: path /a/b not found", "[0]"),
        (
            {"a": 1},
            [{"op": "test", "path": "/a/b/c", "value": 1}],
            "test /a/b/c: path not found at /a/b",
            "[0]",
        ),
        (
            {"a": 1},
            [{"op": "add", "path": "a", "value": 1}],
            "add a: JSON pointer 'a' must start with '/'",
            "[0]",
        ),
        (
            {"a": 1},
            [{"op": "add", "path": "/~2", "value": 1}],
            "add /~2: JSON pointer '/~2' has a bad '~' escape",
            "[0]",
        ),
        (
            {"a": {"b": 1}},
            [
                {"op": "test", "path": "/a/b", "value": 1},
                {"op": "move", "from": "/a", "path": "/a/b/c"},
            ],
            "move /a/b/c from /a: cannot move a value into one of its children",
            "[1]",
        ),
        (
            {"a": 1},
            [{"op": "copy", "from": "/x", "path": "/y"}],
            "copy /y from /x: path /x not found",
            "[0]",
        ),
        ({"a": 1}, {"op": "add"}, "a JSON Patch is an array of operations", ""),
        ({"a": 1}, [1], "a JSON Patch operation is an object", "[0]"),
        (
            {"a": 1},
            [{"op": "merge", "path": "/a"}],
            "unknown op 'merge' (known: add, remove, replace, move, copy, test)",
            "[0]",
        ),
        (
            {"a": 1},
            [{"path": "/a"}],
            "unknown op none (known: add, remove, replace, move, copy, test)",
            "[0]",
        ),
        ({"a": 1}, [{"op": "add", "value": 1}], "add: 'path' must be a string", "[0]"),
        ({"a": 1}, [{"op": "move", "path": "/b"}], "move /b: 'from' must be a string", "[0]"),
        ({"a": 1}, [{"op": "add", "path": "/b"}], "add /b: 'value' is missing", "[0]"),
    ],
)
def test_errors(document: object, patch: object, message: str, path: str) -> None:
    with pytest.raises(PayloadError) as info:
        apply_patch(document, patch)
    assert (info.value.message, info.value.path, info.value.status) == (message, path, 400)


def test_atomic() -> None:
    doc = {"a": 1}
    with pytest.raises(PayloadError):
        apply_patch(doc, [{"op": "add", "path": "/b", "value": 2}, {"op": "remove", "path": "/c"}])
    assert doc == {"a": 1}


def test_pointer_and_equality() -> None:
    assert parse_pointer("/a~1b/m~0n/") == ("a/b", "m~n", "")
    assert json_equal(1, 1.0) and not json_equal(True, 1) and not json_equal("10", 10)
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})
    assert not json_equal({"a": 1}, {"b": 1}) and not json_equal([1], [1, 2])
