"""Portal pages: near me, filters, languages, errors, security headers."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from tests.conftest import sign_in
from tests.test_projects_api import create


def test_home_shows_projects_near_the_resident(
    client: TestClient,
    staff: User,
    make_user: Callable[..., User],
    territory: None,
    api_token: Callable[[User], dict[str, str]],
) -> None:
    headers = api_token(staff)
    create(client, headers, title="Square de la Roquette", arrondissements=[11])
    create(client, headers, title="Berges du canal", arrondissements=[19])
    anonymous = client.get("/").text
    assert "Square de la Roquette" in anonymous and "Berges du canal" in anonymous
    assert "Berges du canal" not in client.get("/?arrondissement=11").text
    assert client.get("/?arrondissement=99").status_code == 200
    sign_in(client, make_user(arrondissement=19))
    near = client.get("/").text
    assert "Berges du canal" in near and "Square de la Roquette" not in near


def test_project_list_filters_and_page(
    client: TestClient, staff: User, territory: None, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    create(client, headers, title="Square de la Roquette", arrondissements=[11])
    create(client, headers, title="Berges du canal", arrondissements=[19])
    page = client.get("/projects?arrondissement=19&status=idea")
    assert page.status_code == 200
    assert "Berges du canal" in page.text and "Square de la Roquette" not in page.text
    for junk in ("arrondissement=abc", "status=nope", "pillar=x", "page=-3", "q=" + "a" * 500):
        assert client.get(f"/projects?{junk}").status_code == 200, junk
    assert (
        client.get("/api/boundaries/arrondissements").json()["features"][0]["properties"]["number"]
        == 1
    )
    assert len(client.get("/api/boundaries/quartiers").json()["features"]) == 80
    assert client.get("/api/boundaries/communes").status_code == 422


def test_french_first_english_on_request(client: TestClient) -> None:
    assert '<html lang="fr">' in client.get("/").text
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.text
    switched = client.get("/lang/en?next=/projects", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/projects"
    assert '<html lang="en">' in client.get("/projects").text
    assert (
        client.get("/lang/en?next=https://evil.example", follow_redirects=False).headers["location"]
        == "/"
    )
    client.get("/lang/fr")
    assert '<html lang="fr">' in client.get("/").text


def test_errors_are_pages_for_people_and_problems_for_programs(client: TestClient) -> None:
    page = client.get("/nowhere")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/nowhere")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 404
    assert client.get("/projects/999999").status_code == 404
    assert client.delete("/api/projects").status_code == 405


def test_security_headers_and_cookies(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    cookie = response.headers["set-cookie"]
    assert "parvis_csrf=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_openapi_is_3_1_with_problem_responses(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/projects" in spec["paths"]
    assert not any(path.startswith("/account") for path in spec["paths"])
    responses = spec["paths"]["/api/projects"]["post"]["responses"]
    assert "application/problem+json" in responses["422"]["content"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/" in docs.text


def test_every_form_carries_the_csrf_token_of_the_cookie(client: TestClient) -> None:
    """Forms are rendered with the token a browser will send back (not an empty field)."""
    import re

    page = client.get("/account/signin").text
    tokens = set(re.findall(r'name="csrf_token" value="([^"]*)"', page))
    assert tokens == {client.cookies.get("parvis_csrf")}


def test_nul_characters_are_refused_at_the_edge(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    body = '{"title": "Un titre\\u0000", "summary": "Un résumé", "department": "DVD"}'
    response = client.post(
        "/api/projects", content=body, headers=headers | {"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/projects?q=a%00b").status_code == 422
    form = client.post("/account/signin", data={"email": "a\x00b@example.org", "password": "x"})
    assert form.status_code == 422
    assert client.get("/api/projects").json()["total"] == 0
