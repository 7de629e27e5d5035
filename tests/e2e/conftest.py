"""Browser fixtures: Playwright's sync API driving Debian's chromium (/usr/bin/chromium, installed
by ``make browser``). No browser is ever downloaded; without chromium the browser tests skip."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


class SerialWSGIServer(WSGIServer):
    """The live server, one request at a time. On SQLite the test database lives in memory and
    the server's threads share the test's one connection: two requests at once (a page and its
    JSON, the intake panels' look-ups) can deadlock it. Served one by one, each answer says
    ``Connection: close`` (Django does for a server without threads), so the browser opens a
    new connection per request and nothing waits on a kept-alive one."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


LiveServerThread.server_class = SerialWSGIServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: run `make browser` (scripts/install-browser.sh) to install Debian's chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("HOTLINE_TEST_OUTPUT", "test-output")) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls
    # (fixtures, assertions) are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class ConsoleLog:
    """Console messages and page errors of one page, for asserting that nothing was refused."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", lambda message: self.messages.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh Chinese-language browser page (Accept-Language zh-CN) with its console log."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def console_log(page) -> ConsoleLog:
    return ConsoleLog(page)
