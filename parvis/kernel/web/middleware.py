"""One ASGI middleware for what every request needs: its locale, a CSRF cookie, safe headers."""

from __future__ import annotations

import asyncio
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parvis.kernel.i18n import LOCALES, current_locale, negotiate

LANG_COOKIE = "parvis_lang"
CSRF_COOKIE = "parvis_csrf"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "geolocation=(self), camera=(), microphone=()",
}
CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, default_locale: str, secure_cookies: bool) -> None:
        self.app = app
        self.default_locale = default_locale
        self.secure = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is treated as no cookies
            cookies = SimpleCookie()
        lang = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else ""
        if lang not in LOCALES:
            lang = negotiate(headers.get("accept-language", ""), self.default_locale)
        token = current_locale.set(lang)
        csrf = cookies[CSRF_COOKIE].value if CSRF_COOKIE in cookies else ""
        new_csrf = "" if len(csrf) >= 32 else secrets.token_urlsafe(32)
        state = scope.setdefault("state", {})
        state["csrf_token"] = new_csrf if new_csrf else csrf
        state["locale"] = lang
        is_html_or_api = not scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    out.setdefault(name, value)
                if not scope["path"].startswith("/api/docs"):
                    out.setdefault("content-security-policy", CSP)
                if new_csrf and is_html_or_api:
                    secure = "; Secure" if self.secure else ""
                    out.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={new_csrf}; Path=/; SameSite=Lax; HttpOnly{secure}",
                    )
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            current_locale.reset(token)


class RequestSlots:
    """At most `slots` requests in progress per worker; the others wait their turn.

    Synchronous routes and their dependencies run in a pool of threads and hold a database
    connection from the first query to the end of the request. Without a bound, a burst of
    requests opens more sessions than the pool has connections, and requests that hold a
    connection wait for a thread held by requests that wait for a connection.
    """

    def __init__(self, app: ASGIApp, *, slots: int) -> None:
        self.app = app
        self.slots = slots
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:  # created inside the server's event loop
            self._semaphore = asyncio.Semaphore(self.slots)
        async with self._semaphore:
            await self.app(scope, receive, send)


NUL_MARKS = (b"\x00", b"\\u0000", b"%00")
TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded")


class RefuseNul:
    """Refuse NUL characters in query strings and in JSON or form bodies, at the edge.

    No text of a city needs them, PostgreSQL refuses them in text columns, and a request that
    carries one is a client's mistake: a clear 422, never a 500 half-way through an action.
    (Multipart bodies carry binary files; their text fields are checked by the actions.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]:
            await self._refuse(scope, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
        if not content_type.startswith(TEXT_BODIES):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # disconnected: let the app see it
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if any(mark in body for mark in NUL_MARKS):
            await self._refuse(scope, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        problem = (
            b'{"type":"about:blank","title":"Invalid input","status":422,'
            b'"detail":"NUL characters are not accepted."}'
        )
        is_api = scope["path"].startswith(("/api/", "/open-data/"))
        body = problem if is_api else b"<!doctype html><title>422</title><p>Invalid characters."
        media = b"application/problem+json" if is_api else b"text/html; charset=utf-8"
        headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 422, "headers": headers})
        await send({"type": "http.response.body", "body": body})
