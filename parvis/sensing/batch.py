"""`POST $batch` (18-088 §11, after OData 4.0): many requests in one, as `multipart/mixed` with
change sets, or as OData's JSON batch with atomicity groups.

A change set (an atomicity group) runs in one transaction: if any of its requests fails, none
of them is kept, and the set answers with that one error. Inside a set, `$<Content-ID>` names
the entity an earlier request created, in a URL (`$1/Datastreams`) or as an `@iot.id` in a
body (`{"Sensor": {"@iot.id": "$sensor1"}}`). Requests outside sets run one by one.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from parvis.sensing.codec import load_json
from parvis.sensing.queries import StaError, Viewer
from parvis.sensing.service import Answer, Service, Transaction
from parvis.sensing.sta.payload import PayloadError
from parvis.sensing.sta.query.errors import QueryError

MAX_REQUESTS: Final = 1000
_REASONS: Final = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
}
_BOUNDARY: Final = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_REF: Final = re.compile(r"^\$([A-Za-z0-9_.\-~]+)")


class BatchError(ValueError):
    """The batch itself is malformed (answered 400 as a whole)."""


@dataclass
class Part:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    content_id: str | None = None
    json_body: Any = None  # JSON batches carry the body already decoded
    json_given: bool = False


@dataclass
class ChangeSet:
    parts: list[Part]


# -- multipart ---------------------------------------------------------------------------------


def boundary_of(content_type: str) -> str | None:
    match = _BOUNDARY.search(content_type)
    return match.group(1) if match else None


def _split(body: bytes, boundary: str) -> list[bytes]:
    delimiter = b"--" + boundary.encode()
    if delimiter not in body:
        raise BatchError(f"no part delimited by --{boundary}")
    chunks = body.split(delimiter)
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the close delimiter
        parts.append(chunk.removeprefix(b"\r\n").removeprefix(b"\n"))
    return parts


def _head(block: bytes) -> tuple[dict[str, str], bytes]:
    """Headers (lower-case) and the rest, split at the first empty line (CRLF or LF)."""
    text = block
    for blank in (b"\r\n\r\n", b"\n\n"):
        if blank in text:
            head, rest = text.split(blank, 1)
            break
    else:
        head, rest = text, b""
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise BatchError(f"malformed header line {line!r}")
        headers[key.strip().lower()] = value.strip()
    return headers, rest


def _request(block: bytes, content_id: str | None) -> Part:
    lines = block.replace(b"\r\n", b"\n").split(b"\n", 1)
    start = lines[0].decode("utf-8", "replace").strip()
    pieces = start.split()
    if len(pieces) < 2:
        raise BatchError(f"malformed request line {start!r}")
    method, url = pieces[0].upper(), pieces[1]
    headers, body = _head(lines[1] if len(lines) > 1 else b"")
    body = body.rstrip(b"\r\n")
    if (length := headers.get("content-length")) and length.isdigit():
        body = body[: int(length)]
    return Part(method, url, headers, body, content_id)


def parse_multipart(body: bytes, boundary: str) -> list[Part | ChangeSet]:
    items: list[Part | ChangeSet] = []
    for chunk in _split(body, boundary):
        headers, rest = _head(chunk)
        content_type = headers.get("content-type", "")
        if content_type.lower().startswith("multipart/mixed"):
            inner = boundary_of(content_type)
            if inner is None:
                raise BatchError("a change set needs a boundary")
            parts = []
            for sub in _split(rest, inner):
                sub_headers, request = _head(sub)
                parts.append(_request(request, sub_headers.get("content-id")))
            items.append(ChangeSet(parts))
        elif content_type.lower().startswith("application/http"):
            items.append(_request(rest, headers.get("content-id")))
        else:
            raise BatchError(f"a batch part must be application/http, not {content_type!r}")
    _check_size(items)
    return items


def _check_size(items: list[Part | ChangeSet]) -> None:
    total = sum(len(i.parts) if isinstance(i, ChangeSet) else 1 for i in items)
    if total > MAX_REQUESTS:
        raise BatchError(f"at most {MAX_REQUESTS} requests in a batch")


def render_multipart(
    results: list[tuple[Part | ChangeSet, list[tuple[Part, Answer]]]],
) -> tuple[bytes, str]:
    boundary = f"batchresponse_{secrets.token_hex(12)}"
    out: list[str] = []
    for item, answers in results:
        out.append(f"--{boundary}\r\n")
        if isinstance(item, ChangeSet):
            inner = f"changesetresponse_{secrets.token_hex(12)}"
            out.append(f"Content-Type: multipart/mixed; boundary={inner}\r\n\r\n")
            for part, answer in answers:
                out.append(f"--{inner}\r\n")
                out.append(_http_part(part, answer))
            out.append(f"--{inner}--\r\n")
        else:
            out.append(_http_part(answers[0][0], answers[0][1]))
    out.append(f"--{boundary}--\r\n")
    return "".join(out).encode(), f"multipart/mixed; boundary={boundary}"


def _http_part(part: Part, answer: Answer) -> str:
    lines = ["Content-Type: application/http"]
    if part.content_id is not None:
        lines.append(f"Content-ID: {part.content_id}")
    text = f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, '')}".rstrip()
    head = [text]
    for name, value in answer.headers.items():
        head.append(f"{name}: {value}")
    body = ""
    if answer.text is not None:
        head.append("Content-Type: text/plain; charset=UTF-8")
        body = answer.text
    elif answer.body is not None:
        head.append("Content-Type: application/json; charset=UTF-8")
        body = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":"))
    return "\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(head) + "\r\n\r\n" + body + "\r\n"


# -- JSON --------------------------------------------------------------------------------------


def parse_json(body: object) -> list[Part | ChangeSet]:
    if not isinstance(body, Mapping) or not isinstance(body.get("requests"), list):
        raise BatchError('a JSON batch is {"requests": [...]}')
    items: list[Part | ChangeSet] = []
    groups: dict[str, ChangeSet] = {}
    for i, raw in enumerate(body["requests"]):
        if not isinstance(raw, Mapping):
            raise BatchError(f"requests[{i}] is not an object")
        method, url = raw.get("method"), raw.get("url")
        if not isinstance(method, str) or not isinstance(url, str):
            raise BatchError(f"requests[{i}] needs a method and a url")
        headers = raw.get("headers") or {}
        if not isinstance(headers, Mapping):
            raise BatchError(f"requests[{i}].headers is not an object")
        part = Part(
            method.upper(),
            url,
            {str(k).lower(): str(v) for k, v in headers.items()},
            content_id=str(raw["id"]) if "id" in raw else None,
            json_body=raw.get("body"),
            json_given="body" in raw,
        )
        group = raw.get("atomicityGroup")
        if group is None:
            items.append(part)
        elif str(group) in groups:
            groups[str(group)].parts.append(part)
        else:
            groups[str(group)] = ChangeSet([part])
            items.append(groups[str(group)])
    _check_size(items)
    return items


def render_json(
    results: list[tuple[Part | ChangeSet, list[tuple[Part, Answer]]]],
) -> dict[str, Any]:
    responses = []
    for _item, answers in results:
        for part, answer in answers:
            response: dict[str, Any] = {"id": part.content_id, "status": answer.status}
            if "Location" in answer.headers:
                response["location"] = answer.headers["Location"]
            if answer.body is not None:
                response["body"] = answer.body
            elif answer.text is not None:
                response["body"] = answer.text
            responses.append(response)
    return {"responses": responses}


# -- running -----------------------------------------------------------------------------------


def _relative(url: str, service: Service) -> tuple[str, str]:
    """(path after the versioned root, query string) of a part's URL in any of OData's forms."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    marker = f"/{service.version}/"
    if marker in path:
        path = path.split(marker, 1)[1]
    elif path.endswith(f"/{service.version}"):
        path = ""
    return path.lstrip("/"), parts.query


