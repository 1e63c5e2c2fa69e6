"""Participatory budget: editions, feasibility, secret ballots, paper double entry, results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from parvis.kernel.auth import User
from parvis.participation.budgets.models import Ballot, VoterRecord

Tokens = Callable[[User], dict[str, str]]
EDITION: dict[str, Any] = {
    "year": 2027,
    "title": "Budget participatif 2027",
    "ballot_kind": "approval",
    "min_choices": 1,
    "max_choices": 2,
    "rule": "greedy",
    "envelopes": [
        {"kind": "city", "name": "Tout Paris", "budget_eur": 1_000_000},
        {"kind": "arrondissement", "arrondissement": 11, "name": "11e", "budget_eur": 300_000},
        {"kind": "arrondissement", "arrondissement": 12, "name": "12e", "budget_eur": 300_000},
    ],
}


class Budget:
    """A budget driven through the API by a staff member."""

    def __init__(self, client: TestClient, staff: dict[str, str], **changes: Any) -> None:
        self.client, self.staff = client, staff
        response = client.post("/api/budgets", json=EDITION | changes, headers=staff)
        assert response.status_code == 201, response.text
        self.edition = response.json()
        self.envelopes = {e["arrondissement"] or 0: e["id"] for e in self.edition["envelopes"]}

    def add(
        self, arrondissement: int, title: str, cost: int, feasible: bool = True, **extra: Any
    ) -> int:
        body = extra | {
            "envelope_id": self.envelopes[arrondissement],
            "title": title,
            "summary": f"Résumé de {title}",
        }
        response = self.client.post("/api/budgets/projects", json=body, headers=self.staff)
        assert response.status_code == 201, response.text
        project_id: int = response.json()["id"]
        self.phase("co_construction") if self.edition["phase"] == "submission" else None
        review = (
            {"feasibility": "feasible", "cost_eur": cost}
            if feasible
            else {"feasibility": "infeasible", "reason": "Le terrain appartient à l'État."}
        )
        reviewed = self.client.post(
            f"/api/budgets/projects/{project_id}/feasibility", json=review, headers=self.staff
        )
        assert reviewed.status_code == 200, reviewed.text
        return project_id

    def phase(self, phase: str) -> Any:
        response = self.client.post(
            f"/api/budgets/{self.edition['id']}/phase", json={"phase": phase}, headers=self.staff
        )
        if response.status_code == 200:
            self.edition = response.json()
        return response

    def open_vote(self) -> None:
        for phase in ("co_construction", "feasibility", "vote"):
            if self.edition["phase"] != phase:
                assert self.phase(phase).status_code == 200

    def vote(self, headers: dict[str, str], arrondissement: int, *projects: int) -> Any:
        url = f"/api/budgets/envelopes/{self.envelopes[arrondissement]}/ballot"
        return self.client.put(
            url, json={"choices": {str(p): 1 for p in projects}}, headers=headers
        )


@pytest.fixture
def budget(client: TestClient, staff: User, api_token: Tokens) -> Budget:
    return Budget(client, api_token(staff))


def test_only_staff_create_editions_and_they_are_validated(
    client: TestClient, resident: User, staff: User, api_token: Tokens
) -> None:
    assert client.post("/api/budgets", json=EDITION, headers=api_token(resident)).status_code == 403
    headers = api_token(staff)
    two_cities = EDITION | {"envelopes": [EDITION["envelopes"][0]] * 2}
    assert client.post("/api/budgets", json=two_cities, headers=headers).status_code == 422
    bad_choices = EDITION | {"min_choices": 3, "max_choices": 2}
    assert client.post("/api/budgets", json=bad_choices, headers=headers).status_code == 422
    no_points = EDITION | {"ballot_kind": "cumulative"}
    assert client.post("/api/budgets", json=no_points, headers=headers).status_code == 422
    for bad_rule in (
        {"rule": "dictator"},
        {"rule": "greedy", "rule_options": {"x": 1}},
        {"ballot_kind": "majority_judgment"},
    ):
        assert (
            client.post("/api/budgets", json=EDITION | bad_rule, headers=headers).status_code == 422
        )
    assert client.get("/api/budgets").json() == []


def test_phases_move_forward_and_the_vote_needs_every_review(budget: Budget) -> None:
    assert budget.phase("vote").status_code == 422  # one phase at a time
    pending_body = {
        "envelope_id": budget.envelopes[0],
        "title": "Forêt urbaine",
        "summary": "Des arbres",
    }
    budget.client.post("/api/budgets/projects", json=pending_body, headers=budget.staff)
    assert budget.phase("co_construction").status_code == 200
    assert budget.phase("feasibility").status_code == 200
    assert budget.phase("vote").status_code == 409  # a project is not reviewed


def test_residents_vote_city_wide_and_in_one_arrondissement(
    budget: Budget, resident: User, make_user: Callable[..., User], api_token: Tokens, app: FastAPI
) -> None:
    city = budget.add(0, "Piscine sur la Seine", 600_000)
    a11 = budget.add(11, "Jardin Gardette", 100_000)
    a12 = budget.add(12, "Aire de jeux Bercy", 100_000)
    infeasible = budget.add(11, "Téléphérique", 250_000, feasible=False)
    headers = api_token(resident)
    assert budget.vote(headers, 11, a11).status_code == 409  # not yet the vote
    budget.open_vote()
    receipt = budget.vote(headers, 0, city)
    assert receipt.status_code == 200 and len(receipt.json()["receipt"]) == 16
    assert budget.vote(headers, 11, a11).status_code == 200
    refused = budget.vote(headers, 12, a12)
    assert refused.status_code == 403 and "11" in refused.json()["detail"]
    assert budget.vote(headers, 11, infeasible).status_code == 422  # not on the ballot
    assert budget.vote(headers, 11).status_code == 422  # fewer than min_choices
    assert budget.vote(headers, 11, a11, a12).status_code == 422  # a12 is not in this envelope
    assert budget.vote(api_token(make_user(confirmed=False)), 0, city).status_code == 403
    # changing one's mind replaces the ballot
    assert budget.vote(headers, 0, city).status_code == 200
    mine = budget.client.get(
        f"/api/budgets/envelopes/{budget.envelopes[0]}/ballot", headers=headers
    )
    assert mine.json()["choices"] == {str(city): 1}
    with app.state.ctx.sessions() as db:
        ballots = list(db.scalars(select(Ballot)))
        voters = list(db.scalars(select(VoterRecord)))
    assert len(ballots) == 2 and len(voters) == 1 and voters[0].arrondissement == 11
    assert all(not hasattr(b, "user_id") and b.voter_key for b in ballots)
    assert str(resident.id) not in {b.id for b in ballots}


def test_results_are_counted_explained_and_published(
    budget: Budget, make_user: Callable[..., User], api_token: Tokens, app: FastAPI
) -> None:
    place = {"type": "Point", "coordinates": [2.3522, 48.8566]}
    big = budget.add(0, "Piscine sur la Seine", 700_000, location=place)
    small = budget.add(0, "Bancs", 200_000)
    medium = budget.add(0, "Fontaines", 400_000)
    budget.open_vote()
    receipts = []
    for choice in ([big], [big], [big, small], [medium, small], [medium]):
        response = budget.vote(api_token(make_user()), 0, *choice)
        receipts.append(response.json()["receipt"])
    envelope = budget.envelopes[0]
    assert budget.client.get(f"/api/budgets/envelopes/{envelope}/results").status_code == 409
    assert budget.phase("results").status_code == 200
    with app.state.ctx.sessions() as db:
        assert all(b.voter_key is None for b in db.scalars(select(Ballot)))  # unlinkable now
    results = budget.client.get(f"/api/budgets/envelopes/{envelope}/results").json()
    # greedy by votes: big (3) fits, small (2) fits (900k), medium (2) does not fit any more
    assert results["ballots"] == 5 and results["selected"] == sorted([big, small])
    assert results["explanation"]
    projects = budget.client.get(f"/api/budgets/envelopes/{envelope}/projects").json()
    winners = [p for p in projects if p["selected"]]
    assert {p["id"] for p in winners} == {big, small}
    city_project = budget.client.get(f"/api/projects/{winners[0]['city_project_id']}")
    assert city_project.status_code == 200 and city_project.json()["budget_eur"] in (
        700_000,
        200_000,
    )
    pb = budget.client.get(f"/api/budgets/envelopes/{envelope}/ballots.pb")
    assert pb.status_code == 200 and "VOTES" in pb.text and "vote_type;approval" in pb.text
    winners_map = budget.client.get(f"/api/budgets/envelopes/{envelope}/winners.geojson").json()
    assert [f["properties"]["id"] for f in winners_map["features"]] == [big]  # the one placed
    overview = budget.client.get(f"/budgets/{budget.edition['id']}").text
    assert f"/budgets/envelopes/{envelope}/results" in overview
    check = f"/api/budgets/envelopes/{envelope}/receipts/"
    assert budget.client.get(check + receipts[0]).json() == {"counted": True}
    assert budget.client.get(check + "0" * 16).json() == {"counted": False}


def test_paper_ballots_count_once_two_people_typed_them_alike(
    budget: Budget,
    client: TestClient,
    make_user: Callable[..., User],
    api_token: Tokens,
    app: FastAPI,
) -> None:
    from parvis.kernel.auth import Role

    a = budget.add(11, "Jardin Gardette", 100_000)
    b = budget.add(11, "Fresque", 50_000)
    budget.open_vote()
    url = f"/api/budgets/envelopes/{budget.envelopes[11]}/paper"
    first, second, third = (api_token(make_user(Role.STAFF)) for _ in range(3))
    sheet = {"paper_ref": "Mairie du 11e / 0042", "choices": {str(a): 1}}
    assert client.post(url, json=sheet, headers=first).json()["state"] == "waiting"
    assert client.post(url, json=sheet, headers=first).status_code == 409
    assert client.post(url, json=sheet, headers=second).json()["state"] == "counted"
    assert client.post(url, json=sheet, headers=third).json()["state"] == "counted"
    other = {"paper_ref": "Mairie du 11e / 0043", "choices": {str(a): 1}}
    client.post(url, json=other, headers=first)
    mismatch = client.post(url, json=other | {"choices": {str(b): 1}}, headers=second)
    assert mismatch.json()["state"] == "conflict"
    assert client.post(url, json=sheet, headers=api_token(make_user())).status_code == 403
    with app.state.ctx.sessions() as db:
        paper = list(db.scalars(select(Ballot).where(Ballot.channel == "paper")))
    assert [p.paper_ref for p in paper] == ["Mairie du 11e / 0042"]


def test_knapsack_cumulative_and_majority_judgment_ballots(
    client: TestClient, staff: User, resident: User, api_token: Tokens
) -> None:
    staff_h, voter = api_token(staff), api_token(resident)
    knapsack = Budget(client, staff_h, ballot_kind="knapsack", max_choices=None, year=2028)
    k1, k2 = knapsack.add(0, "Grand parc", 800_000), knapsack.add(0, "Petit parc", 300_000)
    knapsack.open_vote()
    over = knapsack.vote(voter, 0, k1, k2)
    assert over.status_code == 422 and "1 000 000" in over.json()["detail"]
    assert knapsack.vote(voter, 0, k1).status_code == 200

    cumulative = Budget(
        client, staff_h, ballot_kind="cumulative", points=10, max_choices=None, year=2029
    )
    c1, c2 = cumulative.add(0, "Projet A", 100), cumulative.add(0, "Projet B", 100)
    cumulative.open_vote()
    url = f"/api/budgets/envelopes/{cumulative.envelopes[0]}/ballot"
    assert (
        client.put(url, json={"choices": {str(c1): 7, str(c2): 4}}, headers=voter).status_code
        == 422
    )
    assert (
        client.put(url, json={"choices": {str(c1): 6, str(c2): 4}}, headers=voter).status_code
        == 200
    )

    judgment = Budget(
        client,
        staff_h,
        ballot_kind="majority_judgment",
        max_choices=None,
        year=2030,
        rule="majority-judgment",
    )
    j1, j2 = judgment.add(0, "Projet A", 100), judgment.add(0, "Projet B", 100)
    judgment.open_vote()
    url = f"/api/budgets/envelopes/{judgment.envelopes[0]}/ballot"
    assert client.put(url, json={"choices": {str(j1): 3}}, headers=voter).status_code == 422
    assert (
        client.put(url, json={"choices": {str(j1): 3, str(j2): 4}}, headers=voter).status_code
        == 422
    )
    assert (
        client.put(url, json={"choices": {str(j1): 3, str(j2): 0}}, headers=voter).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("kind", "rule", "ballots", "winners"),
    [
        # Majority judgment: A's majority grade is "I love it", B's "Why not"; both fit.
        (
            "majority_judgment",
            "majority-judgment",
            [{0: 3, 1: 1}, {0: 3, 1: 1}, {0: 2, 1: 2}],
            [0, 1],
        ),
        # Equal shares: 3 voters for A (cost 600), 1 for B (cost 300); each holds 250 of 1000.
        # A is bought by its 3 supporters (750 ≥ 600); B's supporter alone has 250 < 300,
        # and the add1 completion raises shares until B is affordable within the budget.
        ("approval", "mes-add1", [{0: 1}, {0: 1}, {0: 1}, {1: 1}], [0, 1]),
        # Phragmén on the same ballots buys A first, then B.
        ("approval", "phragmen", [{0: 1}, {0: 1}, {0: 1}, {1: 1}], [0, 1]),
    ],
)
def test_other_rules_count_through_the_api(
    client: TestClient,
    staff: User,
    make_user: Callable[..., User],
    api_token: Tokens,
    kind: str,
    rule: str,
    ballots: list[dict[int, int]],
    winners: list[int],
) -> None:
    budget = Budget(
        client,
        api_token(staff),
        ballot_kind=kind,
        rule=rule,
        max_choices=None,
        envelopes=[{"kind": "city", "name": "Tout Paris", "budget_eur": 1000}],
    )
    ids = [budget.add(0, "Projet A", 600), budget.add(0, "Projet B", 300)]
    budget.open_vote()
    url = f"/api/budgets/envelopes/{budget.envelopes[0]}/ballot"
    for ballot in ballots:
        choices = {str(ids[k]): v for k, v in ballot.items()}
        assert (
            client.put(url, json={"choices": choices}, headers=api_token(make_user())).status_code
            == 200
        )
    assert budget.phase("results").status_code == 200
    results = client.get(f"/api/budgets/envelopes/{budget.envelopes[0]}/results").json()
    assert results["rule"] == rule
    assert results["selected"] == sorted(ids[k] for k in winners)
