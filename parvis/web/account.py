"""Sign-up, sign-in/out, email confirmation, password reset, profile, "my data"."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from parvis import participation, territory
from parvis.kernel.auth import actions, queries
from parvis.kernel.errors import Conflict, InvalidInput, TooManyRequests
from parvis.kernel.i18n import gettext as _
from parvis.kernel.notifications import notifications_of
from parvis.kernel.web.deps import (
    SESSION_COOKIE,
    CtxDep,
    DbDep,
    OptionalUserDep,
    UserDep,
    check_csrf_form,
)
from parvis.kernel.web.middleware import LANG_COOKIE
from parvis.kernel.web.templating import redirect, render, safe_next
from parvis.participation.budgets.queries import budget_participation_of
from parvis.participation.proposals.queries import proposals_of

router = APIRouter(
    prefix="/account", include_in_schema=False, dependencies=[Depends(check_csrf_form)]
)
Short = Annotated[str, Form(max_length=300)]
Password = Annotated[str, Form(max_length=1024)]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signed_in(request: Request, token: str, target: str, flash: str) -> Response:
    response = redirect(target, flash)
    settings = request.app.state.ctx.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        path="/",
        httponly=True,
        secure=settings.cookies_secure,
        samesite="lax",
    )
    return response


def _arrondissement(text: str) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= 20 else None


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, db: DbDep) -> Response:
    return render(
        request,
        "account/signup.html",
        values={},
        error="",
        arrondissements=territory.arrondissement_names(db),
    )


@router.post("/signup")
def signup(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    email: Short,
    password: Password,
    display_name: Annotated[str, Form(max_length=80)],
    arrondissement: Short = "",
) -> Response:
    try:
        user = actions.sign_up(
            ctx,
            db,
            email=email,
            password=password,
            display_name=display_name,
            arrondissement=_arrondissement(arrondissement),
            locale=request.state.locale,
        )
    except (InvalidInput, Conflict) as error:
        values = {"email": email, "display_name": display_name, "arrondissement": arrondissement}
        return render(
            request,
            "account/signup.html",
            status_code=422,
            values=values,
            error=error.detail,
            arrondissements=territory.arrondissement_names(db),
        )
    token = actions.open_session(ctx, db, user)
    return _signed_in(
        request,
        token,
        "/account",
        _("Welcome! We sent you a link to confirm your email address."),
    )


@router.get("/confirm/{token}")
def confirm(db: DbDep, token: str) -> Response:
    try:
        actions.confirm_email(db, token)
    except InvalidInput as error:
        return redirect("/account", error.detail)
    return redirect("/account", _("Your email address is confirmed."))


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    return render(request, "account/signin.html", next=safe_next(next), email="", error="")


@router.post("/signin")
def signin(
    request: Request,
    db: DbDep,
    ctx: CtxDep,
    email: Short,
    password: Password,
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        user = actions.authenticate(
            ctx, db, email=email, password=password, client=_client(request)
        )
    except (InvalidInput, TooManyRequests) as error:
        status = 429 if isinstance(error, TooManyRequests) else 401
        return render(
            request,
            "account/signin.html",
            status_code=status,
            next=safe_next(next),
            email=email,
            error=error.detail,
        )
    token = actions.open_session(ctx, db, user)
    response = _signed_in(request, token, safe_next(next), _("You are signed in."))
    if LANG_COOKIE not in request.cookies:
        response.set_cookie(
            LANG_COOKIE,
            user.locale,
            max_age=365 * 86400,
            samesite="lax",
            secure=request.app.state.ctx.settings.cookies_secure,
        )
    return response


@router.post("/signout")
def signout(request: Request, db: DbDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        actions.close_session(db, token)
    response = redirect("/", _("You are signed out."))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/reset", response_class=HTMLResponse)
def reset_request_form(request: Request) -> Response:
    return render(request, "account/reset_request.html", sent=False)


@router.post("/reset")
def reset_request(request: Request, db: DbDep, ctx: CtxDep, email: Short) -> Response:
    actions.request_password_reset(ctx, db, email)
    return render(request, "account/reset_request.html", sent=True)


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_form(request: Request, token: str) -> Response:
    return render(request, "account/reset.html", token=token, error="")


@router.post("/reset/{token}")
def reset(request: Request, db: DbDep, token: str, password: Password) -> Response:
    try:
        actions.reset_password(db, token, password)
    except InvalidInput as error:
        return render(
            request, "account/reset.html", status_code=422, token=token, error=error.detail
        )
    return redirect("/account/signin", _("Your password is changed: sign in with it."))


@router.get("", response_class=HTMLResponse)
def account(request: Request, db: DbDep, user: UserDep) -> Response:
    return render(
        request,
        "account/profile.html",
        error="",
        new_token="",
        arrondissements=territory.arrondissement_names(db),
        unread=sum(1 for n in notifications_of(db, user.id) if n.read_at is None),
    )


@router.post("")
def save_profile(
    request: Request,
    db: DbDep,
    user: UserDep,
    display_name: Annotated[str, Form(max_length=80)],
    arrondissement: Short = "",
    locale: Short = "fr",
) -> Response:
    try:
        actions.change_profile(
            db,
            user,
            display_name=display_name,
            arrondissement=_arrondissement(arrondissement),
            locale=locale,
        )
    except InvalidInput as error:
        return render(
            request,
            "account/profile.html",
            status_code=422,
            error=error.detail,
            new_token="",
            arrondissements=territory.arrondissement_names(db),
            unread=0,
        )
    response = redirect("/account", _("Your profile is saved."))
    response.set_cookie(
        LANG_COOKIE,
        user.locale,
        max_age=365 * 86400,
        samesite="lax",
        secure=request.app.state.ctx.settings.cookies_secure,
    )
    return response


@router.post("/tokens")
def create_token(
    request: Request, db: DbDep, user: UserDep, name: Annotated[str, Form(max_length=80)] = ""
) -> Response:
    token = actions.create_api_token(db, user, name)
    return render(
        request,
        "account/profile.html",
        error="",
        new_token=token,
        arrondissements=territory.arrondissement_names(db),
        unread=0,
    )


@router.get("/data", response_class=HTMLResponse)
def my_data(request: Request, user: UserDep) -> Response:
    return render(request, "account/data.html", error="")


@router.get("/data.json")
def download_my_data(db: DbDep, user: UserDep) -> Response:
    data = {
        "account": queries.export_account(db, user),
        "participation": participation.export_participation(db, user.id),
        "proposals": proposals_of(db, user.id),
        "participatory_budgets": budget_participation_of(db, user.id),
        "notifications": [
            {
                "message": n.message,
                "link": n.link,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in notifications_of(db, user.id, limit=10_000)
        ],
    }
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="parvis-my-data.json"'},
    )


@router.post("/delete")
def delete_account(
    request: Request, db: DbDep, ctx: CtxDep, user: UserDep, confirm_email: Short
) -> Response:
    if confirm_email.strip().lower() != user.email:
        return render(
            request,
            "account/data.html",
            status_code=422,
            error=_("Type your email address to confirm the deletion."),
        )
    actions.delete_account(ctx, db, user)
    response = redirect("/", _("Your account and your personal data are deleted."))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


__all__ = ["OptionalUserDep", "router"]
