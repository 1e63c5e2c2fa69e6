"""Accounts: sign-up with confirmation, sign-in with rate limit, reset, roles, my data, GDPR."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select

from parvis.kernel.auth import Role, User
from parvis.kernel.auth.models import WebSession
from tests.conftest import PASSWORD, csrf, outbox, sign_in


def link_in(mail: str, path: str) -> str:
    match = re.search(rf"https://parvis\.test({re.escape(path)}[\w\-]+)", mail)
    assert match, mail
    return match.group(1)


def sign_up(
    client: TestClient,
    email: str = "lea@example.org",
    password: str = "un mot de passe",  # noqa: S107
) -> Response:
    return client.post(
        "/account/signup",
        data={
            "email": email,
            "password": password,
            "display_name": "Léa",
            "arrondissement": "18",
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )


def test_sign_up_confirms_by_mail_and_stores_an_argon2_hash(
    client: TestClient, app: FastAPI
) -> None:
    response = sign_up(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    session_cookie = response.headers["set-cookie"]
    assert "parvis_session=" in session_cookie
    assert "HttpOnly" in session_cookie and "Secure" in session_cookie
    assert "samesite=lax" in session_cookie.lower()
    with app.state.ctx.sessions() as db:
        user = db.scalar(select(User).where(User.email == "lea@example.org"))
        assert user is not None and not user.is_confirmed
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
    mails = outbox(app)
    assert len(mails) == 1
    confirm = link_in(mails[0], "/account/confirm/")
    assert client.get(confirm, follow_redirects=False).status_code == 303
    with app.state.ctx.sessions() as db:
        user = db.scalar(select(User).where(User.email == "lea@example.org"))
        assert user is not None and user.is_confirmed
    # the link is single-use
    client.get(confirm)
    assert client.get("/account").status_code == 200


def test_sign_up_refuses_bad_input_and_duplicates(client: TestClient, resident: User) -> None:
    assert sign_up(client, email="not-an-email").status_code == 422
    assert sign_up(client, password="short").status_code == 422
    duplicate = sign_up(client, email=resident.email.upper())
    assert duplicate.status_code == 422
    assert "already" in duplicate.text or "déjà" in duplicate.text


def test_forms_without_csrf_token_are_refused(client: TestClient, resident: User) -> None:
    client.get("/account/signin")
    forged = client.post(
        "/account/signin",
        data={"email": resident.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    wrong = client.post(
        "/account/signin",
        data={"email": resident.email, "password": PASSWORD, "csrf_token": "x" * 43},
        follow_redirects=False,
    )
    assert wrong.status_code == 403
    assert "parvis_session" not in client.cookies


def test_sign_in_and_out(client: TestClient, resident: User, app: FastAPI) -> None:
    sign_in(client, resident)
    assert client.get("/account").status_code == 200
    out = client.post("/account/signout", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert out.status_code == 303
    with app.state.ctx.sessions() as db:
        assert db.scalars(select(WebSession)).all() == []
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_sign_in_is_rate_limited(client: TestClient, resident: User) -> None:
    def attempt(password: str) -> int:
        return client.post(
            "/account/signin",
            data={"email": resident.email, "password": password, "csrf_token": csrf(client)},
            follow_redirects=False,
        ).status_code

    assert [attempt("wrong password!") for _ in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 429  # even the right password waits out the window


def test_wrong_sign_in_does_not_reveal_accounts(client: TestClient, resident: User) -> None:
    def message(email: str) -> str:
        response = client.post(
            "/account/signin",
            data={"email": email, "password": "nope nope nope", "csrf_token": csrf(client)},
        )
        assert response.status_code == 401
        return re.sub(r'value="[^"]*"', "", response.text)

    assert message(resident.email) == message("nobody@example.org")


def test_password_reset_by_mail(client: TestClient, resident: User, app: FastAPI) -> None:
    token = csrf(client)
    assert (
        client.post(
            "/account/reset", data={"email": resident.email, "csrf_token": token}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/account/reset", data={"email": "x@example.org", "csrf_token": token}
        ).status_code
        == 200
    )
    mails = outbox(app)
    assert len(mails) == 1 and resident.email in mails[0]
    link = link_in(mails[0], "/account/reset/")
    assert client.post(link, data={"password": "short", "csrf_token": token}).status_code == 422
    done = client.post(
        link,
        data={"password": "a brand new passphrase", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    again = client.post(link, data={"password": "another passphrase", "csrf_token": token})
    assert again.status_code == 422  # single use
    signed = client.post(
        "/account/signin",
        data={"email": resident.email, "password": "a brand new passphrase", "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303


def test_admin_grants_roles_and_staff_routes_check_them(
    client: TestClient, admin: User, resident: User, make_user: Callable[..., User]
) -> None:
    sign_in(client, resident)
    for path in ("/admin/users", "/staff/projects/new", "/staff/priorities", "/moderation"):
        assert client.get(path).status_code == 403, path
    client.cookies.clear()
    sign_in(client, admin)
    page = client.get("/admin/users")
    assert page.status_code == 200 and resident.email in page.text
    granted = client.post(
        f"/admin/users/{resident.id}/role",
        data={"role": "staff", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert granted.status_code == 303
    bogus = client.post(
        f"/admin/users/{resident.id}/role", data={"role": "emperor", "csrf_token": csrf(client)}
    )
    assert bogus.status_code == 422
    client.cookies.clear()
    sign_in(client, resident)
    assert client.get("/staff/projects/new").status_code == 200
    assert client.get("/admin/users").status_code == 403


def test_my_data_export_and_account_deletion(
    client: TestClient, resident: User, app: FastAPI
) -> None:
    sign_in(client, resident)
    exported = client.get("/account/data.json")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    data = json.loads(exported.text)
    assert data["account"]["email"] == resident.email
    assert "password_hash" not in exported.text and "argon2" not in exported.text
    assert set(data["participation"]) == {"comments", "comment_reports", "follows", "supports"}
    assert data["proposals"] == [] and data["participatory_budgets"] == []
    refused = client.post(
        "/account/delete", data={"confirm_email": "x@y.org", "csrf_token": csrf(client)}
    )
    assert refused.status_code == 422
    deleted = client.post(
        "/account/delete",
        data={"confirm_email": resident.email, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    with app.state.ctx.sessions() as db:
        assert db.get(User, resident.id) is None
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.includes(Role.STAFF)
    assert Role.STAFF.includes(Role.MODERATOR)
    assert not Role.MODERATOR.includes(Role.STAFF)
    assert not Role.RESIDENT.includes(Role.MODERATOR)
