"""How long a kiosk visit lives (issue #13, finding 1).

A visit is idle only once the idle time has passed after its reply has been played: a reply with a
timed hold plays for most of a minute. A visit the server no longer has is said to be over, with a
Start over button, and the press is never sent again (in a new visit it would answer another
question). A visit left alone is told shortly before it is reset.

Visit's idle clock with an injected clock; the API with a stand-in clock; then the page in Chromium
against the server as `make run` starts it (tests/deployed.py), with a short KIOSK_IDLE_SECONDS and
?timescale= to keep them quick. Expected words come from the loaded content.
"""

from __future__ import annotations

import functools
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app import create_app
from coach.visit import Visit
from kiosk import web
from tests.browser import LANDSCAPE, PageProblems
from tests.deployed import Deployed
from tests.test_kiosk_browser import LIBRARY, button, press_intent, ready, screen

IDLE = 6  # KIOSK_IDLE_SECONDS for the page tests: the hold reply below plays longer than this
PACE = 0.25  # ?timescale= for the page tests: the hold reply (about a minute) plays in about 15 s
PAGE = f"/kiosk?timescale={PACE}"
# Failed requests that a test causes on purpose show in the console; nothing else may.
EXPECTED_ERRORS = re.compile(r"^Failed to load resource: (net::ERR_\w+|the server responded with a status of 409\b)")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ui(key: str, lang: str = "en") -> str:
    return LIBRARY[lang].ui[key]


# --- Visit's idle clock ---------------------------------------------------------------------------


def test_the_idle_time_counts_from_the_end_of_the_reply(engine):
    clock, asked = Clock(), []

    def playing(reply):
        asked.append(reply)
        return 55.0

    visit = Visit(engine, "en", idle_seconds=10, clock=clock, playing=playing)
    visit.start()
    reply = visit.intent("CrampNowIntent")
    assert asked[-1] is reply  # each reply's own playing time
    clock.now += 55 + 9  # 64 s after the request: idle had it counted from there
    assert not visit.idle()
    clock.now += 1
    assert visit.idle()


def test_without_a_playing_time_the_idle_time_counts_from_the_reply(engine):
    clock = Clock()
    visit = Visit(engine, "en", idle_seconds=10, clock=clock)
    visit.intent("CrampNowIntent")
    clock.now += 9
    assert not visit.idle()
    clock.now += 1
    assert visit.idle()


def test_touch_starts_the_idle_time_again_after_what_it_says(engine):
    clock = Clock()
    visit = Visit(engine, "en", idle_seconds=10, clock=clock, playing=lambda reply: 5.0)
    reply = visit.intent("CrampNowIntent")
    clock.now += 14
    visit.touch()  # the visitor answered the page's notice
    clock.now += 9
    assert not visit.idle()
    visit.touch(reply)  # a label said at the visitor's asking: counted from its end
    clock.now += 5 + 9
    assert not visit.idle()
    clock.now += 1
    assert visit.idle()


def test_a_paused_visit_keeps_its_place_for_the_idle_time_after_pausing(engine):
    clock = Clock()
    visit = Visit(engine, "en", idle_seconds=10, clock=clock, playing=lambda reply: 2.0)
    visit.intent("CrampNowIntent")
    clock.now += 300
    paused = visit.intent("AMAZON.PauseIntent")
    assert paused.view.to_dict().get("paused") and visit.state is not None
    step = visit.state["step"]
    clock.now += 2 + 9
    assert not visit.idle()
    resumed = visit.intent("AMAZON.ResumeIntent")
    assert resumed.view.screen == "routine" and visit.state["step"] == step


def test_turn_counts_the_replies_of_a_visit(engine):
    visit = Visit(engine, "en")
    assert visit.turn == 0
    visit.intent("CrampNowIntent")  # a new visit's first press: the welcome, then its reply
    assert visit.turn == 2
    visit.intent("AMAZON.RepeatIntent")
    assert visit.turn == 3


# --- the API --------------------------------------------------------------------------------------


@pytest.fixture
def clocked(tmp_path, monkeypatch):
    """The app, its visits on a stand-in clock: (client, clock, app)."""
    clock = Clock()
    monkeypatch.setattr(web, "Visit", functools.partial(Visit, clock=clock))
    app = create_app({"DATA_DIR": str(tmp_path), "KIOSK_IDLE_SECONDS": 10})
    return app.test_client(), clock, app


