"""The sensing pages in Chromium: axe-core finds nothing on the list, a sensor, an actuator and
a chart (with and without JavaScript); the map draws a marker per Thing; the period of a chart
is chosen and moved with the keyboard alone.

A server of its own (SQLite, migrations, the territory and the Things of test_pages.py), so
that the pages show known data whatever the demo holds."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, Web
from tests.sensing.test_pages import add_sensing

pytestmark = pytest.mark.browser

MARKERS = "#map .leaflet-overlay-pane path.leaflet-interactive"


@pytest.fixture(scope="module")
def sensing_server(
    chromium: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, dict[str, int]]]:
    from parvis.app import create_app
    from parvis.cli import upgrade_database
    from parvis.kernel.settings import Settings
    from parvis.territory.actions import load_territory

    folder = tmp_path_factory.mktemp("sensing-browser")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        environment="test",  # type: ignore[arg-type]
        database_url=f"sqlite:///{folder / 'parvis.db'}",
        outbox_dir=folder / "outbox",
        storage_url=f"file://{folder / 'uploads'}",
        base_url=url,
        jobs_in_process=True,
        secure_cookies=True,
        _env_file=None,  # type: ignore[call-arg]
    )
    upgrade_database(settings)
    app = create_app(settings)
    with app.state.ctx.sessions() as db:
        load_territory(db)
    ids = add_sensing(app.state.ctx.engine)
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the sensing test server did not start")
        time.sleep(0.02)
    yield LiveServer(url, settings, server, thread), ids
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


@pytest.fixture
def web(
    browser: Any,
    sensing_server: tuple[LiveServer, dict[str, int]],
) -> Iterator[Web]:
    helper = Web(browser, sensing_server[0], {})
    yield helper
    try:
        helper.assert_clean()
    finally:
        helper.close()


@pytest.fixture
def ids(sensing_server: tuple[LiveServer, dict[str, int]]) -> dict[str, int]:
    return sensing_server[1]


def tab_to(page: Any, selector: str, most: int = 8) -> None:
    """Tab forward until `selector` has the focus (a date field has a stop per part)."""
    target = page.locator(selector)
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} never got the focus")


def follow(page: Any, name: str) -> None:
    """Focus a link by its text and press Enter."""
    page.get_by_role("link", name=name, exact=True).focus()
    page.keyboard.press("Enter")


def test_the_map_the_list_and_a_marker(web: Web, ids: dict[str, int]) -> None:
    page = web.page()
    page.goto("/sensing")
    expect(page.locator("h1")).to_have_text("Capteurs et actionneurs de la ville")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator(MARKERS)).to_have_count(2)  # one per public Thing with a place
    web.check(page)
    page.locator(MARKERS).first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content a")
    expect(popup).to_be_visible()
    assert popup.get_attribute("href") in (
        f"/sensing/things/{ids['station']}",
        f"/sensing/things/{ids['light']}",
    )
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
    web.check(page)
    # The list works from the keyboard: the name of a Thing leads to its page.
    page.locator("main table a", has_text="Station de test Bastille").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/sensing/things/{ids['station']}$"))
    expect(page.locator(MARKERS)).to_have_count(1)
    web.check(page)


def test_an_actuator_page(web: Web, ids: dict[str, int]) -> None:
    page = web.page()
    page.goto(f"/sensing/things/{ids['light']}")
    expect(page.locator("h2", has_text="Ce qu’on peut lui demander")).to_be_visible()
    expect(page.locator("main table").nth(1).locator("tbody tr")).to_have_count(3)
    web.check(page)


def test_choose_and_move_the_period_with_the_keyboard(web: Web, ids: dict[str, int]) -> None:
    page = web.page()
    page.goto(f"/sensing/datastreams/{ids['nox']}")
    expect(page.locator("main svg[role=img] polyline")).to_have_count(1)
    web.check(page)
    # The dates typed in the fields: Chromium orders day and month as its own interface
    # language does, so the days are also their months (1 January, 2 February).
    page.locator("#start").focus()
    page.keyboard.type("01012025")
    tab_to(page, "#end")
    page.keyboard.type("02022025")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"start=2025-01-01&end=2025-02-02"))
    expect(page.locator("h2#observations")).to_contain_text("du 1 janvier 2025 au 2 février 2025")
    expect(page.locator("details summary")).to_contain_text("720 points")
    web.check(page)
    # The table of the points opens from the keyboard.
    page.locator("details summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("details table tbody tr").first).to_be_visible()
    # A quick period, the way back to the data and the period before, by their links.
    follow(page, "Jour")
    page.wait_for_url(re.compile(r"start=2025-02-02&end=2025-02-02"))
    expect(page.locator("main p[role=status]")).to_contain_text("Aucune observation")
    web.check(page)
    follow(page, "Voir la dernière semaine de données")
    page.wait_for_url(re.compile(r"start=2025-01-24&end=2025-01-30"))
    follow(page, "Période précédente")
    page.wait_for_url(re.compile(r"start=2025-01-17&end=2025-01-23"))
    expect(page.locator("details summary")).to_contain_text("168 points")
    web.check(page)


def test_the_chart_without_javascript(web: Web, ids: dict[str, int]) -> None:
    page = web.page(js=False)
    page.goto(f"/sensing/datastreams/{ids['co']}?start=2025-01-01&end=2025-01-31")
    expect(page.locator("main svg[role=img] polyline").first).to_be_attached()
    web.check(page)
    page.goto("/sensing")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    web.check(page)
