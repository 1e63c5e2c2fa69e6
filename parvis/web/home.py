"""Home ("near me"), language switch, notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parvis import territory
from parvis.kernel.i18n import LOCALES
from parvis.kernel.notifications import mark_read, notifications_of
from parvis.kernel.web.deps import DbDep, OptionalUserDep, UserDep, check_csrf_form
from parvis.kernel.web.middleware import LANG_COOKIE
from parvis.kernel.web.templating import redirect, render, safe_next
from parvis.projects import queries as projects

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf_form)])


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    db: DbDep,
    user: OptionalUserDep,
    arrondissement: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    chosen = int(arrondissement) if arrondissement.isdigit() else None
    if chosen is not None and not 1 <= chosen <= 20:
        chosen = None
    if chosen is None and user is not None:
        chosen = user.arrondissement
    filters = projects.ProjectFilters(arrondissement=chosen)
    page = projects.list_projects(db, filters, 1, 6)
    return render(
        request,
        "home.html",
        chosen=chosen,
        projects=projects.publish_page(db, page),
        total=page.total,
        news=projects.latest_news(db, chosen),
        arrondissements=territory.arrondissement_names(db),
    )


@router.get("/lang/{code}")
def switch_language(
    request: Request, code: str, next: Annotated[str, Query(max_length=500)] = "/"
) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LOCALES:
        secure = request.app.state.ctx.settings.cookies_secure
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, path="/", samesite="lax", secure=secure
        )
    return response


@router.get("/notifications", response_class=HTMLResponse)
def notifications(request: Request, db: DbDep, user: UserDep) -> Response:
    return render(request, "notifications.html", items=notifications_of(db, user.id))


@router.post("/notifications/read")
def read_all(db: DbDep, user: UserDep) -> Response:
    mark_read(db, user.id)
    return redirect("/notifications")
