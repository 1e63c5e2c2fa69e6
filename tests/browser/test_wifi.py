"""The Wi-Fi backbone in Chromium: coverage map and table, a plan computed by staff."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Web

pytestmark = pytest.mark.browser


def test_coverage_map_and_table(web: Web) -> None:
    page = web.page()
    page.goto("/wifi")
    expect(page.locator("main > table tbody tr")).to_have_count(20)
    # covered and uncovered cells, then the sites, are drawn over the boundaries
    expect(page.locator("#map .leaflet-overlay-pane path").nth(300)).to_be_attached()
    web.check(page)
    page.select_option("#radius", "150")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"radius=150"))
    expect(page.locator("p[role=status]")).to_contain_text("150")
    web.check(page)


def test_staff_computes_a_plan_and_compares_it(web: Web) -> None:
    page = web.page("staff")
    page.goto("/wifi/plans/new")
    web.check(page)
    page.fill("#title", "Vingt bornes aux carrefours")
    page.fill("#new_sites", "20")
    page.check("#kind-crossing")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/wifi/plans/\d+$"))
    expect(page.locator("h1")).to_have_text("Vingt bornes aux carrefours")
    expect(
        page.locator("#map .leaflet-overlay-pane path.leaflet-interactive").nth(290)
    ).to_be_attached()
    web.check(page)
    page.goto("/wifi/plans")
    page.locator("input[name=compare]").first.check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("table caption")).to_be_visible()
    web.check(page)


def test_plan_form_without_javascript_reports_errors(web: Web) -> None:
    page = web.page("staff", js=False)
    page.goto("/wifi/plans/new")
    page.fill("#title", "Sans nombre")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[role=alert]")).to_be_visible()
    # The page answered 422 on purpose: Chromium logs it as a console error.
    expected = f"console error on {page.url}: Failed to load resource: the server responded "
    assert any(p.startswith(expected) and "422" in p for p in web.problems), web.problems
    web.problems = [p for p in web.problems if not p.startswith(expected)]
    web.check(page)
