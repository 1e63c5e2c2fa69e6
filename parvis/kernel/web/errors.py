"""Errors become RFC 9457 problem documents on the API and readable pages elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import inspect as sa_inspect
from starlette.exceptions import HTTPException

from parvis.kernel.errors import ParvisError, Unauthenticated, problem
from parvis.kernel.i18n import gettext as _
from parvis.kernel.web.templating import render

log = logging.getLogger("parvis.errors")
PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
}


MACHINE_PATHS = ("/api/", "/open-data/")  # read by programs: errors are problem documents


def wants_problem(request: Request) -> bool:
    return request.url.path.startswith(MACHINE_PATHS)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = problem(
        status, TITLES.get(status, "Error"), detail, request.url.path, errors=errors or []
    )
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def error_page(request: Request, status: int, detail: str) -> Response:
    if not hasattr(request.state, "csrf_token"):
        request.state.csrf_token = ""
        request.state.locale = "fr"
    user = getattr(request.state, "user", None)
    if user is not None and sa_inspect(user).detached and sa_inspect(user).expired_attributes:
        request.state.user = None  # its session rolled back: render the page signed-out
    return render(request, "error.html", status_code=status, status=status, detail=detail)


def _simplify(errors: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(p) for p in e.get("loc", [])],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ParvisError)
    async def parvis_error(request: Request, exc: ParvisError) -> Response:
        if wants_problem(request):
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return problem_response(request, exc.status, exc.detail, exc.errors, headers)
        if isinstance(exc, Unauthenticated):
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/account/signin?next={target}", status_code=303)
        return error_page(request, exc.status, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if wants_problem(request):
            return problem_response(
                request, 422, "The request does not match the schema.", _simplify(exc.errors())
            )
        return error_page(request, 400, _("Some fields of the form are missing or invalid."))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        detail = str(exc.detail) if exc.detail else TITLES.get(exc.status_code, "Error")
        if wants_problem(request):
            return problem_response(request, exc.status_code, detail, headers=exc.headers)
        if exc.status_code == 404:
            detail = _("This page does not exist.")
        return error_page(request, exc.status_code, detail)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_problem(request):
            return problem_response(request, 500, "An unexpected error occurred; it is logged.")
        return error_page(request, 500, _("An unexpected error occurred; it is logged."))
