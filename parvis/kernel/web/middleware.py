"""One ASGI middleware for what every request needs: its locale, a CSRF cookie, safe headers."""

from __future__ import annotations

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