def alive(client, session: str) -> bool:
    """Whether the server still has the visit, without touching it: a label it does not know is a 400
    while the visit lives, a 409 once it is gone, and changes nothing."""
    status = client.post("/api/kiosk/label", json={"session": session, "key": "no such label"}).status_code
    assert status in (400, 409)
    return status == 400


def reset_for_the_next_person(starts: list) -> None:
    """The only new visit was the idle reset, and it says so."""
    wait_until(lambda: starts, 10, "no new visit was started")
    assert [response.request.post_data_json for response in starts] == [{"lang": "en", "reason": "idle"}]
    assert LIBRARY["en"].say["idle_reset"] in starts[0].json()["text"]


def has_hold(reply: dict) -> bool:
    return any("hold" in item for item in reply["timeline"])


def to_the_hold(post) -> dict:
    """ "I have a cramp now", then Next until a reply brings a timed hold; that reply."""
    reply = post("CrampNowIntent")
    for _ in range(5):
        if has_hold(reply):
            return reply
        reply = post("AMAZON.NextIntent")
    raise AssertionError("no reply with a timed hold")


def timeline_seconds(timeline: list[dict], lang: str, rate: float, speaker) -> float:
    """How long the page plays a timeline: clips (their WAV length or estimate, as the server counts
    them) and pauses, cues of a hold included."""
    said = functools.partial(web.said_seconds, lang=lang, rate=rate, speaker=speaker)
    total = 0.0
    for item in timeline:
        if "hold" in item:
            total += sum(said(cue["say"]) + cue["pause"] for cue in item["hold"]["cues"])
        else:
            total += item["pause"] if "pause" in item else said(item["say"])
    return total


def test_the_server_counts_idle_time_from_the_end_of_the_reply_at_the_pages_pace(clocked):
    client, clock, app = clocked
    start = client.post("/api/kiosk/start", json={"lang": "en"}, headers={"X-Kiosk-Timescale": "0.5"}).get_json()
    session = start["session"]

    def post(intent):
        return client.post("/api/kiosk/intent", json={"session": session, "intent": intent}).get_json()

    reply = to_the_hold(post)
    playing = 0.5 * timeline_seconds(reply["timeline"], "en", reply["rate"], app.extensions["speaker"])
    assert playing > 10  # the page plays it for longer than the idle time
    clock.now += playing + 9.9
    assert alive(client, session)
    clock.now += 0.2
    assert not alive(client, session)


@pytest.mark.parametrize("header", [None, "0", "2", "nan", "soon"])
def test_a_timescale_outside_0_to_1_is_real_time(clocked, header):
    client, clock, app = clocked
    headers = {"X-Kiosk-Timescale": header} if header else {}
    start = client.post("/api/kiosk/start", json={"lang": "en"}, headers=headers).get_json()
    playing = timeline_seconds(start["timeline"], "en", start["rate"], app.extensions["speaker"])
    clock.now += playing + 9.9
    assert alive(client, start["session"])


def test_a_press_that_answers_an_earlier_reply_is_refused(clocked):
    """Its answer was lost on the way (the server went away): the visit has moved on without the page."""
    client, _, _ = clocked
    start = client.post("/api/kiosk/start", json={"lang": "en"}).get_json()
    session = start["session"]

    def post(intent, turn):
        return client.post("/api/kiosk/intent", json={"session": session, "intent": intent, "turn": turn})

    first = post("CrampNowIntent", start["turn"])
    assert first.status_code == 200 and first.get_json()["turn"] == start["turn"] + 1
    assert post("AMAZON.NextIntent", start["turn"]).status_code == 409
    assert post("AMAZON.NextIntent", str(first.get_json()["turn"])).status_code == 400
    again = post("AMAZON.RepeatIntent", first.get_json()["turn"]).get_json()
    assert again["view"] == first.get_json()["view"]  # the refused press changed nothing


def test_touch_keeps_a_visit_the_page_still_shows(clocked):
    client, clock, app = clocked
    start = client.post("/api/kiosk/start", json={"lang": "en"}).get_json()
    session, turn = start["session"], start["turn"]
    clock.now += timeline_seconds(start["timeline"], "en", start["rate"], app.extensions["speaker"]) + 9
    touched = client.post("/api/kiosk/touch", json={"session": session, "turn": turn})
    assert touched.get_json() == {"session": session, "turn": turn}
    clock.now += 9.9
    assert alive(client, session)
    assert client.post("/api/kiosk/touch", json={"session": session, "turn": turn + 1}).status_code == 409
    assert client.post("/api/kiosk/touch", json={"session": "nope"}).status_code == 409
    clock.now += 0.2
    assert client.post("/api/kiosk/touch", json={"session": session, "turn": turn}).status_code == 409


