"""Getting around in Chromium: plan a journey with the keyboard alone, by clicking the map,
and without JavaScript; the Vélib' stations and the operators' open data."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Web

pytestmark = pytest.mark.browser

JOURNEY_LINES = "#map .leaflet-overlay-pane path"


def test_plan_a_journey_with_the_keyboard_and_see_it_on_the_map(web: Web) -> None:
    page = web.page()
    page.goto("/mobility")
    web.check(page)
    expect(page.locator("h1")).to_have_text("Se déplacer")
    page.locator("#from").focus()
    page.keyboard.type("ERMONT EAUBONNE")
    page.keyboard.press("Tab")
    page.keyboard.type("PARIS SAINT-LAZARE")
    page.locator("#date").fill("2017-01-12")
    page.locator("#time").fill("08:00")
    page.locator("#time").press("Enter")
    page.wait_for_url(re.compile(r"/mobility\?"))
    journeys = page.locator("ol.journeys > li")
    expect(journeys.first).to_be_visible()
    assert journeys.count() >= 1
    first = journeys.first.inner_text()
    assert "ERMONT EAUBONNE" in first
    assert "CO₂" in first
    # The map draws the legs as well as the boundaries.
    expect(page.locator(JOURNEY_LINES).nth(20)).to_be_attached()
    web.check(page)


def test_pick_places_on_the_map_and_ride_a_velib(web: Web) -> None:
    page = web.page()
    page.goto("/mobility?date=2017-01-12&time=08:00")
    web.check(page)
    page.locator("#map").wait_for()
    expect(page.locator("#map .leaflet-overlay-pane path").nth(19)).to_be_attached()
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.4)
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.6)
    origin = page.locator("#from").input_value()
    destination = page.locator("#to").input_value()
    assert re.fullmatch(r"48\.\d+,2\.\d+", origin), origin
    assert re.fullmatch(r"48\.\d+,2\.\d+", destination), destination
    assert origin != destination
    expect(page.locator("#map-status")).to_contain_text("Destination")
    page.locator("form.planner button[type=submit]").click()
    page.wait_for_url(re.compile(r"/mobility\?"))
    expect(page.locator("ol.journeys > li").first).to_be_visible()
    text = page.locator("ol.journeys").inner_text()
    assert "Vélib'" in text or "Marche" in text, text
    web.check(page)


def test_plan_without_javascript_and_stations_and_open_data(web: Web) -> None:
    page = web.page(js=False)
    page.goto("/mobility")
    web.check(page)
    page.fill("#from", "48.8809,2.3553")
    page.fill("#to", "PARIS SAINT-LAZARE")
    page.fill("#date", "2017-01-12")
    page.fill("#time", "08:30")
    page.locator("form.planner button[type=submit]").click()
    page.wait_for_url(re.compile(r"/mobility\?"))
    expect(page.locator("ol.journeys > li").first).to_be_visible()
    web.check(page)

    page.goto("/mobility?from=nulle+part&to=PARIS+SAINT-LAZARE&date=2017-01-12&time=08:00")
    expect(page.locator("[role=alert]")).to_be_visible()
    web.check(page)

    page.goto("/mobility/stations?q=bastille")
    expect(page.locator("table tbody tr").first).to_be_visible()
    web.check(page)
    page.goto("/mobility/operators")
    expect(page.locator("h2", has_text="SNCF Transilien")).to_be_visible()
    expect(page.locator("a[href='/open-data/mobility/velib/gbfs.json']")).to_be_visible()
    web.check(page)


def test_stations_map_shows_the_stations(web: Web) -> None:
    page = web.page()
    page.goto("/mobility/stations")
    expect(
        page.locator("#map .leaflet-overlay-pane path.leaflet-interactive").nth(1000)
    ).to_be_attached()
    web.check(page)
