"""The open city in Chromium: proposals, the participatory budget, consultations.

One test per feature; the budget test moves the demo edition to its results, so it keeps the
whole story (online and paper ballots, then the count) in one function.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MARKERS, Web, flash

pytestmark = pytest.mark.browser

OTHER_RESIDENT = "habitant@parvis.localhost"  # Hugo Habitant, 20e


def _other_resident(web: Web, *, js: bool = True) -> Any:
    """A page of the second demo resident (signed in once, like the roles of ACCOUNTS)."""
    if "other-resident" not in web.signed_in:
        page = web.page()
        web.sign_in(page, OTHER_RESIDENT)
        web.signed_in["other-resident"] = page.context.storage_state()
        if js:
            return page
    return web.page("other-resident", js=js)


def _tab_to(page: Any, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    pytest.fail(f"Tab never reached #{element_id}")


def _refused(web: Web, page: Any, status: int) -> None:
    """The page was answered with `status` on purpose: Chromium logs it as a console error."""
    expected = f"console error on {page.url}: Failed to load resource: the server responded "
    expected += f"with a status of {status} "
    assert any(p.startswith(expected) for p in web.problems), web.problems
    web.problems = [p for p in web.problems if not p.startswith(expected)]


def _toggle(page: Any, kind: str) -> str:
    """Submit the follow or support form of the page; returns the action it now offers."""
    form = page.locator(f"main form[action$='/{kind}']")
    before = form.locator("input[name=action]").get_attribute("value")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    after = page.locator(f"main form[action$='/{kind}'] input[name=action]").get_attribute("value")
    assert after != before, f"{kind}: still {before!r}"
    assert flash(page).count() == 1
    return str(after)


def _comment(page: Any, text: str) -> str:
    """Publish a comment on the page; returns the CSS id of the comment."""
    page.fill("#comment-body", text)
    with page.expect_navigation():
        page.locator("#comments > form button[type=submit]").click()
    fragment = urlsplit(page.url).fragment
    assert fragment.startswith("comment-"), page.url
    assert page.locator(f"#{fragment} > .comment-body").inner_text() == text
    return "#" + fragment


# Proposals -------------------------------------------------------------------------------


def test_proposals_list_filtered_with_the_keyboard(web: Web) -> None:
    page = web.page()
    page.goto("/")
    page.locator("header nav a[href='/proposals']").click()
    page.wait_for_url("**/proposals")
    expect(page.locator(MARKERS).first).to_be_attached()  # the located proposals
    web.check(page)

    page.locator("main a[href='/proposals/new']").focus()
    _tab_to(page, "arrondissement")
    for _ in range(11):
        page.keyboard.press("ArrowDown")  # "All", then the 1st ... the 11th
    assert page.locator("#arrondissement").input_value() == "11"
    _tab_to(page, "sort")
    page.keyboard.press("ArrowDown")  # most supported first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("rue")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    query = parse_qs(urlsplit(page.url).query)
    assert query["arrondissement"] == ["11"] and query["sort"] == ["supports"]
    assert query["q"] == ["rue"]
    cards = page.locator("main .card")
    assert cards.count() >= 2  # the two demo proposals of the 11th about a street
    for meta in cards.locator("p.meta").filter(has_text="·").all_inner_texts():
        assert meta.startswith("11")
    web.check(page)

    page.locator("#q").fill("aucune proposition ne contient ce mot")
    with page.expect_navigation():
        page.locator("#q").press("Enter")  # implicit submission from the text field
    assert page.locator("main .card").count() == 0
    web.check(page)


def test_make_a_proposal_by_clicking_the_map_then_discuss_it(web: Web) -> None:
    page = web.page("resident")
    page.goto("/proposals")
    page.locator("main a[href='/proposals/new']").click()
    page.wait_for_url("**/proposals/new")
    web.check(page)
    title = f"Un composteur de quartier place Dupleix {uuid.uuid4().hex[:6]}"
    page.fill("#title", title)
    page.fill("#description", "Un composteur partagé, ouvert deux fois par semaine aux voisins.")
    page.select_option("#category", "environment")
    page.locator("#map").click()  # the middle of the map: the middle of Paris
    expect(page.locator("#latitude")).to_have_value(re.compile(r"^48\.8\d+$"))
    expect(page.locator("#longitude")).to_have_value(re.compile(r"^2\.3\d+$"))
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(1)  # the chosen place
    web.check(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    path = urlsplit(page.url).path
    assert re.fullmatch(r"/proposals/\d+", path), page.url
    assert page.locator("h1").inner_text() == title
    assert flash(page).count() == 1
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(1)  # its place
    web.check(page)

    # The author follows it already; a supporter and a discussion.
    assert _toggle(page, "follow") == "follow"
    assert _toggle(page, "follow") == "unfollow"
    assert _toggle(page, "support") == "withdraw"
    assert page.locator("dl.facts dd").first.inner_text() == "1"
    web.check(page)
    comment = _comment(page, "Le square voisin aurait aussi besoin d’un composteur.")
    web.check(page)

    other = _other_resident(web)
    other.goto(path)
    reply_form = other.locator(f"{comment} > details.reply-form")
    reply_form.locator("summary").click()
    reply = "D’accord : on pourrait en demander un pour les deux."
    reply_form.locator("textarea").fill(reply)
    web.check(other)  # the reply form open
    with other.expect_navigation():
        reply_form.locator("button[type=submit]").click()
    fragment = urlsplit(other.url).fragment
    assert fragment.startswith("comment-")
    nested = other.locator(f"{comment} > article.reply#{fragment}")
    assert nested.locator(".comment-body").inner_text() == reply
    assert flash(other).count() == 1
    web.check(other)

    # Signed out: the same page, with an invitation to sign in.
    visitor = web.page()
    visitor.goto(path)
    assert visitor.locator("main form[action$='/support']").count() == 0
    assert visitor.locator(f"main a[href='/account/signin?next={path}']").count() == 2
    assert visitor.locator(f"#{fragment} .comment-body").inner_text() == reply
    web.check(visitor)

    # City staff answer it.
    staff = web.page("staff")
    staff.goto(path)
    web.check(staff)
    staff.check("#state-accepted")
    staff.fill("#answer", "Un composteur sera installé au printemps.")
    with staff.expect_navigation():
        staff.locator("#staff-title ~ form.form button[type=submit]").click()
    assert flash(staff).count() == 1
    assert "Un composteur sera installé" in staff.locator("section.notice").inner_text()
    assert staff.locator("#staff-title").count() == 0  # answered: no more answer form
    assert staff.locator("main form[action$='/support']").count() == 0  # closed to supports
    web.check(staff)


def test_make_a_proposal_without_javascript(web: Web) -> None:
    page = web.page("resident", js=False)
    page.goto("/proposals/new")
    assert page.locator("#map").inner_html() == ""
    web.check(page)
    title = f"Des casiers à colis rue de la Roquette {uuid.uuid4().hex[:6]}"
    page.fill("#title", title)
    page.fill("#description", "Des casiers pour recevoir ses colis sans attendre le facteur.")
    page.select_option("#category", "living")
    page.select_option("#arrondissement", "11")
    page.fill("#latitude", "48,8570")  # a French decimal comma
    page.fill("#longitude", "2.3760")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert re.fullmatch(r"/proposals/\d+", urlsplit(page.url).path), page.url
    assert page.locator("h1").inner_text() == title
    assert flash(page).count() == 1
    assert page.locator("#map[data-feature]").count() == 1
    web.check(page)

    page.goto("/proposals/new")
    page.fill("#title", "Un titre correct")
    page.fill("#description", "Une description assez longue pour passer.")
    page.select_option("#category", "living")
    page.fill("#latitude", "45.76")  # Lyon
    page.fill("#longitude", "4.83")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    _refused(web, page, 422)
    problems = page.locator("#form-errors li").all_inner_texts()
    assert problems and all("Paris" in p for p in problems), problems
    assert page.locator("#title").input_value() == "Un titre correct"  # kept
    web.check(page)


def test_a_reported_proposal_comment_is_linked_from_moderation(web: Web) -> None:
    resident = web.page("resident")
    resident.goto("/proposals?sort=supports")
    resident.locator(".card-title a").first.click()
    resident.wait_for_url(re.compile(r"/proposals/\d+$"))
    path = urlsplit(resident.url).path
    text = f"Un commentaire à signaler ({uuid.uuid4().hex[:6]})."
    comment = _comment(resident, text)
    resident.locator(f"{comment} a[href$='/report']").click()
    resident.wait_for_url("**/report")
    web.check(resident)
    resident.fill("#reason", "Propos déplacés, pour le test.")
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").click()
    assert urlsplit(resident.url).path == path
    assert flash(resident).count() == 1

    moderator = web.page("moderator")
    moderator.goto("/moderation")
    web.check(moderator)
    reported = moderator.locator("main article.comment", has_text=text)
    link = reported.locator("p.meta a")  # "in context"
    assert link.get_attribute("href") == f"{path}{comment}"
    link.click()
    moderator.wait_for_url(f"**{path}{comment}")
    expect(moderator.locator(comment)).to_be_in_viewport()
    web.check(moderator)


# Participatory budget --------------------------------------------------------------------


def _envelope_section(page: Any, name: str) -> Any:
    return page.locator("main section.facet").filter(
        has=page.get_by_role("heading", level=2, name=re.compile(f"^{name} "))
    )


def _vote(page: Any, count: int) -> list[str]:
    """Tick the first `count` projects of the ballot with the keyboard and cast it."""
    boxes = page.locator("main form input[type=checkbox][name=project]")
    ticked = []
    for n in range(count):
        box = boxes.nth(n)
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
        ticked.append(box.get_attribute("value"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").press("Enter")
    return ticked


def test_participatory_budget_vote_paper_ballots_and_results(web: Web) -> None:
    resident = web.page("resident")
    resident.goto("/")
    resident.locator("header nav a[href='/budgets']").click()
    resident.wait_for_url("**/budgets")
    web.check(resident)
    resident.get_by_role("link", name="Budget participatif 2026").click()
    resident.wait_for_url(re.compile(r"/budgets/\d+$"))
    edition_path = urlsplit(resident.url).path
    edition_id = edition_path.rsplit("/", 1)[1]
    assert resident.locator(".phases li[aria-current=step]").count() == 1
    web.check(resident)

    # The city envelope, with the keyboard; the receipt; back to the ballot, pre-ticked.
    _envelope_section(resident, "Tout Paris").get_by_role("link").first.click()
    resident.wait_for_url("**/vote")
    city_ballot = urlsplit(resident.url).path
    city_envelope = city_ballot.split("/")[3]
    infeasible = "Un téléphérique de Belleville à Montmartre"
    assert resident.get_by_label(infeasible).count() == 0  # not on the ballot
    assert resident.locator("main form input[type=checkbox]").count() == 3
    web.check(resident)
    ticked = _vote(resident, 2)
    receipt = resident.locator("code.receipt").inner_text()
    assert re.fullmatch(r"[0-9a-f]{16}", receipt)
    web.check(resident)
    resident.goto(city_ballot)
    boxes = resident.locator("main form input[type=checkbox][name=project]")
    assert [b.get_attribute("value") for b in boxes.all() if b.is_checked()] == ticked
    web.check(resident)

    # An arrondissement without JavaScript: the 11th (she lives in the 18th: any one will do).
    nojs = web.page("resident", js=False)
    nojs.goto(edition_path)
    with nojs.expect_navigation():
        _envelope_section(nojs, "Paris 11e").get_by_role("link").first.click()
    web.check(nojs)
    nojs.locator("main form input[type=checkbox][name=project]").first.check()
    with nojs.expect_navigation():
        nojs.locator("main form button[type=submit]").click()
    assert re.fullmatch(r"[0-9a-f]{16}", nojs.locator("code.receipt").inner_text())
    web.check(nojs)
    nojs.goto(edition_path)
    assert "11e" in nojs.locator("main .notice").inner_text()
    assert _envelope_section(nojs, "Paris 18e").get_by_role("link").count() == 0
    web.check(nojs)
    # The 18th by its address: refused, and said so.
    paris_18 = _envelope_section(nojs, "Paris 18e").get_attribute("aria-labelledby")
    assert paris_18 is not None
    nojs.goto(f"/budgets/envelopes/{paris_18.removeprefix('envelope-')}/vote")
    nojs.locator("main form input[type=checkbox][name=project]").first.check()
    with nojs.expect_navigation():
        nojs.locator("main form button[type=submit]").click()
    _refused(web, nojs, 403)
    error = nojs.locator("main .error-box[role=alert]")
    assert "11e" in error.inner_text()  # where she votes
    web.check(nojs)

    # Paper ballots: typed by two people, the sheet counts.
    staff = web.page("staff")
    staff.goto(edition_path)
    staff.locator(f"main a[href='/staff/budgets/{edition_id}']").click()
    staff.wait_for_url(f"**/staff/budgets/{edition_id}")
    web.check(staff)
    paper = f"/staff/budgets/envelopes/{city_envelope}/paper"
    staff.locator(f"main a[href='{paper}']").click()
    staff.wait_for_url(f"**{paper}")
    web.check(staff)
    sheet = f"Bureau 11-03 feuille {uuid.uuid4().hex[:4]}"

    def type_sheet(page: Any) -> None:
        page.fill("#paper_ref", sheet)
        page.locator("main form input[type=checkbox][name=project]").nth(1).check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

    type_sheet(staff)
    assert sheet in flash(staff).inner_text()
    row = staff.locator("main table tbody tr", has_text=sheet)
    assert row.locator("td").first.inner_text() == "1"
    web.check(staff)
    admin = web.page("admin")
    admin.goto(paper)
    type_sheet(admin)
    row = admin.locator("main table tbody tr", has_text=sheet)
    assert row.locator("td").first.inner_text() == "2"
    assert row.locator("td").nth(1).inner_text() == "pris en compte"
    web.check(admin)

    # The vote closes; the results of the city envelope.
    staff.goto(f"/staff/budgets/{edition_id}")
    with staff.expect_navigation():
        staff.locator(f"main form[action='/staff/budgets/{edition_id}/phase'] button").click()
    assert flash(staff).count() == 1
    web.check(staff)
    staff.goto(edition_path)
    results_link = staff.locator("main table a", has_text="Tout Paris")
    web.check(staff)
    results_path = f"/budgets/envelopes/{city_envelope}/results"
    with staff.expect_response(re.compile(r"/winners\.geojson$")) as winners:
        results_link.click()
    staff.wait_for_url(f"**{results_path}")
    assert winners.value.ok and winners.value.json()["type"] == "FeatureCollection"
    assert staff.locator("main table.results tbody tr").count() == 3
    assert staff.locator("main table.results strong").count() >= 1  # a winner
    assert int(staff.locator("#budget-used").get_attribute("value") or 0) > 0
    web.check(staff)

    resident.goto(results_path)
    web.check(resident)
    resident.fill("#receipt", receipt)
    with resident.expect_navigation():
        resident.locator("#receipt").press("Enter")
    assert resident.locator("main p[role=status]").inner_text() == (
        "Ce bulletin a bien été pris en compte."
    )
    web.check(resident)


# Consultations ---------------------------------------------------------------------------


def _paris_time(delta: timedelta) -> str:
    return (datetime.now(ZoneInfo("Europe/Paris")) + delta).strftime("%Y-%m-%dT%H:%M")


def _answer_with_the_keyboard(page: Any) -> None:
    for fieldset in page.locator("main form.questionnaire fieldset.question").all():
        first = fieldset.locator("input, select, textarea").first
        kind = first.evaluate("e => e.type")
        first.focus()
        if kind == "radio":  # single choice or scale: arrows move and choose
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowLeft")
            assert first.is_checked()
        elif kind == "checkbox":
            page.keyboard.press("Space")
            page.keyboard.press("Tab")
            page.keyboard.press("Space")
        elif kind.startswith("select"):
            selects = fieldset.locator("select")
            for n in range(selects.count()):
                selects.nth(n).focus()
                for _ in range(n + 1):
                    page.keyboard.press("ArrowDown")  # rank n + 1: the option n + 1
        else:
            page.keyboard.type("Plus de lumière le soir, s’il vous plaît.")


def test_consultation_created_by_staff_and_answered(web: Web) -> None:
    staff = web.page("staff")
    staff.goto("/consultations")
    web.check(staff)
    staff.locator("main a[href='/staff/consultations/new']").click()
    staff.wait_for_url("**/staff/consultations/new")
    web.check(staff)
    title = f"L’avenir de la place Léon-Blum {uuid.uuid4().hex[:6]}"
    staff.fill("#title", title)
    staff.fill("#description", "La mairie veut **votre avis** avant les travaux.")
    staff.select_option("#arrondissement", "11")
    staff.fill("#opens_at", _paris_time(timedelta(hours=-1)))
    staff.fill("#closes_at", _paris_time(timedelta(days=30)))
    staff.fill("#questions", staff.locator("#questions-help pre").inner_text())
    with staff.expect_navigation():
        staff.locator("main form button[type=submit]").click()
    path = urlsplit(staff.url).path
    assert re.fullmatch(r"/consultations/\d+", path), staff.url
    assert flash(staff).count() == 1
    assert staff.locator("fieldset.question").count() == 5
    web.check(staff)

    resident = web.page("resident")
    resident.goto("/consultations")
    web.check(resident)
    resident.get_by_role("link", name=title).click()
    resident.wait_for_url(f"**{path}")
    web.check(resident)
    _answer_with_the_keyboard(resident)
    web.check(resident)  # everything answered
    with resident.expect_navigation():
        resident.locator("main form.questionnaire button[type=submit]").press("Enter")
    assert flash(resident).count() == 1
    assert resident.locator("main form.questionnaire input:checked").count() == 4
    web.check(resident)

    # Without JavaScript, another resident: three options where two at most are allowed
    # (no HTML constraint says so), the error beside its question, then a right answer.
    other = _other_resident(web, js=False)
    other.goto(path)
    web.check(other)
    questions = other.locator("main form.questionnaire fieldset.question")
    questions.nth(0).locator("input").nth(1).check()
    for n in range(3):
        questions.nth(1).locator("input").nth(n).check()
    ranks = questions.nth(2).locator("select")
    options = ranks.first.locator("option").all_inner_texts()[1:]
    for n, option in enumerate(reversed(options)):
        ranks.nth(n).select_option(option)
    questions.nth(3).locator("input").nth(4).check()
    with other.expect_navigation():
        other.locator("main form.questionnaire button[type=submit]").click()
    _refused(web, other, 422)
    multiple = questions.nth(1)
    error_id = f"{multiple.get_attribute('id')}-error"
    assert other.locator(f"#form-errors a[href='#{multiple.get_attribute('id')}']").count() == 1
    assert multiple.locator(f"#{error_id}").count() == 1
    assert error_id in (multiple.locator("input").first.get_attribute("aria-describedby") or "")
    assert questions.nth(3).locator("input").nth(4).is_checked()  # the other answers kept
    web.check(other)
    multiple.locator("input").nth(2).uncheck()
    with other.expect_navigation():
        other.locator("main form.questionnaire button[type=submit]").click()
    assert other.locator("#form-errors").count() == 0  # the text question is optional
    assert flash(other).count() == 1
    web.check(other)