# --- the page, against the server as `make run` starts it ----------------------------------------


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, data_dir):
    """One server with a short idle time. Its speech cache is the browser tests' own."""
    speech = Path(data_dir) / "speech"
    speech.mkdir(exist_ok=True)
    live = Deployed(
        tmp_path_factory.mktemp("lifetime"), speech, KIOSK_IDLE_SECONDS=str(IDLE), KIOSK_VISITS_PER_MINUTE="100000"
    ).wait_ready()
    yield live
    live.stop()


@pytest.fixture
def kiosk(browser):
    """kiosk(live, path, slow_idle=False) -> the page in a fresh context. At the end: no problem in it
    but the failed requests a test causes on purpose."""
    opened = []

    def open_(live, path: str = PAGE, slow_idle: bool = False):
        context = browser.new_context(viewport=LANDSCAPE, base_url=live.url)
        page = context.new_page()
        opened.append((context, PageProblems(page, live.url)))
        if slow_idle:
            page.route("**/kiosk?*", slow_page_idle)
        page.goto(path)
        page.evaluate("""() => {
            window.played = [];
            document.querySelector('#player').addEventListener('playing', (e) => window.played.push(e.target.src));
        }""")
        return page

    yield open_
    for context, _ in opened:
        context.close()
    for _, problems in opened:
        unexpected = [error for error in problems.errors if not EXPECTED_ERRORS.match(error)]
        assert not unexpected, "\n".join(unexpected)


def slow_page_idle(route) -> None:
    """The kiosk page, its own idle time ten minutes: the server's runs out long before."""
    response = route.fetch()
    route.fulfill(
        response=response, body=re.sub(r'data-idle-seconds="[^"]*"', 'data-idle-seconds="600"', response.text())
    )


def posts(page, path: str) -> list:
    """The responses to every request to `path` from now on."""
    seen: list = []

    def note(response) -> None:
        if response.url.endswith(path):
            seen.append(response)

    page.on("response", note)
    return seen


def status(page):
    """The page's own status line, in its live region (role=status)."""
    return page.get_by_role("status").filter(has=page.locator("#status"))


def kept_clips_played(page) -> int:
    """How many times the page played a clip it keeps for when the server is away (a blob: URL)."""
    return sum(src.startswith("blob:") for src in page.evaluate("() => window.played"))


def server_alive(live: Deployed, session: str) -> bool:
    """As alive(), against the deployed server."""
    status, _ = live.post_json("/api/kiosk/label", {"session": session, "key": "no such label"})
    assert status in (400, 409)
    return status == 400


