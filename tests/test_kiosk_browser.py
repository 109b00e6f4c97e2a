"""The kiosk page in real headless Chromium: the relief routine by mouse and by keyboard in every
language, speech, the idle reset, tap to speak, and axe-core on every screen.

Pages open with ?timescale=0.01 (speech and pauses in 1/100 of their time) unless a test needs
another pace; the idle test moves Playwright's clock on instead of waiting. Every page runs under the
app's own Content-Security-Policy. Screenshots of every screen go to tests/out/screenshots/.
"""

from __future__ import annotations

import io
import json
import re
import urllib.request
import wave
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app import SECURITY_HEADERS
from content import load_library
from tests.audio_files import wav_bytes
from tests.browser import LiveServer, screenshot

LIBRARY = load_library()
LANGS = ("en", "nb", "da")
STATIC = Path(__file__).resolve().parent.parent / "kiosk" / "static"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def ui(lang: str) -> dict:
    return LIBRARY[lang].ui


def cramp_steps(lang: str) -> dict:
    return {step.id: step for step in LIBRARY[lang].routines.cramp_now.steps}


def ready(page, lang: str = "en"):
    """Wait until the welcome of a visit in `lang` has come (the page starts one on load)."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#prompt")).to_have_text(LIBRARY[lang].say["ask_cramp_now"])
    return page


def screen(page, name: str):
    return page.locator(f'.screen[data-screen="{name}"]')


def button(page, lang: str, key: str):
    return page.get_by_role("button", name=ui(lang)[key], exact=True)


def expect_steps(page, lang: str, *ids: str) -> None:
    """The routine shows exactly these steps, each with "step N of 8" and its drawing, named by what it shows."""
    steps = cramp_steps(lang)
    order = list(steps)
    items = page.locator("#steps > li")
    expect(items).to_have_count(len(ids))
    for item, step_id in zip(items.all(), ids, strict=True):
        step = steps[step_id]
        expect(item.locator(".step-text")).to_have_text(step.show)
        number = ui(lang)["step_of"].format(n=order.index(step_id) + 1, total=len(order))
        expect(item.locator(".step-of")).to_have_text(number)
        if step.figure:
            expect(item.get_by_role("img", name=ui(lang)[f"figure_{step.figure}"], exact=True)).to_be_visible()


def check_axe(page, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    violations = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response["violations"]
    # and contrast of at least 7:1 (WCAG AAA), which the page promises
    violations += axe.run(page, options={"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}}).response[
        "violations"
    ]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"])
        for v in violations
    )
    assert not violations, f"axe-core on the {name} screen:\n{report}"


def played(page) -> None:
    """Wait until the page has played the whole timeline of the last reply."""
    expect(page.locator("body")).to_have_attribute("data-playing", "false")


class AudioLog:
    """Every /api/kiosk/audio/<clip>.wav response the page receives, by clip key."""

    def __init__(self, page):
        self.responses: dict[str, list] = {}
        page.on("response", self._add)

    def _add(self, response):
        found = re.search(r"/api/kiosk/audio/([0-9a-f]{64})\.wav$", response.url)
        if found:
            self.responses.setdefault(found.group(1), []).append(response)

    def check(self, reply: dict) -> None:
        """Every clip of the reply, the cues of a timed hold included, came as audio."""
        said = [cue for item in reply["timeline"] for cue in (item["hold"]["cues"] if "hold" in item else [item])]
        clips = [item["clip"] for item in said if item.get("clip")]
        assert clips, "the reply has no audio"
        for clip in clips:
            got = self.responses.get(clip, [])
            assert any(r.status == 200 and r.headers["content-type"] == "audio/wav" for r in got), (
                f"no audio/wav 200 response for clip {clip}: {[r.status for r in got]}"
            )
            assert all(r.status < 400 for r in got)


def press_intent(page, locator) -> dict:
    """Click a button that sends an intent; the engine's reply."""
    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/intent")) as answer:
        locator.click()
    return answer.value.json()


