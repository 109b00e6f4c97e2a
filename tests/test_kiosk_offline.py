"""When the server is away (issue #13, finding 8).

The page says that the kiosk is not answering (on screen in a live region, and in speech from a
clip it fetched ahead), Stop still stops the speech at once, and the page tries again quietly. When
the server answers again, the next press goes on in the same visit if the server still has it,
else the page offers to start over: a press is never applied to a new visit it was not meant for.

The page in Chromium against the server as `make run` starts it (tests/deployed.py), stopped and
started again at the same address, or with the network cut by the browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.deployed import HOST, Deployed
from tests.test_kiosk_browser import button, press_intent, ready, screen
from tests.test_kiosk_visit_lifetime import (
    has_hold,
    hold_on_the_page,
    kept_clips_played,
    kiosk,  # noqa: F401 - the page fixture
    played,
    posts,
    status,
    ui,
    wait_until,
)


class Restartable:
    """A server as `make run` starts it, which can be stopped and started again at the same address."""

    def __init__(self, folder: Path, speech: Path):
        self.folder, self.speech, self.runs = folder, speech, 0
        self.live = self._start(None)

    def _start(self, port: int | None) -> Deployed:
        self.runs += 1
        env = {"KIOSK_VISITS_PER_MINUTE": "100000"} | ({"PORT": str(port)} if port else {})
        live = Deployed(self.folder / f"run-{self.runs}", self.speech, **env)
        if port:  # Deployed picks a free port of its own; PORT above has overridden it
            live.port, live.url = port, f"http://{HOST}:{port}"
        return live.wait_ready()

    def stop(self) -> None:
        self.live.stop()

    def restart(self) -> None:
        """Started again: a new process, which knows no visit of the one before."""
        self.live = self._start(self.live.port)


@pytest.fixture
def server(tmp_path, data_dir):
    speech = Path(data_dir) / "speech"  # the browser tests' own speech cache
    speech.mkdir(exist_ok=True)
    restartable = Restartable(tmp_path, speech)
    yield restartable
    restartable.stop()


def no_button(page):
    return screen(page, "routine").get_by_role("button", name=ui("no"), exact=True)


def test_server_stopped_mid_routine_then_restarted(server, kiosk):  # noqa: F811
    """Stop the server while the hold plays: Stop still stops the speech, and No says the kiosk is
    not answering. Started again, the server has forgotten the visit: the page offers to start over,
    and No is not taken as the answer to the home question of a new visit."""
    page = ready(kiosk(server.live, "/kiosk?timescale=0.5"))  # a hold of about half a minute
    reply = press_intent(page, button(page, "en", "relief"))
    while not has_hold(reply):
        played(page)
        reply = press_intent(page, button(page, "en", "next"))
    server.stop()  # the reply has come: it plays on from what it brought
    starts, intents = posts(page, "/api/kiosk/start"), posts(page, "/api/kiosk/intent")
    countdown = page.locator("#countdown")
    expect(countdown).to_be_visible(timeout=30_000)
    said = kept_clips_played(page)

    page.locator("#btn-stop").click()
    expect(page.locator("body")).to_have_attribute("data-playing", "false")
    expect(countdown).to_be_hidden()
    assert page.locator("#player").evaluate("player => player.paused")
    expect(status(page)).to_have_text(ui("offline"))

    expect(no_button(page)).to_be_visible()  # the question after the hold is back
    no_button(page).click()
    expect(status(page)).to_have_text(ui("offline"))
    wait_until(lambda: kept_clips_played(page) > said, 10, "'not answering' was not said")

    server.restart()
    expect(status(page)).to_have_text(ui("visit_lost"), timeout=30_000)
    start_over = button(page, "en", "start_over")
    expect(start_over).to_be_visible()
    no_button(page).click()  # the visit is gone: said again, sent nowhere
    expect(status(page)).to_have_text(ui("visit_lost"))
    expect(screen(page, "routine")).to_be_visible()
    assert not starts and all(response.status == 409 for response in intents)

    with page.expect_response(lambda r: r.url.endswith("/api/kiosk/start")) as started:
        start_over.click()
    assert started.value.request.post_data_json == {"lang": "en"}
    expect(screen(page, "home")).to_be_visible()
    expect(status(page)).to_have_text("")


def test_after_a_short_outage_the_next_press_goes_on_in_the_same_visit(server, kiosk):  # noqa: F811
    """The network is away for a while and the server keeps the visit: once it answers, the page
    says so, and No answers "is it easing?" in the same visit."""
    page = ready(kiosk(server.live))
    reply = hold_on_the_page(page)
    starts = posts(page, "/api/kiosk/start")
    page.route("**/api/kiosk/**", lambda route: route.abort())
    said = kept_clips_played(page)

    no_button(page).click()
    expect(status(page)).to_have_text(ui("offline"))
    wait_until(lambda: kept_clips_played(page) > said, 10, "'not answering' was not said")
    expect(no_button(page)).to_be_visible()

    page.unroute("**/api/kiosk/**")
    expect(status(page)).to_have_text(ui("online"), timeout=15_000)
    no = press_intent(page, no_button(page))
    assert no["session"] == reply["session"] and no["turn"] == reply["turn"] + 1
    assert no["view"]["screen"] == "routine"
    expect(status(page)).to_have_text("")
    assert not starts
