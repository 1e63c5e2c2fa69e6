"""The SensorThings API over HTTP: /sta/v1.1 (and a v1.0 view at /sta/v1.0).

The paths are STA's own (`Things(1)/Datastreams`, `$value`, `$ref`), so one route per version
takes everything after the root and hands it to the service. Errors use FROST's body
`{"code", "type": "error", "message"}`, which STA clients already read.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from parvis.kernel.context import Context
from parvis.sensing import batch
from parvis.sensing.codec import load_json
from parvis.sensing.credentials import StaffBasicCache, viewer_for
from parvis.sensing.queries import StaError, Viewer
from parvis.sensing.service import MAX_BODY, Answer, Service, write_refusal
from parvis.sensing.sta.model import VERSIONS

router = APIRouter(include_in_schema=False)
_CACHE: Final = StaffBasicCache()
JSON_PATCH: Final = "application/json-patch+json"
METHODS: Final = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def service_for(request: Request, version: str) -> Service:
    ctx: Context = request.app.state.ctx
    root = str(request.base_url).rstrip("/") + "/sta"
    sensing = getattr(request.app.state, "sensing", None)
    publisher = sensing.publisher if sensing is not None else None
    endpoints = sensing.endpoints if sensing is not None else ()
    return Service(
        ctx.engine,
        root,
        version,
        publisher=publisher,
        mqtt_endpoints=endpoints,
        hide_tasking=ctx.settings.sta_hide_tasking,
    )


def _render(answer: Answer) -> Response:
    if answer.text is not None:
        return PlainTextResponse(answer.text, status_code=answer.status, headers=answer.headers)
    if answer.body is None:
        return Response(status_code=answer.status, headers=answer.headers)
    return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)


async def _viewer(request: Request) -> Viewer:
    ctx: Context = request.app.state.ctx
    client = request.client.host if request.client else "unknown"
    header = request.headers.get("authorization")
    return await run_in_threadpool(viewer_for, ctx, header, client, _CACHE)


async def _raw_body(request: Request) -> bytes:
    size = int(request.headers.get("content-length") or 0)
    if size > MAX_BODY:
        raise StaError(413, f"the body is larger than {MAX_BODY // (1024 * 1024)} MB")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise StaError(413, f"the body is larger than {MAX_BODY // (1024 * 1024)} MB")
    return raw


async def _body(request: Request) -> Any:
    raw = await _raw_body(request)
    try:
        return load_json(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise StaError(400, f"the body is not valid JSON: {e}") from None


async def _batch(request: Request, service: Service, viewer: Viewer) -> Response:
    """$batch: multipart/mixed (18-088 §11) or OData's JSON batch."""
    content_type = request.headers.get("content-type", "")
    raw = await _raw_body(request)
    try:
        if content_type.lower().startswith("multipart/mixed"):
            boundary = batch.boundary_of(content_type)
            if boundary is None:
                raise batch.BatchError("multipart/mixed needs a boundary")
            items = batch.parse_multipart(raw, boundary)
            results = await run_in_threadpool(batch.run_batch, service, items, viewer)
            body, media_type = batch.render_multipart(results)
            return Response(body, media_type=media_type)
        try:
            document = load_json(raw)
        except ValueError as e:
            raise batch.BatchError(f"the body is not valid JSON: {e}") from None
        items = batch.parse_json(document)
        results = await run_in_threadpool(batch.run_batch, service, items, viewer)
        return JSONResponse(batch.render_json(results))
    except batch.BatchError as e:
        return _render(Answer.error(400, str(e)))


@router.api_route("/sta/{version}", methods=METHODS)
@router.api_route("/sta/{version}/{path:path}", methods=METHODS)
async def sta(request: Request, version: str, path: str = "") -> Response:
    if version not in VERSIONS:
        return _render(Answer.error(404, f"unknown SensorThings version {version!r}"))
    service = service_for(request, version)
    # The raw path: Starlette decodes %2F inside ids and names; STA paths need the original.
    raw = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0]
    prefix = f"/sta/{version}"
    path = unquote(raw[len(prefix) :]) if raw.startswith(prefix) else path
    try:
        viewer = await _viewer(request)
        if request.method == "POST" and path.strip("/") == "$batch":
            return await _batch(request, service, viewer)
        if request.method == "GET":
            answer = await run_in_threadpool(service.get, path, request.url.query, viewer)
        elif request.method == "DELETE":
            answer = await run_in_threadpool(service.delete, path, viewer)
        elif (refused := write_refusal(viewer)) is not None:
            answer = refused  # without reading a body that may not be sent
        else:
            body = await _body(request)
            if request.method == "POST":
                answer = await run_in_threadpool(service.post, path, body, viewer)
            else:
                patch = request.headers.get("content-type", "").startswith(JSON_PATCH)
                partial = request.method == "PATCH"
                answer = await run_in_threadpool(
                    lambda: service.update(path, body, viewer, partial=partial, json_patch=patch)
                )
    except StaError as e:
        answer = Answer.error(e.status, e.message)
    response = _render(answer)
    if answer.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Parvis SensorThings"'
    return response
