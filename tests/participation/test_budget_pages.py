"""The participatory budget through its pages: staff set it up, residents vote with forms."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from parvis.kernel.auth import Role, User
from tests.conftest import csrf, sign_in


def post(client: TestClient, url: str, data: dict[str, str | list[str]]) -> tuple[int, str]:
    response = client.post(url, data=data | {"csrf_token": csrf(client)}, follow_redirects=False)
    return response.status_code, response.text


def test_a_budget_from_creation_to_the_paper_ballots(
    client: TestClient, staff: User, resident: User, make_user: Callable[..., User]
) -> None:
    sign_in(client, staff)
    status, _ = post(
        client,
        "/staff/budgets/new",
        {"year": "2027", "title": "BP 2027", "ballot_kind": "approval"},
    )
    assert status == 422  # no envelope
    created = client.post(
        "/staff/budgets/new",
        data={
            "year": "2027",
            "title": "Budget participatif 2027",
            "ballot_kind": "approval",
            "min_choices": "1",
            "max_choices": "3",
            "rule": "greedy",
            "city_budget": "1 000 000",
            "budget_11": "300000",
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    manage = created.headers["location"]
    edition_id = manage.rsplit("/", 1)[1]
    page = client.get(manage).text
    envelope_ids = re.findall(r'<option value="(\d+)">', page)
    assert len(envelope_ids) == 2
    city = envelope_ids[0]
    for title in ("Piscine flottante", "Forêt urbaine"):
        status, _ = post(
            client,
            f"/staff/budgets/{edition_id}/projects",
            {"envelope_id": city, "title": title, "summary": f"Résumé : {title}"},
        )
        assert status == 303
    assert post(client, f"/staff/budgets/{edition_id}/phase", {"phase": "vote"})[0] == 422
    assert (
        post(client, f"/staff/budgets/{edition_id}/phase", {"phase": "co_construction"})[0] == 303
    )
    found = re.findall(r'id="project-(\d+)">\s*<h3>([^<]+)</h3>', client.get(manage).text)
    by_title = {title: pid for pid, title in found}
    project_ids = [by_title["Piscine flottante"], by_title["Forêt urbaine"]]
    assert (
        post(
            client,
            f"/staff/budgets/projects/{project_ids[0]}/feasibility",
            {"feasibility": "feasible", "cost_eur": "400 000"},
        )[0]
        == 303
    )
    assert (
        post(
            client,
            f"/staff/budgets/projects/{project_ids[1]}/feasibility",
            {"feasibility": "infeasible", "reason": "court"},
        )[0]
        == 422
    )
    assert (
        post(
            client,
            f"/staff/budgets/projects/{project_ids[1]}/feasibility",
            {"feasibility": "infeasible", "reason": "Le site est inondable."},
        )[0]
        == 303
    )
    for phase in ("feasibility", "vote"):
        assert post(client, f"/staff/budgets/{edition_id}/phase", {"phase": phase})[0] == 303
    public = client.get(f"/budgets/{edition_id}").text
    assert "Le site est inondable." in public and "Forêt urbaine" in public

    client.cookies.clear()
    sign_in(client, resident)
    ballot = client.get(f"/budgets/envelopes/{city}/vote")
    assert ballot.status_code == 200
    assert "Piscine flottante" in ballot.text and "Forêt urbaine" not in ballot.text  # infeasible
    status, text = post(client, f"/budgets/envelopes/{city}/vote", {"project": [project_ids[1]]})
    assert status == 422 and 'role="alert"' in text
    status, text = post(client, f"/budgets/envelopes/{city}/vote", {"project": [project_ids[0]]})
    assert status == 200 and re.search(r'<code class="receipt">[0-9a-f]{16}</code>', text)
    again = client.get(f"/budgets/envelopes/{city}/vote").text
    assert "checked" in again  # the voter sees their own ballot while the vote is open
    assert client.get(f"/budgets/envelopes/{city}/results").status_code == 409

    client.cookies.clear()
    first, second = make_user(Role.STAFF), make_user(Role.STAFF)
    for clerk in (first, second):
        client.cookies.clear()
        sign_in(client, clerk)
        status, text = post(
            client,
            f"/staff/budgets/envelopes/{city}/paper",
            {"paper_ref": "Mairie 11 / 7", "project": [project_ids[0]]},
        )
        assert status == 200
    assert "Mairie 11 / 7 is counted" in text or "Mairie 11 / 7" in text
    sheets = client.get(f"/staff/budgets/envelopes/{city}/paper").text
    assert "Mairie 11 / 7" in sheets