def _resolve(text: str, created: Mapping[str, str]) -> str:
    match = _REF.match(text)
    if match is None:
        return text
    ref = match.group(1)
    if ref not in created:
        raise StaError(400, f"${ref} names no entity created earlier in this change set")
    return created[ref] + text[match.end() :]


def _resolve_body(value: Any, created: Mapping[str, str], service: Service) -> Any:
    """`{"@iot.id": "$sensor1"}` → the id of the entity created by the part `sensor1`."""
    if isinstance(value, list):
        return [_resolve_body(v, created, service) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "@iot.id" and isinstance(item, str) and item.startswith("$"):
            path = _resolve(item, created)
            match = re.search(r"\((\d+)\)$", path)
            out[key] = int(match.group(1)) if match else item
        else:
            out[key] = _resolve_body(item, created, service)
    return out


def _run_part(
    service: Service, part: Part, viewer: Viewer, tx: Transaction | None, created: dict[str, str]
) -> Answer:
    path, query = _relative(_resolve(part.url, created), service)
    method = part.method
    if method == "GET":
        return service.get(path, query, viewer)
    if part.json_given:
        body: Any = part.json_body
    else:
        try:
            body = load_json(part.body) if part.body.strip() else None
        except ValueError as e:
            return Answer.error(400, f"the body is not valid JSON: {e}")
    body = _resolve_body(body, created, service)
    if method == "POST":
        answer = service.post(path, body, viewer, tx)
    elif method in ("PATCH", "PUT"):
        patch = part.headers.get("content-type", "").startswith("application/json-patch+json")
        answer = service.update(
            path, body, viewer, partial=method == "PATCH", json_patch=patch, tx=tx
        )
    elif method == "DELETE":
        answer = service.delete(path, viewer, tx)
    else:
        return Answer.error(405, f"{method} is not allowed in a batch")
    location = answer.headers.get("Location")
    if location is not None and part.content_id is not None:
        created[part.content_id] = location.removeprefix(service.base + "/")
    if answer.status in (200, 201) and method != "GET":
        answer = Answer(answer.status, headers=answer.headers)  # writes answer without a body
    return answer


def run_batch(
    service: Service, items: list[Part | ChangeSet], viewer: Viewer
) -> list[tuple[Part | ChangeSet, list[tuple[Part, Answer]]]]:
    results: list[tuple[Part | ChangeSet, list[tuple[Part, Answer]]]] = []
    for item in items:
        if isinstance(item, Part):
            if item.method != "GET" and not _writes_allowed(viewer):
                answer = Answer.error(401, "sign in (Basic or Bearer) to write")
            else:
                answer = _run_part(service, item, viewer, None, {})
            results.append((item, [(item, answer)]))
            continue
        results.append((item, _run_change_set(service, item, viewer)))
    return results


def _writes_allowed(viewer: Viewer) -> bool:
    return viewer.can_write


def _run_change_set(service: Service, item: ChangeSet, viewer: Viewer) -> list[tuple[Part, Answer]]:
    answers: list[tuple[Part, Answer]] = []
    created: dict[str, str] = {}
    failed: tuple[Part, Answer] | None = None
    conn = service.engine.connect()
    tx = Transaction(conn)
    transaction = conn.begin()
    try:
        for part in item.parts:
            if part.method == "GET":
                failed = (part, Answer.error(400, "a change set holds only writes"))
                break
            try:
                answer = _run_part(service, part, viewer, tx, created)
            except (QueryError, PayloadError) as e:
                answer = Answer.error(e.status, str(e))
            except StaError as e:
                answer = Answer.error(e.status, e.message)
            if answer.status >= 400:
                failed = (part, answer)
                break
            answers.append((part, answer))
        if failed is None:
            transaction.commit()
        else:
            transaction.rollback()
    except BaseException:
        transaction.rollback()
        raise
    finally:
        conn.close()
    if failed is not None:
        return [failed]
    service.notify(tx.changes)
    return answers


__all__ = [
    "BatchError",
    "parse_json",
    "parse_multipart",
    "render_json",
    "render_multipart",
    "run_batch",
]
