"""Faults: each gives a clear message, keeps what can keep working, and loses nothing stored."""

from __future__ import annotations

import errno
import sqlite3
from functools import partial

import pytest

from app import create_app
from speech import asr
from tests import alexa_signing
from tests.conftest import AlexaClient


def make_app(tmp_path, **config):
    return create_app(
        {
            "DATA_DIR": str(tmp_path),
            "ALEXA_TRUSTED_ROOTS": [alexa_signing.make_ca().cert],
            "ALEXA_CERT_FETCH": alexa_signing.fake_fetch(),
            "ALEXA_TIMEZONE_LOOKUP": False,
            **config,
        }
    )


@pytest.fixture
def short_lock_wait(monkeypatch):
    """The app's profile database waits 0.2 s for a lock instead of the default 5 s."""
    from skill import persistence

    monkeypatch.setattr(persistence, "SqliteAdapter", partial(persistence.SqliteAdapter, timeout=0.2))


def stored(tmp_path) -> list:
    with sqlite3.connect(tmp_path / "profiles.sqlite3") as db:
        return db.execute("SELECT user, data FROM profiles").fetchall()


def test_espeak_missing_keeps_the_kiosk_working_with_text(tmp_path, monkeypatch):
    import speech.tts

    def missing():
        raise speech.tts.SpeechUnavailable(f"espeak-ng is not installed: {speech.tts.INSTALL_FIX}")

    monkeypatch.setattr(speech.tts, "check_available", missing)
    client = make_app(tmp_path).test_client()
    status = client.get("/api/kiosk/status").get_json()
    assert status["speech_output"] is False and "apt-get install espeak-ng" in status["speech_problem"]
    reply = client.post("/api/kiosk/start", json={"lang": "en"}).get_json()
    assert reply["text"] and all(item.get("clip") is None for item in reply["timeline"] if "say" in item)
    assert (
        client.post("/api/kiosk/intent", json={"session": reply["session"], "intent": "CrampNowIntent"}).status_code
        == 200
    )


def test_no_room_for_the_speech_cache_leaves_the_text(tmp_path, monkeypatch):
    import speech.tts

    client = make_app(tmp_path).test_client()
    reply = client.post("/api/kiosk/start", json={"lang": "nb"}).get_json()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(speech.tts.tempfile, "mkstemp", full)
    clip = next(item["clip"] for item in reply["timeline"] if item.get("clip"))
    for path in (tmp_path / "speech").glob("*.wav"):
        path.unlink()
    assert client.get(f"/api/kiosk/audio/{clip}.wav").status_code == 503
    following = client.post("/api/kiosk/intent", json={"session": reply["session"], "intent": "AMAZON.HelpIntent"})
    assert following.status_code == 200 and following.get_json()["text"]


def test_corrupt_vosk_model_is_a_clear_message_and_the_app_starts(tmp_path):
    model = tmp_path / "model"
    (model / "am").mkdir(parents=True)
    (model / "conf").mkdir()
    (model / "am" / "final.mdl").write_bytes(b"not a model")
    (model / "conf" / "model.conf").write_text("--sample-frequency=16000\n")
    with pytest.raises(asr.ModelUnavailable) as error:
        asr.load_model("en", model)
    assert str(model) in str(error.value)
    app = make_app(tmp_path / "data", VOSK_MODEL_EN=str(model))
    assert app.test_client().get("/api/kiosk/status").get_json()["voice_input"] == []


def query_only(monkeypatch):
    """Make every profile write fail. Root ignores file modes, so SQLite itself is asked to refuse writes."""
    from skill.persistence import SqliteAdapter

    original = SqliteAdapter._connect

    def connect(self):
        db = original(self)
        db.execute("PRAGMA query_only = ON")
        return db

    monkeypatch.setattr(SqliteAdapter, "_connect", connect)


def test_read_only_database_still_answers_and_keeps_what_was_stored(tmp_path, monkeypatch, library):
    alexa = AlexaClient(make_app(tmp_path).test_client())
    alexa.launch()
    alexa.say("SlowerIntent")
    before = stored(tmp_path)
    query_only(monkeypatch)
    reply = alexa.say("SlowerIntent")
    assert library["en"].say["rate_slower"] in reply["response"]["outputSpeech"]["ssml"]
    monkeypatch.undo()
    assert stored(tmp_path) == before


@pytest.mark.parametrize("locale, code", [("en-US", "en"), ("nb-NO", "nb"), ("da-DK", "da")])
def test_a_setting_that_was_not_saved_is_said_to_last_this_conversation_only(
    tmp_path, monkeypatch, library, locale, code
):
    say = library[code].say
    alexa = AlexaClient(make_app(tmp_path).test_client(), locale=locale)
    alexa.launch()
    saved = alexa.say("SlowerIntent")["response"]["outputSpeech"]["ssml"]
    assert say["rate_slower"] in saved and say["setting_not_saved"] not in saved
    query_only(monkeypatch)
    lost = alexa.say("SlowerIntent")["response"]["outputSpeech"]["ssml"]
    assert lost.index(say["rate_slower"]) < lost.index(say["setting_not_saved"])


def test_locked_database_still_answers(tmp_path, library, short_lock_wait):
    app = make_app(tmp_path)
    alexa = AlexaClient(app.test_client())
    alexa.launch()
    before = stored(tmp_path)
    holder = sqlite3.connect(tmp_path / "profiles.sqlite3")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        reply = alexa.say("ReadArticleIntent")
        assert library["en"].article.sections[0].heading in reply["response"]["outputSpeech"]["ssml"]
    finally:
        holder.rollback()
        holder.close()
    assert stored(tmp_path) == before


def test_corrupt_database_is_set_aside_not_lost(tmp_path):
    (tmp_path / "profiles.sqlite3").write_bytes(b"this is not a database" * 100)
    alexa = AlexaClient(make_app(tmp_path).test_client())
    assert alexa.launch()["response"]["outputSpeech"]
    aside = list(tmp_path.glob("profiles.sqlite3.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert len(stored(tmp_path)) == 1  # the new database works


def test_logs_hold_no_user_id_and_no_utterance(tmp_path, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    app = make_app(tmp_path)
    alexa = AlexaClient(app.test_client(), user="amzn1.ask.account.SECRET-USER")
    alexa.launch()
    alexa.say("SomethingOddIntent")
    kiosk = app.test_client()
    session = kiosk.post("/api/kiosk/start", json={"lang": "en"}).get_json()["session"]
    kiosk.post("/api/kiosk/say", json={"session": session, "text": "my private words about my leg"})
    kiosk.post("/alexa", data=b"{not json", content_type="application/json")
    assert "SECRET-USER" not in caplog.text and "private words" not in caplog.text
