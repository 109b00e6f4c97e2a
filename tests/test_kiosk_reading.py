"""The kiosk page for people who read it and people who listen to it (issue #13, findings 3, 4, 6
and 7): everything said is on screen, Repeat on every screen, Pause keeps a hold and Resume goes on
from its second, a hold takes its own time, the article as a DAISY-like player, and what a screen
reader is told.

Durations are measured in the page (performance.now) and compared as a ratio, never timed from
Python. Lines that show for a few milliseconds at a fast time scale are recorded in the page as they
come. axe-core runs on each new screen; screenshots go to tests/out/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from content.model import FIGURES
from tests.browser import screenshot
from tests.test_kiosk_browser import (
    LANGS,
    LIBRARY,
    button,
    check_axe,
    cramp_steps,
    expect_steps,
    played,
    press_intent,
    ready,
    screen,
    ui,
)

FIRST_PART = ("straighten", "stretch", "hold", "release", "check")
SECTIONS = LIBRARY["en"].article.sections
ROUTINE = LIBRARY["en"].routines.cramp_now


def lines_said(reply: dict) -> list[str]:
    """Every line a reply's timeline says, the cues of its holds included, in order."""
    items = [cue for item in reply["timeline"] for cue in (item["hold"]["cues"] if "hold" in item else [item])]
    return [item["say"] for item in items if "say" in item]


def record_captions(page) -> None:
    """From now on the page keeps every line its caption shows, in order; captions(page) reads them.
    (At a fast time scale a line may show for a few milliseconds: too short to poll for.)"""
    page.evaluate(
        """() => {
            const caption = document.querySelector("#caption");
            window.captions = [];
            new MutationObserver(() => window.captions.push(caption.textContent))
                .observe(caption, { childList: true, characterData: true, subtree: true });
        }"""
    )


def captions(page) -> list[str]:
    return page.evaluate("() => window.captions")


def hold_of(reply: dict) -> dict:
    return next(item["hold"] for item in reply["timeline"] if "hold" in item)


def question(page):
    return screen(page, "routine").locator(".question")


def in_language(page, lang: str):
    if lang != "en":
        page.locator(f'.lang[data-lang="{lang}"]').click()
        ready(page, lang)
    return page


def hold_new_visits(page) -> list:
    """A new visit is not started until release(): the page stays on the screen that ended its visit."""
    held: list = []
    page.route("**/api/kiosk/start", lambda route: held.append(route))
    return held


def release(page, held: list) -> None:
    for route in held:
        route.continue_()
    page.unroute("**/api/kiosk/start")


def record_countdown(page) -> None:
    """From now on the page keeps each text the countdown shows (window.counts) and when it shows
    and hides (window.shown: [hidden, performance.now()])."""
    page.evaluate(
        """() => {
            const box = document.querySelector("#countdown");
            window.counts = [];
            window.shown = [];
            new MutationObserver(() => window.counts.push(box.textContent))
                .observe(box, { childList: true, subtree: true, characterData: true });
            new MutationObserver(() => window.shown.push([box.hidden, performance.now()]))
                .observe(box, { attributes: true, attributeFilter: ["hidden"] });
        }"""
    )


def sent_intents(page) -> list[str]:
    """The intents the page sends from now on."""
    sent: list[str] = []

    def note(request) -> None:
        if request.url.endswith("/api/kiosk/intent"):
            sent.append(request.post_data_json["intent"])

    page.on("request", note)
    return sent


def to_the_doctor_step(page, lang: str = "en") -> dict:
    """I have a cramp now, Yes it is easing, Next: the doctor advice, the last part (its reply)."""
    button(page, lang, "relief").click()
    expect(question(page)).to_be_visible(timeout=30_000)  # after the hold
    question(page).locator(".yes").click()
    expect_steps(page, lang, "aftercare_avoid", "aftercare_move")
    return press_intent(page, button(page, lang, "next"))


# ---- Everything said is on screen ----


def test_the_doctor_advice_is_on_screen_in_full_with_its_warning_signs(server, open_page):
    page = ready(open_page(server))
    held = hold_new_visits(page)
    reply = to_the_doctor_step(page)
    doctor = cramp_steps("en")["doctor"]
    assert reply["end"] and reply["view"]["steps"][0]["say"] == doctor.say
    expect_steps(page, "en", "doctor")
    detail = page.locator("#steps .step-detail")
    expect(detail).to_have_text(doctor.say)  # the short line and all that is said, warning signs too
    assert len(doctor.say) > 2 * len(doctor.show)
    played(page)
    check_axe(page, "doctor advice")
    screenshot(page, "reading-doctor")
    release(page, held)


