"""Domain errors: actions raise them, the web layer turns them into RFC 9457 problems or pages."""

from __future__ import annotations

from typing import Any


class ParvisError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(ParvisError):
    status = 422
    title = "Invalid input"


class NotFound(ParvisError):
    status = 404
    title = "Not found"


class Unauthenticated(ParvisError):
    status = 401
    title = "Sign-in required"


class Forbidden(ParvisError):
    status = 403
    title = "Forbidden"


class Conflict(ParvisError):
    status = 409
    title = "Conflict"


class TooManyRequests(ParvisError):
    status = 429
    title = "Too many requests"


def problem(
    status: int, title: str, detail: str, instance: str = "", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v})
    return body
