"""A visitor in Chromium: sign-up and confirmation by mail, languages, keyboard, the map."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BOUNDARIES, MARKERS, LiveServer, Web, confirmation_link, flash

pytestmark = pytest.mark.browser


def test_sign_up_then_confirm_from_the_mail(web: Web, live_server: LiveServer) -> None:
    page = web.page()
    page.goto("/")
    web.check(page)
    page.locator("header a[href='/account/signup']").click()
    assert page.url.endswith("/account/signup")
    web.check(page)
    address = f"visiteuse-{uuid.uuid4().hex[:8]}@example.org"
    page.fill("#display_name", "Visiteuse Navigateur")
    page.fill("#email", address)
    page.fill("#password", "un mot de passe assez long")
    page.select_option("#arrondissement", "11")
    page.locator("main form button[type=submit]").click()

    assert urlsplit(page.url).path == "/account"
    assert page.locator("header a[href='/account']").inner_text() == "Visiteuse Navigateur"
    assert flash(page).count() == 1
    assert page.locator("main .notice").count() == 1  # not confirmed yet
    assert page.locator("#arrondissement").input_value() == "11"
    web.check(page)

    mails = live_server.mails_to(address)
    assert len(mails) == 1, "the confirmation mail was not written to the outbox"
    page.goto(confirmation_link(mails[0], live_server.url))
    assert urlsplit(page.url).path == "/account"
    assert flash(page).count() == 1
    assert page.locator("main .notice").count() == 0  # confirmed
    web.check(page)

    page.goto("/account/data")
    assert page.locator("#confirm_email").count() == 1
    web.check(page)
    page.goto("/notifications")
    web.check(page)


def test_language_switcher_and_html_lang(web: Web) -> None:
    page = web.page()
    page.goto("/projects?status=idea")
    assert page.locator("html").get_attribute("lang") == "fr"
    french = page.locator(".languages a[hreflang=fr]")
    assert french.get_attribute("aria-current") == "true"
    web.check(page)

    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert urlsplit(page.url).path == "/projects"
    assert parse_qs(urlsplit(page.url).query) == {"status": ["idea"]}
    assert page.locator("#status").input_value() == "idea"
    assert page.locator("h1").inner_text() == "City projects"
    assert page.locator(".languages a[hreflang=en]").get_attribute("aria-current") == "true"
    web.check(page)

    page.goto("/account/signin")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    web.check(page)

    page.get_by_role("link", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert urlsplit(page.url).path == "/account/signin"
    assert page.locator(".languages a[hreflang=fr]").get_attribute("aria-current") == "true"
    web.check(page)


def test_english_speaking_browser_gets_english_first(web: Web) -> None:
    page = web.page(locale="en-GB")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    web.check(page)


def test_skip_link_and_filters_with_the_keyboard_alone(web: Web) -> None:
    page = web.page()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()  # shown while focused
    web.check(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")

    page.goto("/projects")
    expect(page.locator(BOUNDARIES)).to_have_count(20)
    title = page.locator(".card-title a").first.inner_text()
    word = max(title.split(), key=len)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "status":
            break
    else:
        pytest.fail("Tab never reached the stage filter")
    page.keyboard.press("ArrowDown")  # first stage after "all"
    chosen = page.locator("#status").input_value()
    assert chosen
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "arrondissement"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(word)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    query = parse_qs(urlsplit(page.url).query)
    assert query["status"] == [chosen] and query["q"] == [word]
    assert page.locator("#q").input_value() == word
    web.check(page)

    page.locator("#status").focus()
    page.keyboard.press("Home")  # back to "all stages"
    page.locator("#q").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from a text field
    query = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
    assert query["status"] == [""] and query["q"] == [word]
    assert page.locator(".card-title a", has_text=title).count() == 1
    web.check(page)


def test_project_map_draws_the_arrondissements_and_the_projects(web: Web) -> None:
    page = web.page()
    page.goto("/projects")
    expect(page.locator(BOUNDARIES)).to_have_count(20)
    expect(page.locator(MARKERS).first).to_be_attached()
    web.check(page)
    # Leaflet speaks the language of the page.
    map_ = page.locator("#map")
    zoom_in = page.locator("#map a.leaflet-control-zoom-in")
    assert zoom_in.get_attribute("aria-label") == map_.get_attribute("data-zoom-in")
    assert zoom_in.get_attribute("aria-label") != "Zoom in"  # French page: translated
    leaflet = page.locator("#map .leaflet-control-attribution a[href='https://leafletjs.com']")
    assert leaflet.get_attribute("lang") == "en"
    page.locator(MARKERS).first.click()
    popup = page.locator("#map .leaflet-popup")
    expect(popup.locator(".leaflet-popup-content a[href^='/projects/']")).to_be_visible()
    expect(popup).to_have_css("opacity", "1")  # faded in: axe measures the final contrast
    close = popup.locator(".leaflet-popup-close-button")
    assert close.get_attribute("aria-label") == map_.get_attribute("data-close")
    web.check(page)
    close.click()
    expect(popup).to_have_count(0)

    page.goto("/projects?arrondissement=18")
    expect(page.locator(BOUNDARIES)).to_have_count(20)
    assert page.locator("#arrondissement").input_value() == "18"
    web.check(page)

    page.locator(".card-title a").first.click()
    assert urlsplit(page.url).path.startswith("/projects/")
    web.check(page)


def test_api_docs_render(web: Web) -> None:
    page = web.page()
    page.goto("/api/docs")  # Swagger UI is vendored third-party markup: exempt from axe
    page.wait_for_selector("#swagger-ui .opblock")
    assert page.locator("#swagger-ui .opblock").count() > 3
    web.assert_clean()


def test_the_checks_catch_what_they_should(web: Web) -> None:
    """The harness itself: an unlabelled field and a console error must not pass."""
    page = web.page()
    page.goto("/account/signin")
    page.evaluate("document.querySelector('label[for=email]').remove()")
    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        web.check(page)
    page.goto("/no-such-page")
    with pytest.raises(AssertionError, match="404"):
        web.assert_clean()
    nojs = web.page(js=False)
    nojs.goto("/account/signin")
    nojs.evaluate("document.querySelector('label[for=email]').remove()")
    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        web.check(nojs)
