"""Administration: grant roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from parvis.kernel.auth import Role
from parvis.kernel.auth import actions as auth_actions
from parvis.kernel.auth.queries import list_users
from parvis.kernel.errors import InvalidInput
from parvis.kernel.i18n import gettext as _
from parvis.kernel.i18n import lazy
from parvis.kernel.web.deps import AdminDep, DbDep, Id, check_csrf_form
from parvis.kernel.web.templating import redirect, render

router = APIRouter(
    prefix="/admin", include_in_schema=False, dependencies=[Depends(check_csrf_form)]
)
ROLE_LABELS = {
    Role.RESIDENT: lazy("Resident"),
    Role.MODERATOR: lazy("Moderator"),
    Role.STAFF: lazy("Staff"),
    Role.ADMIN: lazy("Administrator"),
}


@router.get("/users", response_class=HTMLResponse)
def users(
    request: Request, db: DbDep, admin: AdminDep, q: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    return render(
        request, "admin/users.html", users=list_users(db, q.strip()), q=q, roles=ROLE_LABELS
    )


@router.post("/users/{user_id}/role")
def grant(db: DbDep, admin: AdminDep, user_id: Id, role: Annotated[str, Form()]) -> Response:
    if role not in Role._value2member_map_:
        raise InvalidInput(_("Unknown role."))
    if user_id == admin.id and role != Role.ADMIN:
        raise InvalidInput(_("You cannot remove your own administrator role."))
    user = auth_actions.grant_role(db, user_id, Role(role))
    message = _("%(name)s is now: %(role)s.") % {
        "name": user.display_name,
        "role": _(ROLE_LABELS[Role(role)]),
    }
    return redirect("/admin/users", message)
