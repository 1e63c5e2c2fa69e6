"""The OpenAPI description of RFC 9457 problem responses, shared by every API router."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": Problem.model_json_schema()}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("Bad request"),
    401: _problem("Sign-in required (Bearer token or session)"),
    403: _problem("Forbidden for this role"),
    404: _problem("Not found"),
    409: _problem("Conflict"),
    422: _problem("Invalid input"),
    429: _problem("Too many requests"),
}
