"""Consultations through HTTP: questionnaires of every kind, one answer per resident, results
and the anonymous CSV export after closing, the staff form; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import html
import io
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from parvis.kernel.auth import Role, User
from parvis.participation.consultations.models import Consultation, ConsultationResponse
from tests.conftest import csrf, sign_in

Headers = dict[str, str]
TokenFor = Callable[[User], Headers]

QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "single",
        "text": "Faut-il fermer la place aux voitures ?",
        "options": ["Oui", "Non", "Sans avis"],
    },
    {
        "kind": "multiple",
        "text": "Que voulez-vous sur la place ?",
        "options": ["Arbres", "Bancs", "Fontaine"],
        "max_choices": 2,
    },
    {
        "kind": "ranking",
        "text": "Classez ces projets",
        "options": ["Piste cyclable", "Aire de jeux", "Marché"],
    },
    {
        "kind": "scale",
        "text": "La place est-elle agréable ?",
        "options": ["Pas du tout", "Très"],
        "scale_min": 1,
        "scale_max": 5,
    },
    {"kind": "text", "text": "Autre chose ?", "required": False},
]


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def create(
    client: TestClient,
    headers: Headers,
    opens: timedelta = timedelta(hours=-1),
    closes: timedelta = timedelta(days=7),
    **changes: Any,
) -> dict[str, Any]:
    body = {
        "title": "Réaménager la place de la Nation",
        "description": "Donnez votre avis **avant le chantier**.",
        "arrondissement": 11,
        "opens_at": _iso(opens),
        "closes_at": _iso(closes),
        "questions": QUESTIONS,
    } | changes
    response = client.post("/api/consultations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def qids(consultation: dict[str, Any]) -> dict[str, str]:
    """Question id by kind."""
    return {q["kind"]: str(q["id"]) for q in consultation["questions"]}


def answers(consultation: dict[str, Any], **by_kind: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "single": "Oui",
        "multiple": ["Bancs", "Arbres"],
        "ranking": ["Marché", "Piste cyclable", "Aire de jeux"],
        "scale": 4,
        "text": "Plus d’ombre, s’il vous plaît.",
    } | by_kind
    ids = qids(consultation)
    return {ids[kind]: value for kind, value in values.items()}


def answer(
    client: TestClient, headers: Headers, consultation_id: int, body: dict[str, Any]
) -> httpx.Response:
    return client.put(
        f"/api/consultations/{consultation_id}/responses/me",
        json={"answers": body},
        headers=headers,
    )


def shift(app: FastAPI, consultation_id: int, opens: timedelta, closes: timedelta) -> None:
    """Move a consultation in time instead of waiting: its dates become now + the deltas."""
    now = datetime.now(UTC)
    with app.state.ctx.sessions() as db:
        db.execute(
            update(Consultation)
            .where(Consultation.id == consultation_id)
            .values(opens_at=now + opens, closes_at=now + closes)
        )
        db.commit()


def close(app: FastAPI, consultation_id: int) -> None:
    shift(app, consultation_id, timedelta(days=-8), timedelta(minutes=-1))


def response_rows(app: FastAPI, consultation_id: int) -> int:
    with app.state.ctx.sessions() as db:
        count: int = db.scalar(
            select(func.count()).where(ConsultationResponse.consultation_id == consultation_id)
        )
        return count


def form_post(client: TestClient, url: str, data: dict[str, Any]) -> httpx.Response:
    return client.post(url, data=data | {"csrf_token": csrf(client)}, follow_redirects=False)


# Creation --------------------------------------------------------------------------------


def test_staff_creates_a_consultation_that_anyone_can_read(
    client: TestClient, staff: User, api_token: TokenFor
) -> None:
    created = create(client, api_token(staff))
    assert created["state"] == "open"
    assert created["responses"] == 0
    assert [q["kind"] for q in created["questions"]] == [q["kind"] for q in QUESTIONS]
    assert created["questions"][4]["required"] is False
    read = client.get(f"/api/consultations/{created['id']}")
    assert read.status_code == 200
    assert read.json()["questions"][1]["max_choices"] == 2
    listed = client.get("/api/consultations", params={"state": "open"}).json()
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    assert client.get("/api/consultations", params={"state": "closed"}).json()["total"] == 0
    assert client.get("/api/consultations/999999").status_code == 404


def test_only_staff_create(client: TestClient, resident: User, api_token: TokenFor) -> None:
    body = {"title": "Pirate", "opens_at": _iso(timedelta()), "closes_at": _iso(timedelta(1))}
    body["questions"] = QUESTIONS
    refused = client.post("/api/consultations", json=body, headers=api_token(resident))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.post("/api/consultations", json=body).status_code == 401
    sign_in(client, resident)
    assert client.get("/staff/consultations/new").status_code == 403
    form = {"title": "Pirate", "opens_at": "2030-01-01T10:00", "closes_at": "2030-02-01T10:00"}
    assert form_post(client, "/staff/consultations/new", form).status_code == 403


BAD_QUESTIONS = {
    "one option": {"kind": "single", "text": "Oui ?", "options": ["Oui"]},
    "31 options": {"kind": "multiple", "text": "Trop", "options": [f"o{n}" for n in range(31)]},
    "same options": {"kind": "single", "text": "Pareil ?", "options": ["Oui", " oui "]},
    "empty option": {"kind": "single", "text": "Vide ?", "options": ["Oui", "  "]},
    "pipe in option": {"kind": "single", "text": "Barre ?", "options": ["a|b", "c"]},
    "ranking without options": {"kind": "ranking", "text": "Classez"},
    "text with options": {"kind": "text", "text": "Libre", "options": ["a", "b"]},
    "max on single": {"kind": "single", "text": "Un", "options": ["a", "b"], "max_choices": 1},
    "max over options": {
        "kind": "multiple",
        "text": "Plus",
        "options": ["a", "b"],
        "max_choices": 3,
    },
    "scale without bounds": {"kind": "scale", "text": "Note"},
    "scale upside down": {"kind": "scale", "text": "Note", "scale_min": 5, "scale_max": 1},
    "scale too long": {"kind": "scale", "text": "Note", "scale_min": 0, "scale_max": 20},
    "scale one label": {
        "kind": "scale",
        "text": "Note",
        "scale_min": 1,
        "scale_max": 5,
        "options": ["bas"],
    },
    "bounds on a choice": {"kind": "single", "text": "Un", "options": ["a", "b"], "scale_min": 1},
    "unknown kind": {"kind": "vote", "text": "Votez", "options": ["a", "b"]},
    "short text": {"kind": "text", "text": "?"},
}


@pytest.mark.parametrize("question", BAD_QUESTIONS.values(), ids=BAD_QUESTIONS.keys())
def test_bad_questions_are_refused(
    client: TestClient, staff: User, api_token: TokenFor, question: dict[str, Any]
) -> None:
    body = {
        "title": "Consultation",
        "opens_at": _iso(timedelta()),
        "closes_at": _iso(timedelta(days=1)),
        "questions": [question],
    }
    refused = client.post("/api/consultations", json=body, headers=api_token(staff))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "changes",
    [
        {"closes_at": _iso(timedelta(days=-1))},  # closes before it opens
        {"opens_at": "2030-01-01T10:00:00"},  # a naive datetime
        {"questions": []},
        {"arrondissement": 21},
        {"title": "Nul\x00"},
        {"extra": True},
    ],
)
def test_bad_consultations_are_refused(
    client: TestClient, staff: User, api_token: TokenFor, changes: dict[str, Any]
) -> None:
    body = {
        "title": "Consultation",
        "opens_at": _iso(timedelta()),
        "closes_at": _iso(timedelta(days=1)),
        "questions": QUESTIONS,
    } | changes
    refused = client.post("/api/consultations", json=body, headers=api_token(staff))
    assert refused.status_code == 422, refused.text


# Answers ---------------------------------------------------------------------------------


def test_every_kind_is_answered_and_the_answer_read_back(
    client: TestClient, staff: User, resident: User, api_token: TokenFor
) -> None:
    c = create(client, api_token(staff))
    headers = api_token(resident)
    me = f"/api/consultations/{c['id']}/responses/me"
    assert client.get(me, headers=headers).status_code == 404
    saved = answer(client, headers, c["id"], answers(c))
    assert saved.status_code == 201, saved.text
    ids = qids(c)
    mine = client.get(me, headers=headers).json()["answers"]
    assert mine[ids["single"]] == "Oui"
    assert mine[ids["multiple"]] == ["Arbres", "Bancs"]  # in the options' order
    assert mine[ids["ranking"]] == ["Marché", "Piste cyclable", "Aire de jeux"]
    assert mine[ids["scale"]] == 4
    assert mine[ids["text"]] == "Plus d’ombre, s’il vous plaît."
    # The optional question may be left out, or sent empty.
    assert answer(client, headers, c["id"], answers(c, text=None)).status_code == 200
    assert ids["text"] not in client.get(me, headers=headers).json()["answers"]
    assert answer(client, headers, c["id"], answers(c, text="  ")).status_code == 200
    assert client.get(me).status_code == 401


BAD_ANSWERS: dict[str, tuple[str, Any]] = {
    "single not an option": ("single", "Peut-être"),
    "single as a list": ("single", ["Oui"]),
    "single missing": ("single", None),
    "multiple over the maximum": ("multiple", ["Arbres", "Bancs", "Fontaine"]),
    "multiple twice the same": ("multiple", ["Arbres", "Arbres"]),
    "multiple unknown option": ("multiple", ["Arbres", "Piscine"]),
    "multiple as a text": ("multiple", "Arbres"),
    "multiple empty": ("multiple", []),
    "ranking incomplete": ("ranking", ["Marché", "Aire de jeux"]),
    "ranking duplicated": ("ranking", ["Marché", "Marché", "Aire de jeux"]),
    "ranking unknown": ("ranking", ["Marché", "Piscine", "Aire de jeux"]),
    "ranking too long": ("ranking", ["Marché", "Piste cyclable", "Aire de jeux", "Marché"]),
    "scale too high": ("scale", 6),
    "scale too low": ("scale", 0),
    "scale as a text": ("scale", "4"),
    "scale as a boolean": ("scale", True),
    "scale as a decimal": ("scale", 2.5),
    "text too long": ("text", "x" * 5001),
    "text as a number": ("text", 12),
}


@pytest.mark.parametrize(("kind", "value"), BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_bad_answers_are_refused_with_the_question(
    client: TestClient,
    app: FastAPI,
    staff: User,
    resident: User,
    api_token: TokenFor,
    kind: str,
    value: Any,
) -> None:
    c = create(client, api_token(staff))
    refused = answer(client, api_token(resident), c["id"], answers(c, **{kind: value}))
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    if problem["detail"] != "The request does not match the schema.":  # wrong JSON types
        assert [e["loc"] for e in problem["errors"]] == [["answers", qids(c)[kind]]]
    assert response_rows(app, c["id"]) == 0


def test_unknown_questions_and_ids_are_refused(
    client: TestClient, staff: User, resident: User, api_token: TokenFor
) -> None:
    c = create(client, api_token(staff))
    headers = api_token(resident)
    refused = answer(client, headers, c["id"], answers(c) | {"999999": "Oui", "abc": "x"})
    assert refused.status_code == 422
    assert {e["type"] for e in refused.json()["errors"]} == {"unknown_question"}
    assert answer(client, headers, 999_999, answers(c)).status_code == 404
    assert answer(client, headers, 2**40, answers(c)).status_code == 422
    assert (
        client.put(f"/api/consultations/{c['id']}/responses/me", headers=headers).status_code == 422
    )


def test_one_response_per_resident_the_second_replaces_the_first(
    client: TestClient, app: FastAPI, staff: User, resident: User, api_token: TokenFor
) -> None:
    c = create(client, api_token(staff))
    headers = api_token(resident)
    assert answer(client, headers, c["id"], answers(c)).status_code == 201
    second = answer(client, headers, c["id"], answers(c, single="Non", scale=1))
    assert second.status_code == 200
    assert response_rows(app, c["id"]) == 1
    mine = client.get(f"/api/consultations/{c['id']}/responses/me", headers=headers).json()
    assert mine["answers"][qids(c)["single"]] == "Non"
    assert mine["answers"][qids(c)["scale"]] == 1
    assert client.get(f"/api/consultations/{c['id']}").json()["responses"] == 1


def test_a_resident_of_another_arrondissement_may_answer(
    client: TestClient, staff: User, resident: User, api_token: TokenFor
) -> None:
    assert resident.arrondissement == 11
    c = create(client, api_token(staff), arrondissement=4)
    assert answer(client, api_token(resident), c["id"], answers(c)).status_code == 201
    page = client.get(f"/consultations/{c['id']}").text
    assert "4e arrondissement" in page  # the scope is shown, not enforced


def test_an_unconfirmed_account_cannot_answer(
    client: TestClient, staff: User, make_user: Callable[..., User], api_token: TokenFor
) -> None:
    c = create(client, api_token(staff))
    unconfirmed = make_user(Role.RESIDENT, confirmed=False)
    assert answer(client, api_token(unconfirmed), c["id"], answers(c)).status_code == 403


def test_answers_are_refused_before_opening_and_after_closing(
    client: TestClient, app: FastAPI, staff: User, resident: User, api_token: TokenFor
) -> None:
    headers = api_token(resident)
    upcoming = create(client, api_token(staff), opens=timedelta(days=2), closes=timedelta(days=9))
    assert upcoming["state"] == "upcoming"
    early = answer(client, headers, upcoming["id"], answers(upcoming))
    assert early.status_code == 409
    assert "pas encore ouverte" in early.json()["detail"]
    c = create(client, api_token(staff))
    assert answer(client, headers, c["id"], answers(c)).status_code == 201
    close(app, c["id"])
    late = answer(client, headers, c["id"], answers(c, single="Non"))
    assert late.status_code == 409
    assert "est close" in late.json()["detail"]
    assert (
        client.get(f"/api/consultations/{c['id']}/responses/me", headers=headers).json()["answers"][
            qids(c)["single"]
        ]
        == "Oui"
    )  # the answer given in time is kept, unchanged
    sign_in(client, resident)
    page = client.get(f"/consultations/{c['id']}").text
    assert '<form method="post" action="/consultations/' not in page
    refused = form_post(client, f"/consultations/{c['id']}", {f"q{qids(c)['single']}": "Non"})
    assert refused.status_code == 409


# Results ---------------------------------------------------------------------------------


def test_results_are_hidden_until_closing_then_correct(
    client: TestClient,
    app: FastAPI,
    staff: User,
    make_user: Callable[..., User],
    api_token: TokenFor,
) -> None:
    c = create(client, api_token(staff))
    ballots = [
        answers(
            c,
            single="Oui",
            multiple=["Arbres", "Bancs"],
            scale=4,
            text="Plus d’ombre",
            ranking=["Piste cyclable", "Aire de jeux", "Marché"],
        ),
        answers(
            c,
            single="Oui",
            multiple=["Arbres"],
            scale=5,
            text=None,
            ranking=["Aire de jeux", "Piste cyclable", "Marché"],
        ),
        answers(
            c,
            single="Non",
            multiple=["Fontaine", "Arbres"],
            scale=2,
            text="=HYPERLINK(1)",
            ranking=["Piste cyclable", "Marché", "Aire de jeux"],
        ),
    ]
    for ballot in ballots:
        assert answer(client, api_token(make_user()), c["id"], ballot).status_code == 201
    url = f"/api/consultations/{c['id']}/results"
    for headers in ({}, api_token(staff)):
        hidden = client.get(url, headers=headers)
        assert hidden.status_code == 409
        assert hidden.headers["content-type"] == "application/problem+json"
    assert client.get(f"/api/consultations/{c['id']}").json()["responses"] == 3
    page = client.get(f"/consultations/{c['id']}/results").text
    assert "3 réponses pour l’instant" in page
    assert "Piste cyclable" not in page and "<svg" not in page

    close(app, c["id"])
    results = client.get(url).json()
    assert results["responses"] == 3
    single, multiple, ranking, scale, text = results["questions"]
    assert [(o["option"], o["count"], o["share"]) for o in single["options"]] == [
        ("Oui", 2, 0.6667),
        ("Non", 1, 0.3333),
        ("Sans avis", 0, 0.0),
    ]
    assert {o["option"]: o["count"] for o in multiple["options"]} == {
        "Arbres": 3,
        "Bancs": 1,
        "Fontaine": 1,
    }
    assert [
        (r["option"], r["mean_rank"], r["borda"], r["first_choices"]) for r in ranking["ranking"]
    ] == [
        ("Piste cyclable", 1.33, 5, 2),
        ("Aire de jeux", 2.0, 3, 1),
        ("Marché", 2.67, 1, 0),
    ]
    assert (scale["mean"], scale["median"]) == (3.67, 4.0)
    assert [b["count"] for b in scale["histogram"]] == [0, 1, 0, 1, 1]
    assert scale["scale_labels"] == ["Pas du tout", "Très"]
    assert text["answered"] == 2
    assert text["texts"] == ["=HYPERLINK(1)", "Plus d’ombre"]

    page = client.get(f"/consultations/{c['id']}/results")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    assert html.count('<div class="chart" role="img"') == 4  # no chart for free texts
    assert html.count("<caption>") == 4
    assert "Piste cyclable" in html and "Plus d’ombre" in html
    assert "67\u00a0%" in html  # "Oui": 2 of 3


def test_csv_export_is_anonymous_and_open_after_closing(
    client: TestClient,
    app: FastAPI,
    staff: User,
    resident: User,
    make_user: Callable[..., User],
    api_token: TokenFor,
) -> None:
    c = create(client, api_token(staff))
    other = make_user(display_name="Zoé Martin")
    assert answer(client, api_token(resident), c["id"], answers(c)).status_code == 201
    trap = answers(c, single="Non", multiple=["Fontaine"], text='=HYPERLINK("x")', scale=1)
    assert answer(client, api_token(other), c["id"], trap).status_code == 201
    url = f"/consultations/{c['id']}/responses.csv"
    assert client.get(url).status_code == 403  # not yet open data
    sign_in(client, resident)
    assert client.get(url).status_code == 403
    client.cookies.clear()
    sign_in(client, staff)
    assert client.get(url).status_code == 200  # staff follow the answers as they come
    client.cookies.clear()

    close(app, c["id"])
    export = client.get(url)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(export.text), delimiter=";"))
    assert rows[0] == [f"Q{n}. {q['text']}" for n, q in enumerate(QUESTIONS, start=1)]
    assert sorted(rows[1:]) == sorted(
        [
            [
                "Oui",
                "Arbres | Bancs",
                "Marché | Piste cyclable | Aire de jeux",
                "4",
                "Plus d’ombre, s’il vous plaît.",
            ],
            ["Non", "Fontaine", "Marché | Piste cyclable | Aire de jeux", "1", '\'=HYPERLINK("x")'],
        ]
    )
    assert {len(row) for row in rows} == {len(QUESTIONS)}  # no column for who answered
    for secret in (resident.email, resident.display_name, other.email, "Zoé"):
        assert all(secret not in cell for row in rows for cell in row), secret


def test_results_of_a_consultation_without_responses(
    client: TestClient, app: FastAPI, staff: User, api_token: TokenFor
) -> None:
    c = create(client, api_token(staff))
    close(app, c["id"])
    results = client.get(f"/api/consultations/{c['id']}/results").json()
    assert results["responses"] == 0
    single, _multiple, ranking, scale, text = results["questions"]
    assert [o["count"] for o in single["options"]] == [0, 0, 0]
    assert [r["borda"] for r in ranking["ranking"]] == [0, 0, 0]
    assert scale["mean"] is None and scale["median"] is None
    assert text["texts"] == []
    assert client.get(f"/consultations/{c['id']}/results").status_code == 200
    export = client.get(f"/consultations/{c['id']}/responses.csv").text
    assert len(export.splitlines()) == 1  # the header alone


# Pages -----------------------------------------------------------------------------------


def test_the_questionnaire_works_as_a_plain_form(
    client: TestClient, app: FastAPI, staff: User, resident: User, api_token: TokenFor
) -> None:
    c = create(client, api_token(staff))
    ids = qids(c)
    url = f"/consultations/{c['id']}"
    anonymous = client.get(url).text
    assert "/account/signin?next=/consultations/" in anonymous
    assert "11e arrondissement" in anonymous
    sign_in(client, resident)
    page = client.get(url).text
    assert page.count("<fieldset") == 5 and page.count("<legend") == 5
    assert page.count("<h1") == 1
    assert f'name="q{ids["ranking"]}-3"' in page
    bad = form_post(client, url, {f"q{ids['single']}": "Peut-être", f"q{ids['scale']}": "9"})
    assert bad.status_code == 422
    assert 'role="alert"' in bad.text
    assert f'href="#q{ids["single"]}"' in bad.text
    assert f'id="q{ids["scale"]}-error"' in bad.text
    assert "Choisissez un nombre entier de 1 à 5." in bad.text
    data = {
        f"q{ids['single']}": "Non",
        f"q{ids['multiple']}": ["Fontaine", "Bancs"],
        f"q{ids['ranking']}-1": "Aire de jeux",
        f"q{ids['ranking']}-2": "Marché",
        f"q{ids['ranking']}-3": "Piste cyclable",
        f"q{ids['scale']}": "2",
        f"q{ids['text']}": "",
    }
    saved = form_post(client, url, data)
    assert saved.status_code == 303, saved.text
    again = client.get(url).text
    assert 'value="Non" checked' in again
    assert 'value="Fontaine" checked' in again and 'value="Bancs" checked' in again
    assert 'value="Arbres" checked' not in again
    assert f'id="q{ids["ranking"]}-1"' in again
    assert '<option value="Aire de jeux" selected>' in again
    assert 'value="2" checked' in again
    assert "Modifier ma réponse" in again
    # Ranking left half-filled is refused with a message next to the question.
    half = form_post(client, url, data | {f"q{ids['ranking']}-2": ""})
    assert half.status_code == 422
    assert f'id="q{ids["ranking"]}-error"' in half.text
    assert form_post(client, url, data).status_code == 303
    assert response_rows(app, c["id"]) == 1
    forged = client.post(url, data=data | {"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403


def test_the_list_page_and_the_menu(
    client: TestClient, app: FastAPI, staff: User, api_token: TokenFor
) -> None:
    headers = api_token(staff)
    open_one = create(client, headers, title="Consultation ouverte")
    create(
        client,
        headers,
        title="Consultation à venir",
        opens=timedelta(days=3),
        closes=timedelta(days=9),
    )
    closed = create(client, headers, title="Consultation close")
    close(app, closed["id"])
    page = client.get("/consultations")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/consultations" aria-current="page">Consultations</a>' in html
    opened, upcoming, ended = (html.index(t) for t in ("ouverte", "à venir", "Consultation close"))
    assert opened < upcoming < ended
    assert f'href="/consultations/{open_one["id"]}"' in html
    assert "/staff/consultations/new" not in html
    english = client.get("/consultations", headers={"Accept-Language": "en"})
    assert "Open consultations" in english.text or "Consultations" in english.text


QUESTIONS_TEXT = """[choix] Faut-il fermer la place aux voitures le dimanche ?
Oui
Non

