"""The one error type of the STA request parser."""

from __future__ import annotations

from typing import Any


class QueryError(ValueError):
    """A request path or query option that cannot be served.

    `message` is complete and meant for the client (it already names the option and the
    position); `position` is the 0-based offset in the text that was parsed (the decoded path,
    or the decoded value of the top-level query option named by `option`), or None.
    `status` is the HTTP status the request deserves: 400 for malformed input, 404 for a path
    naming something that cannot exist, 501 for a system query option Parvis does not implement
    (18-088 req. request-data/query-status-code).
    """

    def __init__(
        self,
        message: str,
        position: int | None = None,
        *,
        option: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.option = option
        self.status = status

    def to_json(self) -> dict[str, Any]:
        """The error body FROST-Server uses (the spec defines none); clients know its shape."""
        return {"code": self.status, "type": "error", "message": self.message}

    def __repr__(self) -> str:
        return (
            f"QueryError({self.message!r}, {self.position!r}, option={self.option!r}, "
            f"status={self.status!r})"
        )
