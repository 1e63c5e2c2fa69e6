"""FastAPI dependencies so that route signatures read like prose: `db: DbDep, user: UserDep`."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from parvis.kernel.auth import Role, User
from parvis.kernel.auth.queries import user_for_api_token, user_for_session
from parvis.kernel.context import Context
from parvis.kernel.errors import Forbidden, Unauthenticated
from parvis.kernel.i18n import gettext as _

SESSION_COOKIE = "parvis_session"
# Database ids are 32-bit on every backend: a larger number is a client's mistake, not a 500.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


CtxDep = Annotated[Context, Depends(get_ctx)]


def get_db(ctx: CtxDep) -> Iterator[Session]:
    with ctx.sessions() as db:
        yield db


DbDep = Annotated[Session, Depends(get_db)]


def csrf_token(request: Request) -> str:
    return str(request.state.csrf_token)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def optional_user(request: Request, db: DbDep) -> User | None:
    """The signed-in user: a session cookie, or a Bearer API token.

    A cookie-authenticated unsafe call to the JSON API must also carry the CSRF token in
    the X-CSRF-Token header; forms carry it in a field checked by `check_csrf_form`.
    """
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    user: User | None = None
    bearer = _bearer(request)
    if bearer is not None:
        user = user_for_api_token(db, bearer)
    elif (token := request.cookies.get(SESSION_COOKIE)) is not None:
        user = user_for_session(db, token)
        is_api = request.url.path.startswith("/api/")
        if user is not None and is_api and request.method in UNSAFE:
            sent = request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent.encode(), csrf_token(request).encode()):
                user = None
    request.state.user = user
    return user


OptionalUserDep = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUserDep) -> User:
    if user is None:
        raise Unauthenticated(_("Sign in to do this."))
    return user


UserDep = Annotated[User, Depends(current_user)]


def require(role: Role) -> Callable[[User], User]:
    def check(user: UserDep) -> User:
        if not user.has_role(role):
            raise Forbidden(_("Your role does not allow this."))
        return user

    return check


ModeratorDep = Annotated[User, Depends(require(Role.MODERATOR))]
StaffDep = Annotated[User, Depends(require(Role.STAFF))]
AdminDep = Annotated[User, Depends(require(Role.ADMIN))]


async def check_csrf_form(request: Request) -> None:
    """Every HTML form carries the CSRF token; a forged form is refused before any work."""
    if request.method not in UNSAFE:
        return
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.cookies.get("parvis_csrf", "")
    if (
        not isinstance(sent, str)
        or not expected
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise Forbidden(_("This form has expired or was not sent from Parvis. Reload the page."))
