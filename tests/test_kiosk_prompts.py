"""#13 finding 9: prompts fit the input the kiosk has. Where voice input is off in a language, the
coach says what to press ("Press Resume"), where it is on, what to say ("Say resume"), on screen and
in what is spoken."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from content import load_library
from tests.browser import FAST

LIBRARY = load_library()


def pause_a_routine(page, lang: str) -> dict:
    """Start the cramp routine in `lang` and press Pause while its hold plays; the reply to Pause."""
    expect(page.locator("#prompt")).not_to_be_empty()  # the welcome has come
    if page.locator("html").get_attribute("lang") != lang:
        page.locator(f'.lang[data-lang="{lang}"]').click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
    ui = LIBRARY[lang].ui
    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/intent")):
        page.get_by_role("button", name=ui["relief"], exact=True).click()
    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/intent")) as answer:
        page.get_by_role("button", name=ui["pause"], exact=True).click()
    return answer.value.json()


@pytest.mark.parametrize("lang", ["en", "nb", "da"])
def test_without_voice_input_the_coach_says_what_to_press(server, open_page, lang):
    page = open_page(server, FAST)
    paused = pause_a_routine(page, lang)
    press = LIBRARY[lang].press["paused"]
    assert [item["say"] for item in paused["timeline"] if "say" in item] == [press]
    expect(page.locator("#prompt")).to_have_text(press)
    assert LIBRARY[lang].say["paused"] != press


def test_with_voice_input_the_coach_says_what_to_say(voice_server, open_page):
    page = open_page(voice_server, FAST)
    paused = pause_a_routine(page, "en")
    assert [item["say"] for item in paused["timeline"] if "say" in item] == [LIBRARY["en"].say["paused"]]
    expect(page.locator("#prompt")).to_have_text(LIBRARY["en"].say["paused"])
    page.get_by_role("button", name=LIBRARY["en"].ui["home"], exact=True).click()
    pause_a_routine(page, "nb")  # no voice input in Norwegian here
    expect(page.locator("#prompt")).to_have_text(LIBRARY["nb"].press["paused"])
