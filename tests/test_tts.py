"""Real speech synthesis: pyttsx3 driving espeak-ng, no mocks."""

from __future__ import annotations

import logging
import shutil
import threading
import wave

import pytest

from speech.audio import wav_duration
from speech.tts import VOICES, Speaker, SpeechUnavailable, check_available

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (`make test` installs it)"
)

SENTENCES = {
    "en": "Stand up and put your weight on the leg with the cramp.",
    "nb": "Reis deg opp og legg vekten på beinet med krampen.",
    "da": "Rejs dig op og læg vægten på benet med krampen.",
}


@pytest.fixture
def speaker(tmp_path):
    return Speaker(tmp_path / "tts")


def test_configured_voices_exist():
    check_available()


@pytest.mark.parametrize("lang", ["en", "nb", "da"])
def test_render_gives_a_plausible_wav(speaker, lang):
    text = SENTENCES[lang]
    path = speaker.render(text, lang)
    assert path.parent == speaker.cache_dir and path.suffix == ".wav"
    with wave.open(str(path)) as f:
        assert (f.getnchannels(), f.getsampwidth()) == (1, 2)
        assert f.getframerate() >= 16000
        seconds = f.getnframes() / f.getframerate()
    words = len(text.split())
    assert 0.3 < seconds < 10
    assert 0.15 * words < seconds < 0.8 * words
    assert speaker.engine_calls == 1


def test_second_render_is_a_cache_hit(speaker, tmp_path):
    first = speaker.render(SENTENCES["en"], "en")
    mtime = first.stat().st_mtime_ns
    assert speaker.render(SENTENCES["en"], "en") == first
    assert speaker.engine_calls == 1
    assert first.stat().st_mtime_ns == mtime
    fresh = Speaker(speaker.cache_dir)  # a new process would find it too
    assert fresh.render(SENTENCES["en"], "en") == first
    assert fresh.engine_calls == 0
    assert [p.name for p in speaker.cache_dir.iterdir()] == [first.name]  # no temp files left


def test_cache_key_covers_text_voice_and_rate(speaker):
    paths = {
        speaker.render("Hold it.", "en"),
        speaker.render("Hold it!", "en"),
        speaker.render("Hold it.", "nb"),
        speaker.render("Hold it.", "en", 1.2),
    }
    assert len(paths) == 4


def test_rate_changes_speed_and_voice_changes_sound(speaker):
    # Also guards against espeak's asynchronous output mixing up consecutive renders.
    text = SENTENCES["nb"]
    slow, normal, fast = (wav_duration(speaker.render(text, "nb", r)) for r in (0.6, 1.0, 1.6))
    assert slow > normal * 1.3 and normal > fast * 1.3
    assert speaker.render(text, "da").read_bytes() != speaker.render(text, "nb").read_bytes()


def test_concurrent_renders(speaker):
    texts = [f"Step {n}: breathe slowly." for n in range(6)] * 2
    errors, paths = [], []

    def work(text):
        try:
            paths.append(speaker.render(text, "en"))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(paths)) == 6
    assert all(0.5 < wav_duration(p) < 5 for p in paths)
    assert speaker.engine_calls == 6


def test_unknown_espeak_voice_is_reported(tmp_path):
    speaker = Speaker(tmp_path, voices={**VOICES, "xx": "zzz/no-such-voice"})
    with pytest.raises(SpeechUnavailable, match="no voice 'zzz/no-such-voice'"):
        speaker.render("Hello.", "xx")
    assert speaker.engine_calls == 0


def test_bad_input(speaker):
    with pytest.raises(SpeechUnavailable, match="no voice configured for language 'fr'"):
        speaker.render("Bonjour.", "fr")
    with pytest.raises(ValueError):
        speaker.render("   ", "en")
    with pytest.raises(ValueError):
        speaker.render("Too fast.", "en", 2.5)


def test_prerender_counts_and_never_raises(speaker, caplog):
    secret = "Private sentence about my left calf."
    items = [
        ("Bend your foot up.", "en", 1.0),
        ("Bøy foten opp.", "nb", 1.0),
        ("Bend your foot up.", "en", 1.0),
        (secret, "fr", 1.0),
        ("", "en", 1.0),
    ]
    with caplog.at_level(logging.WARNING, logger="speech.tts"):
        counts = speaker.prerender(items, progress=False)
    assert counts == (2, 1, 2)
    assert (counts.rendered, counts.cached, counts.failed) == (2, 1, 2)
    assert len(caplog.records) == 2
    assert "calf" not in caplog.text
    assert speaker.prerender(items[:3], progress=False) == (0, 3, 0)
