"""Press to first sound on the kiosk page, in Chromium, against the server as `make run` starts it.

From the press on "I have a cramp now" (a click, and separately the Enter key) to the page's audio
element firing `playing`, measured in the page (performance.now) with the speech cache warm; then
the same after "Slower", whose clips the server renders on demand. Also: the serving worker's memory
with all three languages loaded (with and without a Vosk model) and the start-up time.
"""

from __future__ import annotations

import time
from pathlib import Path
from statistics import median, quantiles

from speech.asr import ko_model_path
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.deployed import Deployed

LANGS = ("en", "nb", "da")
WATCH = """() => {
  window.sounds = [];
  window.pressed = null;  // a sound before the first press (the welcome) is not counted
  window.counting = true;  // false while the bench goes back home between presses
  const mark = () => { if (window.counting) window.pressed = performance.now(); };
  document.addEventListener("pointerdown", mark, true);
  document.addEventListener("keydown", (event) => { if (event.key === "Enter") mark(); }, true);
  document.querySelectorAll("audio").forEach((audio) => audio.addEventListener("playing", () => {
    if (typeof window.pressed === "number") window.sounds.push(performance.now() - window.pressed);
    window.pressed = null;
  }));
}"""


def _wait(page, count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while page.evaluate("() => window.sounds.length") < count:
        if time.monotonic() > deadline:
            raise TimeoutError("no sound after the press")
        page.wait_for_timeout(10)


def _presses(page, presses: int, by_key: bool) -> list[float]:
    relief = page.locator('#main button[data-intent="CrampNowIntent"]')
    home = page.locator("#btn-home")
    start = page.evaluate("() => window.sounds.length")
    for n in range(presses):
        page.evaluate("() => { window.pressed = null; }")
        if by_key:
            relief.focus()
            page.keyboard.press("Enter")
        else:
            relief.click()
        _wait(page, start + n + 1)
        page.evaluate("() => { window.counting = false; window.pressed = null; }")
        page.locator("#btn-pause").click()  # the first reply holds a timed stretch: pause, then Home
        home.click()  # back to the home screen for the next press; these sounds are not counted
        page.wait_for_selector('#main button[data-intent="CrampNowIntent"]', state="visible")
        page.evaluate("() => { window.counting = true; }")
    return page.evaluate("() => window.sounds")[start:]


def first_sound(live: Deployed, presses: int) -> dict:
    from playwright.sync_api import sync_playwright

    clicks, keys, slower = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for lang in LANGS:
            page = browser.new_context(base_url=live.url).new_page()
            page.goto("/kiosk")
            page.locator(f'.lang[data-lang="{lang}"]').click()
            page.evaluate(WATCH)
            clicks += _presses(page, presses, by_key=False)
            keys += _presses(page, presses, by_key=True)
            page.locator('button[data-intent="SlowerIntent"]').click()
            slower += _presses(page, presses, by_key=False)
            page.context.close()
        browser.close()
    return {
        "web_first_sound_ms": round(median(clicks), 1),
        "web_first_sound_p95_ms": round(_p95(clicks), 1),
        "web_first_sound_key_ms": round(median(keys), 1),
        "web_first_sound_key_p95_ms": round(_p95(keys), 1),
        "web_first_sound_after_slower_ms": round(median(slower), 1),
        "web_first_sound_after_slower_first_ms": round(max(slower[::presses]), 1),
    }


def _p95(values: list[float]) -> float:
    return quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _start(folder: Path, **env: str) -> tuple[Deployed, float]:
    started = time.perf_counter()
    live = Deployed(folder, None, **env).wait_ready(timeout=600)
    return live, time.perf_counter() - started


def run(folder: Path, short: bool = False) -> dict:
    figures = {}
    live, seconds = _start(folder / "serve")
    figures["cold_start_empty_cache_s"] = round(seconds, 2)
    try:
        figures["serve_rss_mb"] = round(live.worker_rss_mb(), 1)
    finally:
        live.stop()
    live, seconds = _start(folder / "serve")  # the speech cache is warm now
    figures["cold_start_s"] = round(seconds, 2)
    try:
        figures |= first_sound(live, 3 if short else 20)
    finally:
        live.stop()
    if ko_model_path() is not None:
        live, _ = _start(folder / "serve", VOSK_MODEL_EN=str(ko_model_path()))
        try:
            figures["serve_rss_mb_with_vosk"] = round(live.worker_rss_mb(), 1)
        finally:
            live.stop()
    return figures
