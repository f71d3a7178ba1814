"""Browser-test harness: Python Playwright (sync API) driving the system Chromium against
pytest-django's ``live_server``.

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium (override with
CREDITS_CHROMIUM). The sync API runs an asyncio event loop in the test thread, which makes Django
refuse database calls from that thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set; it is set below,
before Django is used. Tests take ``transactional_db`` (through ``demo_data``) so that the server
thread sees the rows a test writes. Screenshots go to test-artifacts/.

The test database is SQLite in memory, whose one connection pytest-django hands to the live
server. Django's live server is threaded, so requests that arrive together (a page's scripts
reading several API addresses at once, as the MFE widgets do) would use that connection from
several threads at the same time, which sqlite3 answers with "bad parameter or other API misuse"
and the page with 500s or an anonymous user. The live server therefore answers one request at a
time, as Django's own non-threaded server does (it closes each connection after its answer).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.test import testcases
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = os.environ.get("CREDITS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class SerialLiveServer(WSGIServer):
    """Django's WSGIServer (one request at a time) with the argument the live server passes."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override or {}


# pytest-django's live_server builds django.test.testcases.LiveServerThread, which runs its
# server_class in the thread that holds the shared in-memory connection.
testcases.LiveServerThread.server_class = SerialLiveServer


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ at the repository root, for screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not Path(CHROMIUM).exists():
        # make test installs Debian's chromium first; a missing browser is a failure, not a skip.
        pytest.fail(f"no Chromium at {CHROMIUM} (install Debian's chromium or set CREDITS_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    yield new_page
    context.close()


@pytest.fixture
def demo_data(transactional_db) -> None:
    """The demo host's seeded users, courses, enrolments, certificate and wallets."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def login_as(page: Page) -> Callable[..., Page]:
    """Sign in through the login form: ``login_as("alice")`` (the password defaults to the name)."""

    def sign_in(username: str, password: str | None = None) -> Page:
        page.goto("/login/")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password if password is not None else username)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("user-menu")).to_contain_text(username)
        return page

    return sign_in