def test_each_line_the_voice_says_is_shown_as_a_caption_outside_any_live_region(server, open_page):
    page = ready(open_page(server))
    caption = page.locator("#caption")
    assert caption.evaluate(
        "c => c.closest('[aria-live], [role=status], [role=log], [role=alert], [role=timer]') === null"
    )
    button(page, "en", "relief").click()
    no = question(page).locator(".no")
    expect(no).to_be_visible(timeout=30_000)
    played(page)
    record_captions(page)
    reply = press_intent(page, no)  # "not easing": once more, with its hold
    played(page)
    said = lines_said(reply)
    assert said[0] == LIBRARY["en"].say["not_easing_again"]
    assert captions(page) == said  # each line, the hold's counted cues too, as it is said
    expect(caption).to_have_text(said[-1])  # and the last stays after it
    expect(caption).to_be_visible()


def test_every_screen_has_repeat_and_the_last_screen_of_a_routine_repeats_itself(server, open_page):
    page = ready(open_page(server, "/kiosk?timescale=0.1"))
    repeat = page.locator("#btn-repeat")
    expect(repeat).to_be_visible()  # home

    held = hold_new_visits(page)
    button(page, "en", "relief").click()
    expect(question(page)).to_be_visible(timeout=30_000)
    expect(repeat).to_be_visible()  # the routine, at its question
    button(page, "en", "pause").click()
    expect(button(page, "en", "resume")).to_be_visible()
    expect(repeat).to_be_visible()  # paused
    press_intent(page, repeat)  # the part again, from its start
    expect(question(page)).to_be_visible(timeout=30_000)
    question(page).locator(".yes").click()
    expect_steps(page, "en", "aftercare_avoid", "aftercare_move")
    expect(repeat).to_be_visible()
    record_captions(page)
    reply = press_intent(page, button(page, "en", "next"))
    assert reply["end"]  # the last screen of the routine: the server has ended the visit
    expect(repeat).to_be_visible()
    repeat.click()  # while it is said: the page says it all again itself
    played(page)
    doctor = cramp_steps("en")["doctor"].say
    assert captions(page).count(doctor) == 2
    release(page, held)
    expect_steps(page, "en", "doctor")  # the last screen stays, to be read, until a press
    button(page, "en", "home").click()
    expect(screen(page, "home")).to_be_visible()
    held = hold_new_visits(page)
    button(page, "en", "why").click()
    expect(screen(page, "topic")).to_be_visible()
    expect(repeat).to_be_visible()
    goodbye = press_intent(page, button(page, "en", "stop"))
    assert goodbye["view"]["screen"] == "goodbye"
    expect(repeat).to_be_visible()
    check_axe(page, "goodbye")
    release(page, held)


# ---- Pause, Resume and the hold's own time ----


def went_on_from(page, paused_at: int) -> list[str]:
    """After a hold stopped at `paused_at` went on (countdown and captions recorded from then): it
    counted on from that second to the end without the part's first lines again, and asked its
    question. The lines said."""
    expect(question(page)).to_be_visible(timeout=30_000)
    played(page)
    counts = [int(re.findall(r"\d+", text)[0]) for text in page.evaluate("() => window.counts")]
    assert counts and max(counts) <= paused_at, counts  # on from the paused second, not from 30
    assert min(counts) == 1
    said = captions(page)
    steps = cramp_steps("en")
    assert steps["straighten"].say not in said and LIBRARY["en"].say["hold_start"] not in said  # not again
    assert steps["check"].say in said, " | ".join(said)
    return said


