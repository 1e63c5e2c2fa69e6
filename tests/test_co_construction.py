"""The open-city facet through the pages: follow, support, comment, moderate, notify."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from tests.conftest import csrf, outbox, sign_in
from tests.test_projects_api import create


def post(client: TestClient, url: str, **data: str) -> int:
    response = client.post(url, data=data | {"csrf_token": csrf(client)}, follow_redirects=False)
    return response.status_code


def test_resident_follows_supports_and_comments(
    client: TestClient, resident: User, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    project = create(client, api_token(staff))
    url = f"/projects/{project['id']}"
    sign_in(client, resident)
    assert post(client, f"{url}/follow", action="follow") == 303
    assert post(client, f"{url}/support", action="support") == 303
    assert post(client, f"{url}/support", action="support") == 303  # idempotent
    assert post(client, f"{url}/comments", body="Très bonne idée, merci !") == 303
    page = client.get(url).text
    assert "Très bonne idée, merci !" in page
    assert client.get(f"/api/projects/{project['id']}").json()["supports"] == 1
    assert post(client, f"{url}/comments", body="   ") == 422
    assert post(client, f"{url}/comments", body="x" * 5001) == 422
    assert post(client, "/projects/999999/comments", body="Perdu") == 404


def test_comments_are_escaped(
    client: TestClient, resident: User, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    project = create(client, api_token(staff))
    sign_in(client, resident)
    post(client, f"/projects/{project['id']}/comments", body="<img src=x onerror=alert(1)>")
    page = client.get(f"/projects/{project['id']}").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_anonymous_visitors_are_sent_to_sign_in(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    project = create(client, api_token(staff))
    response = client.post(
        f"/projects/{project['id']}/support",
        data={"action": "support", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/signin?next=")


def test_moderation_report_hide_restore(
    client: TestClient,
    resident: User,
    moderator: User,
    make_user: Callable[..., User],
    staff: User,
    api_token: Callable[[User], dict[str, str]],
) -> None:
    project = create(client, api_token(staff))
    url = f"/projects/{project['id']}"
    sign_in(client, resident)
    post(client, f"{url}/comments", body="Un commentaire insultant")
    comment_id = int(client.get(url).text.split('id="comment-')[1].split('"')[0])
    client.cookies.clear()
    reporter = make_user()
    sign_in(client, reporter)
    assert post(client, f"/comments/{comment_id}/report", reason="Insultant") == 303
    assert post(client, f"/comments/{comment_id}/report", reason="Encore") == 409
    client.cookies.clear()
    sign_in(client, moderator)
    queue = client.get("/moderation").text
    assert "Un commentaire insultant" in queue and "Insultant" in queue
    assert post(client, f"/moderation/comments/{comment_id}", action="hide", reason="") == 422
    assert (
        post(client, f"/moderation/comments/{comment_id}", action="hide", reason="Propos injurieux")
        == 303
    )
    page = client.get(url).text
    assert "Un commentaire insultant" not in page
    assert "Propos injurieux" in page
    assert post(client, f"/moderation/comments/{comment_id}", action="restore") == 303
    assert "Un commentaire insultant" in client.get(url).text


def test_followers_are_notified_of_status_and_journal(
    client: TestClient,
    app: FastAPI,
    resident: User,
    staff: User,
    api_token: Callable[[User], dict[str, str]],
) -> None:
    headers = api_token(staff)
    project = create(client, headers)
    sign_in(client, resident)
    post(client, f"/projects/{project['id']}/follow", action="follow")
    client.post(
        f"/api/projects/{project['id']}/status", json={"status": "consultation"}, headers=headers
    )
    client.post(
        f"/api/projects/{project['id']}/journal",
        json={"title": "Réunion publique", "body": "Le 12 mars à la mairie."},
        headers=headers,
    )
    mails = [m for m in outbox(app) if resident.email in m]
    assert len(mails) == 2
    assert any("Réunion publique" in m for m in mails)
    page = client.get("/notifications").text
    assert "Réunion publique" in page
    assert post(client, "/notifications/read") == 303


def test_staff_builds_a_project_through_the_forms(
    client: TestClient, staff: User, territory: None
) -> None:
    sign_in(client, staff)
    assert client.get("/staff/projects/new").status_code == 200
    bad = client.post(
        "/staff/projects/new",
        data={
            "title": "X",
            "summary": "",
            "department": "",
            "budget_eur": "lots",
            "csrf_token": csrf(client),
        },
    )
    assert bad.status_code == 422
    created = client.post(
        "/staff/projects/new",
        data={
            "title": "Jardin partagé",
            "summary": "Un jardin rue des Vinaigriers",
            "department": "DEVE",
            "arrondissements": ["10"],
            "budget_eur": "25 000",
            "geometry": '{"type": "Point", "coordinates": [2.36, 48.874]}',
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    url = created.headers["location"]
    project_id = int(url.rsplit("/", 1)[1])
    assert post(client, f"/staff/projects/{project_id}/status", status="design", note="Go") == 303
    assert post(client, f"/staff/projects/{project_id}/status", status="bogus") == 422
    assert (
        post(
            client,
            f"/staff/projects/{project_id}/objectives",
            pillar="ecological",
            indicator="Surface plantée",
            unit="m²",
            baseline="0",
            target="120,5",
        )
        == 303
    )
    assert (
        post(
            client,
            f"/staff/projects/{project_id}/objectives",
            pillar="green",
            indicator="?",
            unit="?",
            baseline="a",
            target="b",
        )
        == 422
    )
    detail = client.get(f"/api/projects/{project_id}").json()
    objective_id = detail["objectives"][0]["id"]
    assert detail["objectives"][0]["target"] == 120.5
    assert (
        post(
            client,
            f"/staff/objectives/{objective_id}/measurements",
            value="60",
            measured_on="2027-05-01",
        )
        == 303
    )
    assert (
        post(
            client,
            f"/staff/projects/{project_id}/journal",
            title="Premiers semis",
            body="**Bravo** aux bénévoles",
        )
        == 303
    )
    detail = client.get(f"/api/projects/{project_id}").json()
    assert detail["status"] == "design"
    assert detail["budget_eur"] == 25000
    assert detail["objectives"][0]["progress"] == 60 / 120.5
    assert detail["journal"][0]["title"] == "Premiers semis"
    page = client.get(url).text
    assert "<strong>Bravo</strong>" in page
    edit = client.post(
        f"/staff/projects/{project_id}/edit",
        data={
            "title": "Jardin partagé des Vinaigriers",
            "summary": "Un jardin",
            "department": "DEVE",
            "arrondissements": ["10", "11"],
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
    assert edit.status_code == 303
    detail = client.get(f"/api/projects/{project_id}").json()
    assert detail["arrondissements"] == [10, 11] and detail["budget_eur"] is None
    priorities = client.get("/staff/priorities")
    assert priorities.status_code == 200 and "Jardin partagé des Vinaigriers" in priorities.text


def test_each_follower_is_notified_in_their_own_language(
    client: TestClient,
    app: FastAPI,
    make_user: Callable[..., User],
    staff: User,
    api_token: Callable[[User], dict[str, str]],
) -> None:
    headers = api_token(staff) | {"Accept-Language": "fr"}
    project = create(client, headers)
    english, french = make_user(locale="en"), make_user(locale="fr")
    for follower in (english, french):
        client.cookies.clear()
        sign_in(client, follower)
        post(client, f"/projects/{project['id']}/follow", action="follow")
    status = {"status": "consultation"}
    client.post(f"/api/projects/{project['id']}/status", json=status, headers=headers)
    mails = outbox(app)
    to_english = next(m for m in mails if english.email in m)
    to_french = next(m for m in mails if french.email in m)
    assert "is now at stage: Consultation" in to_english
    assert "passe à l’étape" in to_french and "Concertation" in to_french
    client.cookies.clear()
    sign_in(client, english)
    assert "is now at stage" in client.get("/notifications", headers={"Accept-Language": "en"}).text


def test_replies_make_threads_and_stay_on_their_page(
    client: TestClient, resident: User, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    first, second = create(client, headers), create(client, headers, title="Autre projet")
    sign_in(client, resident)
    post(client, f"/projects/{first['id']}/comments", body="Question : quand ?")
    page = client.get(f"/projects/{first['id']}").text
    comment_id = page.split('id="comment-')[1].split('"')[0]
    assert (
        post(
            client, f"/projects/{first['id']}/comments", body="Au printemps.", parent_id=comment_id
        )
        == 303
    )
    threaded = client.get(f"/projects/{first['id']}").text
    assert 'class="comment reply"' in threaded and "Au printemps." in threaded
    assert (
        post(client, f"/projects/{second['id']}/comments", body="Hors sujet", parent_id=comment_id)
        == 422
    )
