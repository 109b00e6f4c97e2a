"""Fixtures for the browser tests: the real app on a local port, and Debian's headless Chromium.

Every response carries the strict Content-Security-Policy the kiosk must live under, and every page
fails its test on a console error (a CSP violation is one) or on a request that leaves the machine.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
    # a fake microphone (a beeping tone) that needs no permission prompt, for tap to speak
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
]
CSP = "default-src 'self'"
SCREENSHOTS = Path(__file__).resolve().parent / "out" / "screenshots"
LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
NO_VOICE_INPUT = {"VOSK_MODEL_PATH": "", "VOSK_MODEL_EN": "", "VOSK_MODEL_NB": "", "VOSK_MODEL_DA": "",
                  "VOSK_DOWNLOAD": False}


class LiveServer:
    """create_app(config) served by werkzeug in a thread on 127.0.0.1, on a free port."""

    def __init__(self, config: dict):
        self.app = create_app({**NO_VOICE_INPUT, "KIOSK_VISITS_PER_MINUTE": 10**6, **config})
        self.app.after_request(self._secure)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @staticmethod
    def _secure(response):
        response.headers["Content-Security-Policy"] = CSP
        return response

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> str:
    """One data folder for every server, so each spoken clip is rendered only once."""
    return str(tmp_path_factory.mktemp("kiosk-data"))


@pytest.fixture(scope="session")
def server(data_dir):
    live = LiveServer({"DATA_DIR": data_dir, "KIOSK_IDLE_SECONDS": 600})
    yield live
    live.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems:
    """What went wrong in a page: console errors, uncaught exceptions, requests to other hosts."""

    def __init__(self, page, base: str):
        self.errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: request.url.startswith((base, "data:", "blob:"))
                or self.errors.append(f"request leaves the machine: {request.url}"))


@pytest.fixture
def open_page(browser):
    """open_page(server, "/kiosk?fast=1") -> a page in a fresh context, checked for problems at the end."""
    opened = []

    def open_(live: LiveServer, path: str = "/kiosk?fast=1", viewport: dict = LANDSCAPE):
        context = browser.new_context(viewport=viewport, base_url=live.url)
        page = context.new_page()
        problems = PageProblems(page, live.url)
        opened.append((context, problems))
        page.goto(path)
        return page

    yield open_
    for context, problems in opened:
        context.close()
    for _, problems in opened:
        assert not problems.errors, "\n".join(problems.errors)


def screenshot(page, name: str) -> None:
    """The page at 1280x800 and at 800x1280 (a portrait kiosk), into tests/out/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for tag, viewport in (("landscape", LANDSCAPE), ("portrait", PORTRAIT)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{tag}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the {name} screen is {width}px wide in {tag}"
    page.set_viewport_size(size)