def wait_until(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def played(page) -> None:
    """Until the page has played the last reply, at PACE."""
    expect(page.locator("body")).to_have_attribute("data-playing", "false", timeout=60_000)


def quiet_seconds(timeline: list[dict]) -> float:
    """The pauses of a timeline, those in its holds included: less than it takes to play."""
    holds = [item["hold"] for item in timeline if "hold" in item]
    return sum(item.get("pause", 0) for item in timeline) + sum(cue["pause"] for hold in holds for cue in hold["cues"])


def hold_on_the_page(page) -> dict:
    """Press "I have a cramp now", then Next until a reply brings a timed hold; that reply, played."""
    reply = press_intent(page, button(page, "en", "relief"))
    while not has_hold(reply):
        played(page)
        reply = press_intent(page, button(page, "en", "next"))
    expect(page.locator("#countdown")).to_be_visible(timeout=30_000)
    played(page)
    return reply


def test_a_visit_lives_on_while_its_long_reply_plays_then_idles_out(deployed, kiosk):
    """Finding 1, the 75-s scenario compressed: the hold reply plays longer than the idle time. "No"
    pressed after it still answers "is it easing?" in the same visit, not the home question of a
    new visit. Then, left alone, the visit is told it ends soon and is forgotten."""
    page = ready(kiosk(deployed))
    starts = posts(page, "/api/kiosk/start")
    reply = hold_on_the_page(page)
    session = reply["session"]
    assert quiet_seconds(reply["timeline"]) * PACE > IDLE  # it played longer than the idle time
    assert server_alive(deployed, session)

    no = press_intent(page, screen(page, "routine").get_by_role("button", name=ui("no"), exact=True))
    assert no["session"] == session and no["view"]["screen"] == "routine"
    expect(screen(page, "routine")).to_be_visible()
    assert not starts  # no new visit took the press
    played(page)

    expect(status(page)).to_have_text(ui("idle_warning"), timeout=IDLE * 1000 + 5000)
    assert server_alive(deployed, session)  # told before it ends
    expect(screen(page, "home")).to_be_visible(timeout=IDLE * 1000)
    reset_for_the_next_person(starts)
    wait_until(lambda: not server_alive(deployed, session), IDLE * 2, "the visit was never forgotten")


def test_a_paused_visit_keeps_its_place_and_is_told_before_the_reset(deployed, kiosk):
    page = ready(kiosk(deployed))
    starts = posts(page, "/api/kiosk/start")
    press_intent(page, button(page, "en", "relief"))
    paused = press_intent(page, button(page, "en", "pause"))
    expect(button(page, "en", "resume")).to_be_visible()
    played(page)
    before = kept_clips_played(page)

    expect(status(page)).to_have_text(ui("idle_warning"), timeout=IDLE * 1000)
    expect(button(page, "en", "resume")).to_be_visible()  # its place is kept
    wait_until(lambda: kept_clips_played(page) > before, 10, "the notice was not said")
    resumed = press_intent(page, button(page, "en", "resume"))  # any press now keeps the visit
    assert resumed["session"] == paused["session"] and resumed["view"]["screen"] == "routine"
    expect(status(page)).to_have_text("")

    press_intent(page, button(page, "en", "pause"))
    played(page)
    expect(status(page)).to_have_text(ui("idle_warning"), timeout=IDLE * 1000)
    expect(screen(page, "home")).to_be_visible(timeout=IDLE * 1000)
    reset_for_the_next_person(starts)


def test_a_gone_visit_is_said_to_be_over_and_the_press_is_not_sent_again(deployed, kiosk):
    """The page's own idle time runs slow (as when its device sleeps) while the server's runs out.
    The next press finds the visit gone: the page says so, offers Start over, and sends nothing."""
    page = kiosk(deployed, slow_idle=True)
    ready(page)
    reply = press_intent(page, button(page, "en", "relief"))
    played(page)
    starts, intents = posts(page, "/api/kiosk/start"), posts(page, "/api/kiosk/intent")
    wait_until(lambda: not server_alive(deployed, reply["session"]), IDLE * 4, "the visit was never forgotten")
    before = kept_clips_played(page)

    button(page, "en", "next").click()
    expect(status(page)).to_have_text(ui("visit_ended"))
    start_over = button(page, "en", "start_over")
    expect(start_over).to_be_visible()
    expect(start_over).to_be_focused()
    wait_until(lambda: kept_clips_played(page) > before, 10, "the page did not say it")
    expect(screen(page, "routine")).to_be_visible()  # nothing else was answered
    assert [response.status for response in intents] == [409] and not starts

    button(page, "en", "next").click()  # still gone: said again, nothing sent
    expect(status(page)).to_have_text(ui("visit_ended"))
    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/start")) as started:
        start_over.click()
    assert started.value.request.post_data_json == {"lang": "en"}
    expect(screen(page, "home")).to_be_visible()
    expect(status(page)).to_have_text("")
    expect(start_over).to_be_hidden()
    assert [response.status for response in intents] == [409]


def test_the_first_press_on_a_forgotten_welcome_goes_into_a_new_visit(deployed, kiosk):
    """A kiosk left at its welcome for a long while: the server has forgotten that visit, but a new
    one starts at the very same place, so the first press goes into a new one and means the same
    there, with no word of a visit ending."""
    page = ready(kiosk(deployed, slow_idle=True))
    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/start")) as welcome:
        page.reload()  # a welcome whose visit the test knows
    ready(page)
    session = welcome.value.json()["session"]
    wait_until(lambda: not server_alive(deployed, session), IDLE * 4, "the visit was never forgotten")
    starts, intents = posts(page, "/api/kiosk/start"), posts(page, "/api/kiosk/intent")

    button(page, "en", "relief").click()
    expect(screen(page, "routine")).to_be_visible()
    wait_until(lambda: len(intents) == 2, 10, "the press did not go into a new visit")
    assert [response.status for response in intents] == [409, 200]
    assert [response.request.post_data_json for response in starts] == [{"lang": "en"}]
    assert intents[1].json()["session"] == starts[0].json()["session"] != session
    expect(status(page)).to_have_text("")