@pytest.mark.parametrize("key", ["Enter", "Escape"])
def test_pause_mid_hold_keeps_the_screen_and_resume_goes_on_from_the_paused_second(server, open_page, key):
    """Enter presses Pause, which has the focus during a hold; Escape does the same, with a prompt."""
    page = ready(open_page(server, "/kiosk?timescale=0.2"))  # a 6-second hold
    reply = press_intent(page, button(page, "en", "relief"))
    number = page.locator(".count-number")
    expect(number).to_have_text(re.compile(r"^(1\d|2[0-4])$"), timeout=30_000)  # some seconds into it
    page.keyboard.press(key)

    resume = button(page, "en", "resume")
    expect(resume).to_be_focused()
    expect(page.locator("#prompt")).to_have_text(LIBRARY["en"].press["paused"])
    expect_steps(page, "en", *FIRST_PART)  # the steps and their drawings stay
    expect(page.locator("#countdown")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-paused", "true")
    played(page)
    paused_at = int(number.inner_text())
    assert paused_at < hold_of(reply)["seconds"]
    check_axe(page, "paused hold")
    screenshot(page, f"reading-paused-hold-{key.lower()}")

    record_countdown(page)
    record_captions(page)
    press_intent(page, resume)
    said = went_on_from(page, paused_at)
    assert said[0] == LIBRARY["en"].say["resumed"]


@pytest.mark.parametrize("close", ["Escape", "button"])
def test_help_mid_hold_keeps_the_hold_and_closing_help_goes_on_from_its_second(server, open_page, close):
    """Help is one key away, and a visitor who looks up a key mid-stretch has not asked to stop."""
    page = ready(open_page(server, "/kiosk?timescale=0.2"))  # a 6-second hold
    press_intent(page, button(page, "en", "relief"))
    number = page.locator(".count-number")
    expect(number).to_have_text(re.compile(r"^(1\d|2[0-4])$"), timeout=30_000)
    page.keyboard.press("h")
    expect(page.locator("#help")).to_be_visible()
    paused_at = int(number.inner_text())
    expect(page.locator("body")).to_have_attribute("data-playing", "false", timeout=30_000)  # the help's words
    expect(number).to_have_text(str(paused_at))  # the hold waited

    record_countdown(page)
    record_captions(page)
    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/intent")) as answer:
        if close == "Escape":
            page.keyboard.press("Escape")
        else:
            button(page, "en", "close").click()
    assert answer.value.request.post_data_json["intent"] == "AMAZON.ResumeIntent"
    expect(page.locator("#help")).to_be_hidden()
    went_on_from(page, paused_at)


def test_help_during_the_doctor_advice_says_it_on_when_closed_without_a_new_visit(server, open_page):
    """The routine's last part ends the visit on the server, so the page says the rest itself."""
    page = ready(open_page(server))
    held = hold_new_visits(page)
    reply = to_the_doctor_step(page)
    assert reply["end"]
    doctor = cramp_steps("en")["doctor"]
    expect(page.locator("#caption")).to_have_text(doctor.say)
    sent = sent_intents(page)
    page.keyboard.press("h")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#caption")).to_have_text(ui("en")["help_keys"])  # said between visits too
    record_captions(page)
    page.keyboard.press("Enter")  # the dialog's Close button has the focus
    expect(page.locator("#help")).to_be_hidden()
    played(page)
    said = captions(page)
    assert said[0] == doctor.say and ui("en")["help_keys"] not in said, said  # on from where Help stopped it
    assert sent == [] and held == []  # said here: no press to a visit that has ended, and no new one
    expect_steps(page, "en", "doctor")
    release(page, held)


def test_help_while_the_article_is_read_goes_on_with_the_paragraph_when_closed(server, open_page):
    page = ready(open_page(server, "/kiosk?timescale=0.5"))
    longest = max(range(len(SECTIONS)), key=lambda i: len(SECTIONS[i].paragraphs))
    paragraphs = SECTIONS[longest].paragraphs
    button(page, "en", "article").click()
    page.get_by_role("navigation", name=ui("en")["sections"]).get_by_role("button").nth(longest).click()
    reading = page.locator("#article-body p.reading")
    expect(reading).to_have_text(paragraphs[1], timeout=30_000)
    page.keyboard.press("F1")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#caption")).to_have_text(ui("en")["help_keys"])
    record_captions(page)
    page.keyboard.press("Escape")
    expect(heading(page)).to_have_text(SECTIONS[longest].heading)
    expect(reading).to_have_text(paragraphs[2], timeout=30_000)
    said = captions(page)
    assert paragraphs[0] not in said, said  # on from where it stopped, not from the top
    assert said and said[0] in paragraphs[1:], said


def test_a_hold_lasts_its_seconds_with_the_cues_counted_in(server, open_page):
    page = ready(open_page(server, "/kiosk?timescale=0.1"))
    record_countdown(page)
    reply = press_intent(page, button(page, "en", "relief"))
    expect(question(page)).to_be_visible(timeout=30_000)
    expected_ms = hold_of(reply)["seconds"] * 1000 * 0.1
    ratio = page.evaluate(
        """(expected) => {
            const start = window.shown.findIndex(([hidden]) => !hidden);
            const end = window.shown.slice(start).find(([hidden]) => hidden);
            return (end[1] - window.shown[start][1]) / expected;
        }""",
        expected_ms,
    )
    assert 0.9 <= ratio <= 1.1, f"the hold took {ratio:.2f} times its time"


@pytest.mark.parametrize("lang", LANGS)
def test_one_second_left_is_said_in_the_singular(server, open_page, lang):
    page = in_language(ready(open_page(server, "/kiosk?timescale=0.1")), lang)
    record_countdown(page)
    button(page, lang, "relief").click()
    expect(question(page)).to_be_visible(timeout=30_000)
    shown = page.evaluate("() => window.counts")
    assert ui(lang)["seconds_left"].format(seconds=1) not in shown  # not "1 seconds left"
    assert ui(lang)["second_left"].format(seconds=1) in shown
    assert ui(lang)["seconds_left"].format(seconds=2) in shown


# ---- The article as a DAISY-like player ----


def heading(page):
    return screen(page, "article").locator("#article-heading")


def test_the_sections_are_a_navigation_of_buttons_with_keys_for_next_and_previous(server, open_page):
    page = ready(open_page(server, "/kiosk?timescale=0.5"))  # slow enough that no section ends meanwhile
    button(page, "en", "article").click()
    nav = page.get_by_role("navigation", name=ui("en")["sections"])
    buttons = nav.get_by_role("button")
    expect(buttons).to_have_count(len(SECTIONS))
    expect(nav.locator("[aria-current=true]")).to_have_text(SECTIONS[0].heading)

    with page.expect_request(lambda r: r.url.endswith("/api/kiosk/intent")) as sent:
        buttons.nth(2).click()
    assert sent.value.post_data_json | {"session": None, "turn": None} == {
        "intent": "GoToSectionIntent",
        "section": "3",
        "session": None,
        "turn": None,
    }
    expect(heading(page)).to_have_text(SECTIONS[2].heading)
    expect(nav.locator("[aria-current=true]")).to_have_text(SECTIONS[2].heading)
    expect(buttons.nth(2)).to_be_focused()  # the pressed button keeps the focus
    expect(page).to_have_title(f"{ui('en')['app_name']} — {LIBRARY['en'].article.title}")
    expect(page.locator("#article-body p.reading")).to_have_text(SECTIONS[2].paragraphs[0])  # being read
    check_axe(page, "article with its sections, a paragraph being read")
    screenshot(page, "reading-article-nav")

    page.keyboard.press("n")
    expect(heading(page)).to_have_text(SECTIONS[3].heading)
    expect(nav.locator("[aria-current=true]")).to_have_text(SECTIONS[3].heading)
    page.keyboard.press("p")
    expect(heading(page)).to_have_text(SECTIONS[2].heading)
    for lang in LANGS:  # the keys are in the help, in words for the ear
        assert re.search(r"\bN\b.*\bP\b", ui(lang)["help_keys"]), lang


def test_the_paragraph_being_read_is_marked_and_in_view(server, open_page):
    page = ready(open_page(server, "/kiosk?timescale=0.05"))
    for _ in range(2):
        button(page, "en", "larger").click()  # a section longer than the screen
    page.evaluate(
        """() => {
            window.marked = [];
            const body = document.querySelector("#article-body");
            new MutationObserver((changes) => {
                for (const { target } of changes) {
                    if (!target.classList.contains("reading")) continue;
                    const box = target.getBoundingClientRect();
                    const at = (y) => document.elementFromPoint(box.left + 8, y);
                    const seen = box.top >= 0 && box.bottom <= innerHeight
                        && at(box.top + 4) === target && at(box.bottom - 4) === target;
                    window.marked.push({ text: target.textContent, seen, scrolled: scrollY });
                }
            }).observe(body, { attributes: true, attributeFilter: ["class"], subtree: true });
        }"""
    )
    button(page, "en", "article").click()
    longest = max(range(len(SECTIONS)), key=lambda i: len(SECTIONS[i].paragraphs))
    page.get_by_role("navigation", name=ui("en")["sections"]).get_by_role("button").nth(longest).click()
    expect(heading(page)).to_have_text(SECTIONS[longest + 1].heading, timeout=30_000)  # it was read through
    button(page, "en", "pause").click()
    marked = [item for item in page.evaluate("() => window.marked") if item["text"] in SECTIONS[longest].paragraphs]
    assert [item["text"] for item in marked] == list(SECTIONS[longest].paragraphs)  # each, as it is read
    assert all(item["seen"] for item in marked), marked  # in view, clear of the buttons
    assert max(item["scrolled"] for item in marked) > 0  # it scrolled to them
    assert page.locator("#article-body p.reading").count() <= 1  # one at a time


def test_sections_play_on_by_themselves_until_paused_and_the_last_does_not_loop(server, open_page):
    page = ready(open_page(server, "/kiosk?timescale=0.05"))  # a section in a few seconds
    sent = sent_intents(page)
    button(page, "en", "article").click()
    for index in (1, 2):  # no press: each section read to its end goes on to the next
        expect(heading(page)).to_have_text(SECTIONS[index].heading, timeout=15_000)
    assert sent[:3] == ["ReadArticleIntent", "AMAZON.NextIntent", "AMAZON.NextIntent"]

    press_intent(page, button(page, "en", "pause"))
    expect(button(page, "en", "resume")).to_be_focused()
    played(page)
    where = heading(page).inner_text()
    before = len(sent)
    press_intent(page, button(page, "en", "slower"))  # a Next sent by itself would have come first
    assert sent[before - 1 :] == ["AMAZON.PauseIntent", "SlowerIntent"]
    expect(heading(page)).to_have_text(where)

    press_intent(page, button(page, "en", "resume"))  # and on it goes
    expect(heading(page)).not_to_have_text(where, timeout=15_000)

    nav = page.get_by_role("navigation", name=ui("en")["sections"])
    press_intent(page, nav.get_by_role("button").last)
    expect(heading(page)).to_have_text(SECTIONS[-1].heading)
    played(page)
    before = len(sent)
    press_intent(page, button(page, "en", "slower"))
    assert sent[before - 1 :] == ["GoToSectionIntent", "SlowerIntent"]  # the last section does not loop
    expect(heading(page)).to_have_text(SECTIONS[-1].heading)


def test_a_skip_link_on_the_home_screen_goes_straight_to_the_article(server, open_page):
    page = ready(open_page(server))
    link = page.get_by_role("link", name=ui("en")["skip_to_article"], exact=True)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    expect(link).to_be_in_viewport()
    check_axe(page, "home with the skip link")
    screenshot(page, "reading-skip-link")
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text(SECTIONS[0].heading)
    expect(link).to_be_hidden()  # on the home screen only
    expect(page.locator(":focus")).to_be_visible()  # the focus is not lost


# ---- What a screen reader is told ----


def test_each_drawing_is_described_apart_from_its_step(server, open_page):
    for lang in LANGS:
        texts = [text for step in cramp_steps(lang).values() for text in (step.show, step.say)]
        for figure in FIGURES:
            alt = ui(lang)[f"figure_{figure}"]
            assert alt not in texts and not any(alt in text or text in alt for text in texts), (lang, figure)
    page = ready(open_page(server))
    button(page, "en", "relief").click()
    expect_steps(page, "en", *FIRST_PART)  # each drawing named by what it shows


def test_the_live_region_says_where_the_visitor_is_not_what_the_voice_says(server, open_page):
    page = ready(open_page(server))
    live = page.locator("#live")
    expect(live).to_have_text(ui("en")["screen_home"])
    reply = press_intent(page, button(page, "en", "relief"))
    expect(live).to_have_text(ui("en")["screen_routine"].format(title=ROUTINE.title, n=1, total=len(ROUTINE.steps)))
    played(page)
    assert not any(line in live.inner_text() for line in lines_said(reply) if len(line) > 3)

    press_intent(page, button(page, "en", "pause"))
    expect(live).to_have_text(ui("en")["screen_paused"].format(title=ROUTINE.title))
    press_intent(page, button(page, "en", "home"))
    expect(live).to_have_text(ui("en")["screen_home"])
    button(page, "en", "article").click()
    expect(live).to_have_text(
        ui("en")["screen_article"].format(
            title=LIBRARY["en"].article.title, n=1, total=len(SECTIONS), heading=SECTIONS[0].heading
        )
    )

    button(page, "en", "mute").click()  # without the voice, the region says what it would have said
    reply = press_intent(page, button(page, "en", "home"))
    expect(live).to_have_text(f"{ui('en')['screen_home']} {reply['text']}")


def test_the_document_title_names_the_screen(server, open_page):
    page = ready(open_page(server))
    app = ui("en")["app_name"]
    expect(page).to_have_title(app)
    button(page, "en", "doctor").click()
    expect(page).to_have_title(f"{app} — {LIBRARY['en'].topics.see_doctor.title}")
    button(page, "en", "home").click()
    expect(page).to_have_title(app)
    button(page, "en", "relief").click()
    expect(page).to_have_title(f"{app} — {ROUTINE.title}")