@pytest.mark.parametrize("lang", LANGS)
def test_relief_routine_by_clicks_in_every_language(server, open_page, lang):
    page = ready(open_page(server))
    audio = AudioLog(page)
    if lang != "en":
        with page.expect_response(lambda r: r.url.endswith("/api/kiosk/start")) as answer:
            page.locator(f'.lang[data-lang="{lang}"]').click()
        ready(page, lang)
        assert answer.value.json()["lang"] == lang
        played(page)
        audio.check(answer.value.json())
    for code in LANGS:  # each language is named in its own language
        expect(page.locator(f'.lang[data-lang="{code}"]')).to_have_text(ui(code)["language_name"])
    expect(page.locator(f'.lang[data-lang="{lang}"]')).to_have_attribute("aria-current", "true")
    expect(page).to_have_title(ui(lang)["app_name"])

    reply = press_intent(page, button(page, lang, "relief"))  # the stretch and its hold at once
    expect(screen(page, "routine")).to_be_visible()
    expect_steps(page, lang, "straighten", "stretch", "hold", "release", "check")
    expect(screen(page, "routine").locator(".question")).to_be_visible()
    played(page)
    audio.check(reply)

    reply = press_intent(page, screen(page, "routine").get_by_role("button", name=ui(lang)["yes"], exact=True))
    expect_steps(page, lang, "aftercare_avoid", "aftercare_move")
    played(page)
    audio.check(reply)

    reply = press_intent(page, button(page, lang, "next"))  # the doctor advice, and the visit ends
    expect_steps(page, lang, "doctor")
    expect(page.locator("#steps .step-detail")).to_have_text(cramp_steps(lang)["doctor"].say)
    assert reply["end"]
    played(page)
    audio.check(reply)
    assert all(item["say"] for item in reply["timeline"] if "clip" in item)


@pytest.mark.parametrize("lang", LANGS)
def test_relief_routine_by_keyboard_alone(server, open_page, lang):
    page = ready(open_page(server))
    if lang != "en":  # reach the language button with Tab from the top, as a keyboard user would
        page.keyboard.press("Tab")
        expect(page.locator(".skip").first).to_be_focused()
        for _ in range(6):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.dataset.lang") == lang:
                break
        page.keyboard.press("Enter")
        ready(page, lang)
    focused = page.locator(":focus")
    for _ in range(10):  # Down arrow steps through the home screen's choices
        page.keyboard.press("ArrowDown")
        if focused.get_attribute("data-intent") == "CrampNowIntent":
            break
    expect(focused).to_have_text(ui(lang)["relief"])
    page.keyboard.press("Enter")
    expect_steps(page, lang, "straighten", "stretch", "hold", "release", "check")
    expect(screen(page, "routine").locator(".yes")).to_be_focused()  # after the hold, the question has focus
    if lang == "en":  # Back, Shift+Tab and Up once; every language goes on to the end
        page.keyboard.press("Backspace")  # Back at the first part: it is said again
        expect_steps(page, lang, "straighten", "stretch", "hold", "release", "check")
        expect(screen(page, "routine").locator(".yes")).to_be_focused()  # once the hold is over
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        for _ in range(8):
            page.keyboard.press("ArrowUp")
            if focused.get_attribute("class") == "yes":
                break
    page.keyboard.press("Enter")
    expect_steps(page, lang, "aftercare_avoid", "aftercare_move")
    expect(page.locator("#btn-next")).to_be_focused()  # focus moves on to the button that carries on

    page.keyboard.press("h" if lang == "en" else "F1")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help-text")).to_have_text(ui(lang)["help_keys"])
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    page.keyboard.press("Enter")  # Next: the doctor advice; the visit ends, and its screen stays to be read
    expect_steps(page, lang, "doctor")
    played(page)
    expect_steps(page, lang, "doctor")
    expect(page.locator("#btn-home")).to_be_focused()
    page.keyboard.press("Enter")  # Home: a new visit, at the menu
    expect(screen(page, "home")).to_be_visible()


