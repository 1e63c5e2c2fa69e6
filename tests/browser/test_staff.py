"""City staff and administrators in Chromium: a project from its creation to its journal."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Web, flash

pytestmark = pytest.mark.browser


def test_staff_creates_a_project_moves_it_and_posts_an_update(web: Web) -> None:
    staff = web.page("staff")
    staff.goto("/")
    staff.locator("header nav a[href='/staff/projects/new']").click()
    staff.wait_for_url("**/staff/projects/new")
    web.check(staff)
    title = f"Jardin partagé de la rue Oberkampf {uuid.uuid4().hex[:6]}"
    staff.fill("#title", title)
    staff.fill("#summary", "Un jardin ouvert aux habitants, géré avec une association.")
    staff.fill("#description", "Des **bacs** et un *composteur*.")
    staff.fill("#department", "Direction des espaces verts")
    staff.check("#arr-11")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url("**/projects/*")
    project_path = urlsplit(staff.url).path
    assert staff.locator("h1").inner_text() == title
    assert flash(staff).count() == 1
    web.check(staff)

    resident = web.page("resident")
    resident.goto(project_path)
    resident.locator("main form[action$='/follow'] button").click()
    resident.wait_for_load_state()
    assert flash(resident).count() == 1

    stages = staff.locator("#new-status option")
    next_stage = stages.first.get_attribute("value")
    staff.select_option("#new-status", next_stage)
    staff.fill("#status-note", "Concertation avec le conseil de quartier.")
    staff.locator("#history form button[type=submit]").click()
    staff.wait_for_url("**#history")
    assert staff.locator("#history ol.timeline li").count() == 2
    web.check(staff)

    staff.locator("#journal details.staff summary").click()
    staff.fill("#j-title", "Premiers bacs installés")
    staff.fill("#j-body", "Les **premiers bacs** sont en place.")
    staff.locator("#journal form button[type=submit]").click()
    staff.wait_for_url("**#journal-*")
    entry = "#" + urlsplit(staff.url).fragment
    assert staff.locator(f"{entry} h3").inner_text() == "Premiers bacs installés"
    assert staff.locator(f"{entry} strong").inner_text() == "premiers bacs"
    web.check(staff)

    staff.locator("#objectives details.staff summary").first.click()
    staff.select_option("#obj-pillar", "ecological")
    staff.fill("#obj-indicator", "Surface végétalisée")
    staff.fill("#obj-unit", "m²")
    staff.fill("#obj-baseline", "0")
    staff.fill("#obj-target", "400")
    staff.fill("#obj-deadline", "2027-06-30")
    staff.locator("#objectives form[action$='/objectives'] button[type=submit]").click()
    staff.wait_for_url("**#objectives")
    staff.locator("#objectives details.staff summary").nth(1).click()
    staff.locator("#objectives form[action$='/measurements'] input[name=value]").fill("120,5")
    staff.locator("#objectives form[action$='/measurements'] button[type=submit]").click()
    staff.wait_for_url("**#objectives")
    assert staff.locator("#objectives table progress").count() == 1
    web.check(staff)

    staff.locator(f"main a[href='/staff{project_path}/edit']").click()
    staff.wait_for_url("**/edit")
    assert staff.locator("#title").input_value() == title
    assert staff.locator("#arr-11").is_checked()
    web.check(staff)
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(f"**{project_path}")
    web.check(staff)

    staff.locator("header nav a[href='/staff/priorities']").click()
    staff.wait_for_url("**/staff/priorities")
    web.check(staff)

    # The follower hears about the new stage and the update.
    deadline = time.monotonic() + 10
    while True:
        resident.goto("/notifications")
        links = resident.locator(f"main ul.news a[href^='{project_path}']")
        if links.count() >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert links.count() >= 2
    web.check(resident)
    resident.locator("main form[action='/notifications/read'] button").click()
    resident.wait_for_load_state()
    assert resident.locator("main ul.news li.unread").count() == 0
    web.check(resident)


def test_admin_grants_a_role(web: Web) -> None:
    page = web.page("admin")
    page.goto("/")
    page.locator("header nav a[href='/admin/users']").click()
    page.wait_for_url("**/admin/users")
    web.check(page)
    page.fill("#q", "habitant@")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users?q=*")
    row = page.locator("tbody tr", has_text="habitant@parvis.localhost")
    assert row.count() == 1
    web.check(page)
    row.locator("select").select_option("moderator")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert flash(page).count() == 1
    row = page.locator("tbody tr", has_text="habitant@parvis.localhost")
    assert row.locator("select").input_value() == "moderator"
    web.check(page)
    row.locator("select").select_option("resident")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert (
        page.locator("tbody tr", has_text="habitant@parvis.localhost")
        .locator("select")
        .input_value()
        == "resident"
    )


def test_account_pages_of_a_resident(web: Web) -> None:
    page = web.page("resident")
    page.goto("/")
    assert page.locator("#arrondissement").input_value() == "18"  # "near me"
    web.check(page)
    page.locator("header a[href='/account']").click()
    page.wait_for_url("**/account")
    web.check(page)
    page.fill("#token-name", "Mon script")
    page.locator("main form[action='/account/tokens'] button").click()
    page.wait_for_load_state()
    assert page.locator("main .notice code").inner_text().startswith("pv_")
    web.check(page)
    page.locator("main a[href='/account/data']").click()
    page.wait_for_url("**/account/data")
    web.check(page)
    page.goto("/notifications")
    web.check(page)
