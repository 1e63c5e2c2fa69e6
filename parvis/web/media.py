"""Uploads, served from the storage backend by any worker."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from parvis.kernel.storage import check_key

router = APIRouter(include_in_schema=False)


@router.get("/media/{key:path}")
def media(request: Request, key: str) -> Response:
    data, media_type = request.app.state.ctx.storage.load(check_key(key))
    # Keys are never reused (a new upload gets a new key), so the file can be cached for long.
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}
    return Response(data, media_type=media_type, headers=headers)
