"""Real-browser tests: Playwright drives Debian's Chromium against a live Parvis server.

One server for the whole session (SQLite in a temporary folder, migrations, the demo), on a
free port of 127.0.0.1, in a background thread. Every page a test visits goes through
`Web.check(page)`: axe-core (WCAG 2.0/2.1 A and AA) must find no violation, and no console
error (CSP violations, failed loads, script errors) may have been logged so far.

axe is evaluated through the DevTools protocol (`page.evaluate`), not as a <script> element,
so the pages keep their real Content-Security-Policy and the tests still catch its violations
(`add_script_tag(path=...)` inlines the script, which `script-src 'self'` rightly refuses).
In a context without JavaScript axe cannot run in the page itself (promises never settle):
the page's markup is then checked in a scripting page that blocks the page's own scripts.

Chromium is /usr/bin/chromium (PARVIS_TEST_CHROMIUM): missing, the tests are skipped loudly,
and in CI (CI=true) they fail. The `chromium` and `browser` fixtures live in tests/conftest.py:
one Playwright for the whole session, whichever folder's tests use it.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import expect
from rich.console import Console

AXE_JS = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r =>
  r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 10)})))"""
ACCOUNTS = {
    "admin": "admin@parvis.localhost",
    "staff": "agent@parvis.localhost",
    "moderator": "moderation@parvis.localhost",
    "resident": "habitante@parvis.localhost",
}
TIMEOUT_MS = 10_000
BOUNDARIES = "#map .leaflet-overlay-pane path:not(.leaflet-interactive)"
MARKERS = "#map .leaflet-overlay-pane path.leaflet-interactive"


@dataclass
class LiveServer:
    url: str
    settings: Any
    server: uvicorn.Server
    thread: threading.Thread

    def mails_to(self, address: str, timeout: float = 10.0) -> list[email.message.EmailMessage]:
        """The mails written to the outbox for `address` (jobs run in a thread: wait a little)."""
        deadline = time.monotonic() + timeout
        while True:
            found = []
            folder: Path = self.settings.outbox_dir
            for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if address in str(message["To"]):
                    found.append(message)
            if found or time.monotonic() > deadline:
                return found  # type: ignore[return-value]
            time.sleep(0.1)


@pytest.fixture(scope="session")
def live_server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from parvis.app import create_app
    from parvis.cli import upgrade_database
    from parvis.demo import load_demo
    from parvis.kernel.settings import Settings

    folder = tmp_path_factory.mktemp("browser")
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
        # The production setting: Chromium keeps and sends Secure cookies on http://127.0.0.1.
        secure_cookies=True,
        mqtt_port=0,  # the default embedded broker, on a free port
        _env_file=None,  # type: ignore[call-arg]
    )
    upgrade_database(settings)
    load_demo(settings, Console(file=io.StringIO()))
    config = uvicorn.Config(
        create_app(settings), log_level="warning", ws="none", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live Parvis server did not start")
        time.sleep(0.02)
    yield LiveServer(url, settings, server, thread)
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


@dataclass
class Web:
    """Opens browser contexts on the live server and checks every page they visit."""

    browser: Any
    server: LiveServer
    signed_in: dict[str, Any]
    contexts: list[Any] = field(default_factory=list)
    without_js: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    _checker: Any = None

    def context(self, role: str | None = None, *, js: bool = True, locale: str = "fr-FR") -> Any:
        """A fresh browser context (a visitor), signed in as the demo account of `role`."""
        state = self.signed_in.get(role) if role else None
        context = self.browser.new_context(
            base_url=self.server.url, java_script_enabled=js, locale=locale, storage_state=state
        )
        context.set_default_timeout(TIMEOUT_MS)
        if not js:
            self.without_js.add(id(context))
        context.on("page", self._watch)
        self.contexts.append(context)
        if role and state is None:
            page = context.new_page()
            self.sign_in(page, ACCOUNTS[role])
            page.close()
            if js:
                self.signed_in[role] = context.storage_state()
        return context

    def page(self, role: str | None = None, *, js: bool = True, locale: str = "fr-FR") -> Any:
        return self.context(role, js=js, locale=locale).new_page()

    def _watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error":
                self.problems.append(f"console error on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"error on {page.url}: {error}"))

    def sign_in(self, page: Any, address: str, password: str | None = None) -> None:
        from parvis.demo import DEMO_PASSWORD

        page.goto("/account/signin")
        self.check(page)
        page.fill("#email", address)
        page.fill("#password", password or DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("form[action='/account/signout']").count() == 1, page.url

    def check(self, page: Any) -> None:
        """axe-core on the page as it is now (its map drawn); no console error logged so far."""
        js = id(page.context) not in self.without_js
        if js and page.locator("#map[data-boundaries]").count():
            expect(page.locator(BOUNDARIES).nth(19)).to_be_attached()  # the map is drawn
        html_lang = page.locator("html").get_attribute("lang")
        assert html_lang in ("fr", "en"), f"{page.url}: <html lang={html_lang!r}>"
        violations = self._axe(page) if js else self._axe_snapshot(page)
        assert not violations, f"axe found on {page.url}:\n" + describe(violations)
        self.assert_clean()

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)

    @staticmethod
    def _axe(page: Any) -> list[dict[str, Any]]:
        if page.evaluate("typeof window.axe") != "object":
            page.evaluate(axe_source())
        violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, WCAG_TAGS)
        return violations

    def _axe_snapshot(self, page: Any) -> list[dict[str, Any]]:
        """Without JavaScript axe cannot run in the page (no microtasks): check its markup,
        as the server sent it, in a scripting page where the page's own scripts are blocked."""
        html, url = page.content(), page.url
        if self._checker is None:
            self._checker = self.browser.new_context(base_url=self.server.url)
        checker = self._checker.new_page()
        try:

            def serve(route: Any) -> None:
                request = route.request
                if (
                    request.url.split("#")[0] == url.split("#")[0]
                    and request.is_navigation_request()
                ):
                    route.fulfill(body=html, content_type="text/html; charset=utf-8")
                elif request.resource_type == "script":
                    route.abort()
                else:
                    route.continue_()

            checker.route("**/*", serve)
            checker.goto(url)
            return self._axe(checker)
        finally:
            checker.close()

    def close(self) -> None:
        for context in [*self.contexts, self._checker]:
            if context is not None:
                context.close()


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


_AXE_SOURCE: list[str] = []


def axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE_JS.read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


@pytest.fixture(scope="session")
def signed_in_states() -> dict[str, Any]:
    """Storage states of the demo accounts, filled on first sign-in (sign in once per role)."""
    return {}


@pytest.fixture
def web(browser: Any, live_server: LiveServer, signed_in_states: dict[str, Any]) -> Iterator[Web]:
    helper = Web(browser, live_server, signed_in_states)
    yield helper
    try:
        helper.assert_clean()
    finally:
        helper.close()


def confirmation_link(message: email.message.EmailMessage, base_url: str) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(re.escape(base_url) + r"/account/confirm/\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def flash(page: Any) -> Any:
    return page.locator("main .flash[role=status]")
