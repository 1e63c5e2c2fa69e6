"""Proposals through the HTML forms: submit, discuss in threads, answer."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from tests.conftest import csrf, sign_in


def post(client: TestClient, url: str, **data: str) -> int:
    return client.post(
        url, data=data | {"csrf_token": csrf(client)}, follow_redirects=False
    ).status_code


def test_submit_discuss_and_answer_through_the_pages(
    client: TestClient, resident: User, staff: User, make_user: Callable[..., User], territory: None
) -> None:
    sign_in(client, resident)
    assert client.get("/proposals/new").status_code == 200
    bad = client.post(
        "/proposals/new",
        data={"title": "x", "description": "court", "category": "", "csrf_token": csrf(client)},
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    far = client.post(
        "/proposals/new",
        data={
            "title": "Des bancs rue de Charonne",
            "description": "Des bancs pour se reposer en montant.",
            "category": "living",
            "latitude": "43.29",
            "longitude": "5.37",
            "csrf_token": csrf(client),
        },
    )
    assert far.status_code == 422
    created = client.post(
        "/proposals/new",
        data={
            "title": "Des bancs rue de Charonne",
            "description": "Des bancs pour se reposer en montant.",
            "category": "living",
            "arrondissement": "11",
            "latitude": "48.8535",
            "longitude": "2.3806",
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    url = created.headers["location"]
    assert post(client, f"{url}/comments", body="Oui, surtout près de l'école !") == 303
    page = client.get(url).text
    first = int(re.findall(r'id="comment-(\d+)"', page)[0])
    client.cookies.clear()
    neighbour = make_user()
    sign_in(client, neighbour)
    assert post(client, f"{url}/support", action="support") == 303
    assert post(client, f"{url}/comments", body="D'accord avec vous.", parent_id=str(first)) == 303
    page = client.get(url).text
    assert page.index("D&#39;accord avec vous.") > page.index("surtout près de l&#39;école")
    assert 'class="comment reply"' in page
    client.cookies.clear()
    sign_in(client, staff)
    assert (
        post(
            client,
            f"/staff/proposals{url[len('/proposals') :]}/answer",
            state="accepted",
            answer="La mairie installe trois bancs.",
        )
        == 303
    )
    page = client.get(url).text
    assert "La mairie installe trois bancs." in page
    listed = client.get("/proposals?arrondissement=11&sort=supports")
    assert listed.status_code == 200 and "Des bancs rue de Charonne" in listed.text
    for junk in ("state=bogus", "category=x", "page=0", "sort=up"):
        assert client.get(f"/proposals?{junk}").status_code == 200