def test_idle_visit_goes_back_to_the_start(server, open_page):
    """The page's clock is moved on by the idle time, not waited for."""
    from tests.test_kiosk_reading import captions, record_captions  # that module imports this one

    page = ready(open_page(server, clock=True))
    idle_ms = float(page.locator("body").get_attribute("data-idle-seconds")) * 1000
    starts = []
    page.on("request", lambda r: r.url.endswith("/api/kiosk/start") and starts.append(r.post_data_json))
    button(page, "en", "why").click()
    expect(screen(page, "topic")).to_be_visible()
    played(page)
    record_captions(page)
    page.clock.fast_forward(idle_ms)
    expect(screen(page, "home")).to_be_visible()
    expect(page.locator("#live")).to_have_text(ui("en")["screen_home"])  # where the visitor is now
    played(page)
    assert LIBRARY["en"].say["idle_reset"] in captions(page)  # what the voice says is on screen
    assert starts == [{"lang": "en", "reason": "idle"}]
    page.clock.fast_forward(idle_ms)  # a visit nobody has touched is not reset again:
    press_intent(page, button(page, "en", "why"))  # a reset would have been asked for before this
    assert starts == [{"lang": "en", "reason": "idle"}]


def test_every_screen_passes_axe(server, open_page):
    page = ready(open_page(server))
    played(page)
    check_axe(page, "home")
    screenshot(page, "home")

    button(page, "en", "relief").click()
    expect_steps(page, "en", "straighten", "stretch", "hold", "release", "check")
    played(page)
    check_axe(page, "check question")
    screenshot(page, "check")

    button(page, "en", "pause").click()
    expect(button(page, "en", "resume")).to_be_visible()
    expect(page.locator("#prompt")).to_have_text(LIBRARY["en"].press["paused"])  # no voice input here
    check_axe(page, "paused routine")
    screenshot(page, "paused")

    button(page, "en", "home").click()
    button(page, "en", "why").click()
    expect(screen(page, "topic")).to_be_visible()
    button(page, "en", "next").click()
    causes = LIBRARY["en"].topics.causes
    expect(page.locator("#topic-heading")).to_have_text(causes.items[0].title)
    expect(page.locator("#topic-items li[aria-current]")).to_have_text(causes.items[0].title)
    check_axe(page, "topic")
    screenshot(page, "topic")

    button(page, "en", "home").click()
    button(page, "en", "article").click()
    sections = LIBRARY["en"].article.sections
    expect(page.get_by_role("heading", level=2, name=sections[0].heading)).to_be_visible()
    button(page, "en", "next").click()
    expect(page.get_by_role("heading", level=2, name=sections[1].heading)).to_be_visible()
    expect(page.locator("#article-sections li")).to_have_count(len(sections))
    check_axe(page, "article")
    screenshot(page, "article")

    button(page, "en", "help").click()
    expect(page.locator("#help")).to_be_visible()
    check_axe(page, "help")
    screenshot(page, "help")
    button(page, "en", "close").click()
    expect(page.locator("#help")).to_be_hidden()


def test_hold_shows_a_countdown_from_the_hold_data(server, open_page):
    page = ready(open_page(server, "/kiosk?timescale=0.5"))  # slow enough to look at the countdown
    reply = press_intent(page, button(page, "en", "relief"))
    hold = next(item["hold"] for item in reply["timeline"] if "hold" in item)
    assert hold["seconds"] == cramp_steps("en")["hold"].hold
    expect_steps(page, "en", "straighten", "stretch", "hold", "release", "check")
    countdown, number = page.locator("#countdown"), page.locator(".count-number")
    expect(countdown).to_be_visible(timeout=15_000)  # after the step is said and a settling pause
    first = int(number.inner_text())
    assert hold["seconds"] - 10 < first <= hold["seconds"]
    expect(countdown).to_have_text(re.compile(r"^\d+ seconds left$"))
    expect(page.locator("#steps > li").first).to_have_class(re.compile("holding"))
    check_axe(page, "hold")
    screenshot(page, "hold")
    expect(number).not_to_have_text(str(first))  # it counts down
    assert int(number.inner_text()) < first
    page.keyboard.press("Escape")  # stops the speech and pauses the hold, as Pause does
    expect(button(page, "en", "resume")).to_be_focused()
    expect(page.locator("#prompt")).to_have_text(LIBRARY["en"].press["paused"])
    expect(countdown).to_be_visible()  # where it stopped
    expect(page.locator("body")).to_have_attribute("data-playing", "false")


