"""When nothing matched: a short, kind answer, the visit left where it was, and after two misses
in a row a pointer to another way (buttons and keys on the kiosk, the menu by voice)."""

from __future__ import annotations

import json

import pytest

from app import create_app
from coach.reply import Profile, SameView, Settings
from speech.asr import Stream

LANGS = ("en", "nb", "da")
OFF_TOPIC = {"en": "is the car park still open", "nb": "hvor har du parkert bilen", "da": "hvor har du parkeret bilen"}


def routine_state(engine, lang):
    return engine.handle({"mode": "menu"}, "CrampNowIntent", Settings(lang, Profile(disclaimer_heard=True))).state


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("screen", [True, False])
def test_two_misses_in_a_row_point_to_another_way(engine, library, lang, screen):
    say = library[lang].say
    settings = Settings(lang, Profile(disclaimer_heard=True), screen=screen)
    state = routine_state(engine, lang)
    first = engine.handle(state, "AMAZON.FallbackIntent", settings)
    assert first.text.startswith(say["fallback"]) and first.view == SameView()
    second = engine.handle(first.state, "AMAZON.FallbackIntent", settings)
    again = say["fallback_again_screen" if screen else "fallback_again_voice"]
    assert second.text.startswith(again) and second.view == SameView()
    third = engine.handle(second.state, "AMAZON.FallbackIntent", settings)
    assert third.text.startswith(again)
    where = {k: v for k, v in state.items() if k != "misses"}
    assert all({k: v for k, v in r.state.items() if k != "misses"} == where for r in (first, second, third))
    understood = engine.handle(second.state, "AMAZON.RepeatIntent", settings)
    assert understood.state["misses"] == 0
    assert engine.handle(understood.state, "AMAZON.FallbackIntent", settings).text.startswith(say["fallback"])


@pytest.mark.parametrize("lang", LANGS)
def test_typed_talk_that_is_not_for_us_leaves_the_visit_where_it_was(tmp_path, library, lang):
    client = create_app({"DATA_DIR": str(tmp_path)}).test_client()
    visit = client.post("/api/kiosk/start", json={"lang": lang}).get_json()
    session = visit["session"]
    step = client.post("/api/kiosk/intent", json={"session": session, "intent": "CrampNowIntent"}).get_json()
    said = client.post("/api/kiosk/say", json={"session": session, "text": OFF_TOPIC[lang]}).get_json()
    assert said["intent"] == "AMAZON.FallbackIntent" and said["view"] == {"screen": "same"}
    assert said["text"].startswith(library[lang].say["fallback"])
    again = client.post("/api/kiosk/say", json={"session": session, "text": OFF_TOPIC[lang]}).get_json()
    assert again["text"].startswith(library[lang].say["fallback_again_screen"])
    following = client.post("/api/kiosk/intent", json={"session": session, "intent": "AMAZON.NextIntent"}).get_json()
    expected = client.post("/api/kiosk/start", json={"lang": lang}).get_json()["session"]
    client.post("/api/kiosk/intent", json={"session": expected, "intent": "CrampNowIntent"})
    straight = client.post("/api/kiosk/intent", json={"session": expected, "intent": "AMAZON.NextIntent"}).get_json()
    assert following["view"] == straight["view"] and following["text"] == straight["text"]
    assert step["view"]["screen"] == "routine"


class FakeRecognizer:
    """Stands in for Vosk's recognizer, giving the results a grammar with "[unk]" gives."""

    def __init__(self, finals):
        self.finals = list(finals)

    def AcceptWaveform(self, pcm):  # noqa: N802 - Vosk's name
        return True

    def Result(self):  # noqa: N802
        return json.dumps({"text": self.finals.pop(0)})

    def FinalResult(self):  # noqa: N802
        return json.dumps({"text": ""})


def test_silence_or_only_unknown_words_is_nothing_heard():
    stream = Stream.__new__(Stream)
    stream._rec, stream._partial, stream._ending = (
        FakeRecognizer(["", "[unk]", "[unk] [unk]", "[unk] next [unk]"]),
        "",
        None,
    )
    results = [stream.feed(b"\0\0") for _ in range(4)]
    assert results[:3] == [None, None, None]
    assert results[3].text == "next" and results[3].final
    assert stream.finish() is None
