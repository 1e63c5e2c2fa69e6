"""Jinja2 set up once per app: gettext from the request's locale, shared globals, render()."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from parvis.kernel import i18n
from parvis.kernel.markdown import render_markdown

FLASH_COOKIE = "parvis_flash"
PACKAGE_DIR = Path(__file__).resolve().parents[2]


def make_environment(template_dirs: list[Path], globals_: dict[str, Any]) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))  # noqa: S704
    env.filters["date"] = i18n.format_date
    env.filters["datetime"] = i18n.format_datetime
    env.filters["number"] = i18n.format_number
    env.filters["money"] = i18n.format_money
    env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)
    env.globals.update(globals_)
    env.globals["languages"] = i18n.LANGUAGE_NAMES
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    env: Environment = request.app.state.jinja
    flash = request.cookies.get(FLASH_COOKIE, "")
    html = env.get_template(template).render(
        request=request,
        user=getattr(request.state, "user", None),
        csrf_token=request.state.csrf_token,
        locale=request.state.locale,
        flash=unquote(flash)[:300],
        settings=request.app.state.ctx.settings,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, flash: str = "") -> RedirectResponse:
    """303 after a form post; the flash message is shown once on the next page."""
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            quote(flash, safe=" ,.!?:;'’«»()-"),
            path="/",
            httponly=True,
            samesite="lax",
            max_age=60,
        )
    return response


def safe_next(url: str | None) -> str:
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url