def test_easing_question_waits_until_the_hold_is_over(server, open_page):
    """Finding: Yes/No came with the hold and took the focus, so Enter mid-hold skipped it. Now only
    Pause and Stop are offered while the hold plays, with the focus on Pause; the question follows."""
    page = ready(open_page(server, "/kiosk?timescale=0.1"))  # a 3-second hold: time to press a key
    sent = []
    page.on("request", lambda r: r.url.endswith("/api/kiosk/intent") and sent.append(r.post_data_json["intent"]))
    question = screen(page, "routine").locator(".question")
    nav = {name: page.locator(f"#btn-{name}") for name in ("back", "repeat", "next", "pause", "home", "stop")}
    button(page, "en", "relief").click()
    expect_steps(page, "en", "straighten", "stretch", "hold", "release", "check")
    expect(page.locator("#countdown")).to_be_visible(timeout=15_000)  # the hold is playing
    expect(question).to_be_hidden()
    for name in ("back", "repeat", "next", "home"):
        expect(nav[name]).to_be_hidden()
    expect(nav["stop"]).to_be_visible()
    expect(nav["pause"]).to_be_focused()
    page.keyboard.press("Enter")  # Enter again mid-hold: Pause, not "yes, it's easing"
    expect(button(page, "en", "resume")).to_be_focused()
    assert "AMAZON.YesIntent" not in sent

    page.keyboard.press("Enter")  # Resume: the hold again, and after it the question
    expect(page.locator("#countdown")).to_be_visible(timeout=15_000)
    expect(question).to_be_hidden()
    expect(nav["pause"]).to_be_focused()
    expect(question).to_be_visible(timeout=15_000)
    expect(screen(page, "routine").locator(".yes")).to_be_focused()
    expect(nav["next"]).to_be_visible()
    assert sent == ["CrampNowIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent"]
    check_axe(page, "check question after the hold")


def test_stop_ends_the_visit_and_a_new_one_starts_at_home(server, open_page):
    page = ready(open_page(server))
    button(page, "en", "prevention").click()
    expect(screen(page, "topic")).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/start")):
        reply = press_intent(page, button(page, "en", "stop"))
    assert reply["end"] and reply["view"]["screen"] == "goodbye"
    expect(screen(page, "home")).to_be_visible()
    expect(page.locator("#prompt")).to_have_text(LIBRARY["en"].say["ask_cramp_now"])


def test_controls_change_speed_volume_text_size_and_sound(server, open_page):
    page = ready(open_page(server))
    reply = press_intent(page, button(page, "en", "slower"))
    assert reply["view"] == {"screen": "same"} and reply["rate"] == 0.9
    expect(screen(page, "home")).to_be_visible()
    player = page.locator("#player")
    button(page, "en", "quieter").click()
    assert player.evaluate("p => p.volume") == pytest.approx(0.8)
    expect(page.locator("#volume-level")).to_have_text("80%")
    size = lambda: page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")  # noqa: E731
    assert size() >= 24
    button(page, "en", "larger").click()
    assert size() > 24
    button(page, "en", "mute").click()
    assert player.evaluate("p => p.muted")
    button(page, "en", "unmute").click()
    assert not player.evaluate("p => p.muted")
    expect(page.locator("#btn-speak")).to_be_hidden()  # no voice model in this app

    page.emulate_media(reduced_motion="reduce")
    assert button(page, "en", "relief").evaluate("b => getComputedStyle(b).transitionDuration") == "0s"
    first = press_intent(page, button(page, "en", "relief"))
    expect_steps(page, "en", "straighten", "stretch", "hold", "release", "check")
    again = press_intent(page, button(page, "en", "repeat"))  # Repeat says the same part again
    assert again["timeline"] == first["timeline"] and again["view"] == first["view"]
    expect_steps(page, "en", "straighten", "stretch", "hold", "release", "check")


