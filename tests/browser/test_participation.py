"""A resident in Chromium: follow, support and comment (without JavaScript), report, moderate."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest

from parvis.demo import DEMO_PASSWORD
from tests.browser.conftest import ACCOUNTS, Web, flash

pytestmark = pytest.mark.browser


def _press(page: Any, kind: str) -> str:
    """Submit the follow or support form; returns the action its button now offers."""
    form = page.locator(f"main form[action$='/{kind}']")
    before = form.locator("input[name=action]").get_attribute("value")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    after = page.locator(f"main form[action$='/{kind}'] input[name=action]").get_attribute("value")
    assert after != before, f"{kind}: still {before!r}"
    assert flash(page).count() == 1
    return str(after)


def test_resident_follows_supports_and_comments_without_javascript(web: Web) -> None:
    page = web.page(js=False)
    page.goto("/projects")
    assert page.locator("#map").inner_html() == ""  # no script ran: the list says it all
    web.check(page)
    with page.expect_navigation():
        page.locator(".card-title a").first.click()
    project_path = urlsplit(page.url).path
    assert project_path.startswith("/projects/")
    assert page.locator("main form[action$='/follow']").count() == 0  # signed out
    web.check(page)

    with page.expect_navigation():
        page.locator(f"main a[href='/account/signin?next={project_path}']").first.click()
    web.check(page)
    page.fill("#email", ACCOUNTS["resident"])
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert urlsplit(page.url).path == project_path  # back where the visitor was
    assert page.locator("header form[action='/account/signout']").count() == 1
    web.check(page)

    if _press(page, "follow") == "follow":  # the demo resident followed it already
        _press(page, "follow")
    assert (
        page.locator("main form[action$='/follow'] input[name=action]").get_attribute("value")
        == "unfollow"
    )
    web.check(page)
    if _press(page, "support") == "support":
        _press(page, "support")
    web.check(page)

    text = f"Une remarque écrite dans Chromium sans JavaScript ({uuid.uuid4().hex[:6]})."
    page.fill("#comment-body", text)
    with page.expect_navigation():
        page.locator("#comments form button[type=submit]").click()
    fragment = urlsplit(page.url).fragment
    assert fragment.startswith("comment-")
    assert page.locator(f"#{fragment} .comment-body").inner_text() == text
    assert flash(page).count() == 1
    web.check(page)


def test_resident_reports_a_comment_and_a_moderator_hides_it(web: Web) -> None:
    resident = web.page("resident")
    resident.goto("/projects")
    resident.locator(".card-title a").nth(1).click()
    resident.wait_for_load_state()
    project_path = urlsplit(resident.url).path
    text = f"Un commentaire qui sera masqué ({uuid.uuid4().hex[:6]})."
    resident.fill("#comment-body", text)
    resident.locator("#comments form button[type=submit]").click()
    resident.wait_for_url(lambda url: "#comment-" in url)
    comment = "#" + urlsplit(resident.url).fragment
    resident.locator(f"{comment} a[href$='/report']").click()
    resident.wait_for_url("**/report")
    web.check(resident)
    resident.fill("#reason", "Hors sujet, pour le test.")
    resident.locator("main form button[type=submit]").click()
    resident.wait_for_url(f"**{project_path}{comment}")
    assert flash(resident).count() == 1
    web.check(resident)

    moderator = web.page("moderator")
    moderator.goto("/")
    moderator.locator("header nav a[href='/moderation']").click()
    moderator.wait_for_url("**/moderation")
    web.check(moderator)
    reported = moderator.locator("main article.comment", has_text=text)
    assert reported.count() == 1
    reported.locator("input[name=reason]").fill("Hors sujet")
    reported.locator("button[value=hide]").click()
    moderator.wait_for_load_state()
    assert flash(moderator).count() == 1
    assert (
        moderator.locator("main article.comment", has_text=text)
        .locator("button[value=restore]")
        .count()
        == 1
    )
    web.check(moderator)

    moderator.goto(project_path)
    assert moderator.locator(f"{comment} .moderated").count() == 1
    assert moderator.locator(f"{comment} .comment-body").count() == 0
    web.check(moderator)