[multiple 2] Que voulez-vous sur la place ?
- Arbres
- Bancs
- Fontaine

[classement] Classez ces projets
Piste cyclable
Aire de jeux

[échelle 0-10] La place est-elle agréable ?
Pas du tout
Très

[texte facultatif] Autre chose ?
"""


def test_staff_create_a_consultation_with_the_text_format(client: TestClient, staff: User) -> None:
    sign_in(client, staff)
    form = client.get("/staff/consultations/new")
    assert form.status_code == 200
    assert 'name="questions"' in form.text
    values = {
        "title": "Place de la République",
        "description": "Votre avis compte.",
        "arrondissement": "3",
        "opens_at": "2020-01-01T09:00",
        "closes_at": "2099-01-31T18:00",
        "questions": QUESTIONS_TEXT,
    }
    created = form_post(client, "/staff/consultations/new", values)
    assert created.status_code == 303, created.text
    consultation_id = int(created.headers["location"].rsplit("/", 1)[1])
    c = client.get(f"/api/consultations/{consultation_id}").json()
    assert c["arrondissement"] == 3
    assert c["opens_at"].startswith("2020-01-01T08:00")  # 9:00 in Paris is 8:00 UTC in winter
    kinds = [
        (q["kind"], q["options"], q["max_choices"], q["scale_min"], q["scale_max"], q["required"])
        for q in c["questions"]
    ]
    assert kinds == [
        ("single", ["Oui", "Non"], None, None, None, True),
        ("multiple", ["Arbres", "Bancs", "Fontaine"], 2, None, None, True),
        ("ranking", ["Piste cyclable", "Aire de jeux"], None, None, None, True),
        ("scale", ["Pas du tout", "Très"], None, 0, 10, True),
        ("text", [], None, None, None, False),
    ]
    assert c["questions"][0]["text"] == "Faut-il fermer la place aux voitures le dimanche ?"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_example_of_the_staff_form_is_valid(
    client: TestClient, staff: User, language: str
) -> None:
    sign_in(client, staff)
    client.cookies.set("parvis_lang", language)
    page = client.get("/staff/consultations/new").text
    example = html.unescape(page.split("<pre>")[1].split("</pre>")[0])
    values = {
        "title": "Exemple",
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-01-31T18:00",
        "questions": example,
    }
    created = form_post(client, "/staff/consultations/new", values)
    assert created.status_code == 303, created.text
    c = client.get(created.headers["location"].replace("/consultations", "/api/consultations"))
    kinds = [q["kind"] for q in c.json()["questions"]]
    assert kinds == ["single", "multiple", "ranking", "scale", "text"]


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ("Pas de crochets\nOui\nNon", "Question 1"),
        ("[choix] Bien ?\nOui\nNon\n\n[vote] Quoi ?\nA\nB", "Question 2"),
        ("[choix] Une seule option ?\nOui", "2 à 30 options"),
        ("[échelle 1-50] Note ?", "11 points"),
        ("[texte bizarre] Quoi ?", "bizarre"),
        ("", "Questions"),
    ],
)
def test_the_staff_form_explains_its_errors(
    client: TestClient, staff: User, questions: str, message: str
) -> None:
    sign_in(client, staff)
    values = {
        "title": "Une consultation",
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-01-31T18:00",
        "questions": questions,
    }
    refused = form_post(client, "/staff/consultations/new", values)
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert message in refused.text
    assert "Une consultation" in refused.text  # what was typed is kept


def test_the_staff_form_checks_dates(client: TestClient, staff: User) -> None:
    sign_in(client, staff)
    values = {"title": "Dates", "opens_at": "demain", "closes_at": "2030-01-01T09:00"}
    refused = form_post(
        client, "/staff/consultations/new", values | {"questions": "[texte] Avis ?"}
    )
    assert refused.status_code == 422
    backwards = values | {"opens_at": "2030-02-01T09:00", "questions": "[texte] Avis ?"}
    refused = form_post(client, "/staff/consultations/new", backwards)
    assert refused.status_code == 422
    assert "La consultation doit se clore après son ouverture." in refused.text


# Concurrency -----------------------------------------------------------------------------


def test_twenty_concurrent_submits_leave_one_response(
    client: TestClient,
    app: FastAPI,
    staff: User,
    resident: User,
    api_token: TokenFor,
    live_url: str,
) -> None:
    c = create(client, api_token(staff))
    headers = api_token(resident)
    url = f"{live_url}/api/consultations/{c['id']}/responses/me"
    start = threading.Barrier(20)
    statuses: list[int] = []

    def submit(n: int) -> None:
        body = {"answers": answers(c, scale=1 + n % 5)}
        with httpx.Client(timeout=60) as http:
            start.wait()
            statuses.append(http.put(url, json=body, headers=headers).status_code)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 19 + [201], statuses
    assert response_rows(app, c["id"]) == 1
