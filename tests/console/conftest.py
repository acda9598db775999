"""Fixtures of the browser tests: the service in a thread on a free loopback
port over a private copy of the demo workspace, and Debian's Chromium driven by
Playwright (headless, a fresh profile directory, no network beyond loopback).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from api import factories
from disclosure_gateway.api import ServiceSettings
from disclosure_gateway.api.server import Running, serve_in_thread

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factories.staffed_workspace(tmp_path_factory, "console-ws")


@pytest.fixture(scope="module")
def server(ws: Path) -> Iterator[Running]:
    # Plain HTTP on loopback, as `dgw serve` runs there: the cookie is not marked Secure.
    with serve_in_thread(ServiceSettings.build(workspace=ws, cookie_secure=False)) as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=ARGS,
        viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    browser.clear_cookies()
    p = browser.new_page()
    yield p
    p.close()


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, base: str, who: str) -> None:
    user = factories.STAFF[who]
    page.context.clear_cookies()
    page.goto(f"{base}/console/login")
    page.get_by_label("Name").fill(user.name)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/console/**")
