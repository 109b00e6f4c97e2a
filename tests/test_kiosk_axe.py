"""#13, done when: axe-core finds nothing on every screen, in every language, in the day colours
at kiosk size and in the night colours at 400 % zoom (320×256 CSS px). Screenshots of each."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import FAST, LANDSCAPE, screenshot
from tests.test_kiosk_browser import button, check_axe, played, screen
from tests.test_kiosk_layout import NARROW, go_to, home, switch_language

LAYOUTS = {"day": LANDSCAPE, "night": NARROW}


@pytest.mark.parametrize("theme", ["day", "night"])
@pytest.mark.parametrize("lang", ["en", "nb", "da"])
def test_no_axe_violation_on_any_screen(theme_server, browser, lang, theme):
    """The clinic set day colours (with "auto" the page would open in night colours at night, and the
    button would bring the day ones); the night colours come from the button."""
    context = browser.new_context(viewport=LAYOUTS[theme], base_url=theme_server("day").url)
    page = context.new_page()
    try:
        page.goto(FAST)
        expect(page.locator("#prompt")).not_to_be_empty()
        switch_language(page, lang)
        if theme == "night":
            button(page, lang, "night_colours").click()
        expect(page.locator("html")).to_have_attribute("data-theme", theme)
        played(page)
        check_axe(page, f"home ({lang}, {theme})")
        screenshot(page, f"axe-{theme}-{lang}-home")
        for name in ("routine", "topic", "article"):
            go_to(page, lang, name)
            if name != "article":  # the article reads on from section to section by itself
                played(page)
            check_axe(page, f"{name} ({lang}, {theme})")
            screenshot(page, f"axe-{theme}-{lang}-{name}")
            if name == "routine":  # and paused
                button(page, lang, "pause").click()
                expect(button(page, lang, "resume")).to_be_visible()
                check_axe(page, f"paused routine ({lang}, {theme})")
            home(page, lang)
        button(page, lang, "help").click()
        expect(page.locator("#help")).to_be_visible()
        check_axe(page, f"help ({lang}, {theme})")
        button(page, lang, "close").click()
        expect(screen(page, "home")).to_be_visible()
    finally:
        context.close()
