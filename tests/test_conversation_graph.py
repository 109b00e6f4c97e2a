"""The conversation-graph check (coach/graph.py): every reachable state with every intent, in every
language, keeps the rules: no fault, no silence, a reprompt when open, understood commands never get
"not understood", the doctor named before any path about symptoms ends, short replies, and quick
help for someone with a cramp now. Any breach fails. The last tests show the check can fail."""

from __future__ import annotations

import pytest

from coach import engine as engine_module
from coach.graph import MAX_WORDS, table, walk
from coach.reply import Say
from content import LANGUAGES


@pytest.fixture(scope="module", params=LANGUAGES)
def summary(request, library):
    from coach.engine import Engine

    return walk(Engine(library), request.param)


def test_no_breach(summary):
    print("\n" + table([summary]))
    assert not summary.breaches, "\n".join(map(str, summary.breaches[:20]))


def test_the_walk_covers_the_conversation(summary):
    """Every mode is reached, and help comes quickly, with the figures the README reports."""
    assert summary.states > 1000 and summary.edges > 20 * summary.states
    assert summary.longest_words <= MAX_WORDS and 0 < summary.to_stretch <= 10 and 0 < summary.to_hold <= 30


def test_a_goodbye_without_the_doctor_is_a_breach(library, monkeypatch):
    def goodbye_only(self, turn, closing):
        turn.speak(closing)
        turn.end = True
        turn.state = engine_module.State(mode="menu")

    monkeypatch.setattr(engine_module.Engine, "_end", goodbye_only)
    breaches = walk(engine_module.Engine(library), "en").breaches
    assert any(b.rule == "ends without the doctor" and b.path[-1] == "AMAZON.StopIntent" for b in breaches)


def test_a_command_answered_as_not_understood_is_a_breach(library, monkeypatch):
    monkeypatch.delitem(engine_module.IN_MODE, ("ask", "AMAZON.NextIntent"))
    breaches = walk(engine_module.Engine(library), "en").breaches
    rule = "understood, answered as not understood"
    assert any(b.rule == rule and b.path == ("(launch)", "AMAZON.NextIntent") for b in breaches)


def test_a_long_reply_and_a_late_stretch_are_breaches(library, monkeypatch):
    padding = " ".join(["slowly"] * (MAX_WORDS + 1))
    original = engine_module.Engine._cramp_now

    def padded(self, turn):
        turn.segments.append(Say(padding))
        original(self, turn)

    monkeypatch.setitem(engine_module.ANYWHERE, "CrampNowIntent", padded)
    rules = {b.rule for b in walk(engine_module.Engine(library), "en").breaches}
    assert {"reply too long", "first stretch instruction too late"} <= rules