def wav_format(data: bytes) -> tuple[int, int, int, int]:
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnchannels(), wav.getframerate(), wav.getsampwidth(), wav.getnframes()


def test_tap_to_speak_records_a_16khz_mono_wav(voice_server, open_page):
    page = ready(open_page(voice_server))
    sent = []

    def answer(route):
        """Keep the WAV; answer as /api/listen would on hearing "cramp" (see the test below)."""
        sent.append(route.request.post_data_buffer)
        session = re.search(r"session=([^&]+)", route.request.url).group(1)
        phrase = LIBRARY["en"].utterances["CrampNowIntent"][0]
        reply = page.request.post("/api/kiosk/say", data={"session": session, "text": phrase})
        route.fulfill(response=reply)

    page.route("**/api/listen?*", answer)
    speak = button(page, "en", "speak")
    speak.click()
    expect(button(page, "en", "listening")).to_be_visible()  # shown once the microphone's sound comes in
    button(page, "en", "listening").click()  # a second tap sends at once
    expect_steps(page, "en", "straighten", "stretch", "hold", "release", "check")
    channels, rate, width, frames = wav_format(sent[0])
    assert (channels, rate, width) == (1, 16000, 2)
    assert 0 < frames <= 32000  # at most 2 s: the server takes bodies up to 64 KB
    expect(speak).to_be_visible()
    page.locator('.lang[data-lang="nb"]').click()  # no model for Norwegian: no control
    ready(page, "nb")
    expect(page.locator("#btn-speak")).to_be_hidden()


def fetch(live: LiveServer, path: str, body: bytes | None = None, content_type: str = "application/json"):
    """A plain HTTP request to the live server: (status, headers, body)."""
    request = urllib.request.Request(live.url + path, data=body, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def test_listen_accepts_a_16khz_mono_wav(voice_server):
    _, _, started = fetch(voice_server, "/api/kiosk/start", b'{"lang": "en"}')
    session = json.loads(started)["session"]
    status, _, _ = fetch(voice_server, f"/api/listen?session={session}", wav_bytes(0.5), "audio/wav")
    assert status == 200


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.problems.append("an inline script")
        if tag == "style" or "style" in attrs or any(name.startswith("on") for name in attrs):
            self.problems.append(f"inline style or handler on <{tag}>")
        for name in ("src", "href"):
            if attrs.get(name, "/").startswith(("http:", "https:", "//")):
                self.problems.append(f"an outside asset: {attrs[name]}")


def test_page_runs_under_the_apps_own_csp_with_no_inline_code_or_outside_assets(server, open_page):
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe" not in csp
    _, headers, html = fetch(server, "/kiosk")
    assert headers["Content-Security-Policy"] == csp  # and no test page logged a violation
    parser = _Inline()
    parser.feed(html.decode())
    assert parser.problems == []
    page = ready(open_page(server))  # once the script has run, too
    assert page.locator("[style], style, script:not([src]):not([type='application/json'])").count() == 0
    for path in ["kiosk.css", *(f"js/{module.name}" for module in sorted((STATIC / "js").glob("*.js")))]:
        _, headers, text = fetch(server, f"/kiosk/static/{path}")
        assert headers["Content-Security-Policy"] == csp
        assert not re.search(r"https?:|@import|\beval\(|new Function", text.decode()), path
