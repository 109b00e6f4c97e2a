"""From the end of speech to the reply: the recognizer fed 20 ms chunks in real time.

Recordings: espeak-ng Korean words (the one Vosk model here is Korean) between 1.5 s of room noise
before and 3 s after. The clock is the audio's own: chunk k arrives when its last sample has been
spoken, its processing starts then (or when the previous chunk's processing ended) and takes the
measured time. The latency is from the last loud sample of the word to the reply's first audio
being ready, with Vosk's own endpointing ("before") and with speech.endpoint ("after").
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from statistics import median, quantiles

import numpy as np

from coach.engine import Engine
from coach.visit import Visit
from content import load_library
from kiosk.matcher import IntentMatcher
from kiosk.voice import VoiceLoop
from speech import asr
from speech.audio import read_pcm16, resample
from speech.tts import Speaker

WORDS = ["안녕하세요", "병원", "아니요", "감사합니다"]
SPEEDS = (130, 160, 190)  # espeak-ng words per minute
CHUNK = 640  # 20 ms at 16 kHz


class _Ready:
    """A sink that notes when the first reply audio is ready to play."""

    def __init__(self):
        self.ready = 0.0

    def play(self, parts, name, listen):
        self.ready = time.perf_counter()


def recordings(folder: Path, short: bool) -> list[tuple[str, bytes, float]]:
    """(word, pcm, seconds at which the speech ends) for each word and speed."""
    made = []
    rng = np.random.default_rng(7)
    for word in WORDS:
        for speed in SPEEDS[:1] if short else SPEEDS:
            wav = folder / "word.wav"
            subprocess.run(["espeak-ng", "-v", "ko", "-s", str(speed), "-w", str(wav), word], check=True)
            pcm, rate = read_pcm16(wav)
            speech = np.frombuffer(resample(pcm, rate, 16000), "<i2")
            last = int(np.nonzero(np.abs(speech) > 300)[0][-1]) + 1
            noise = rng.normal(0, 120, int(16000 * 4.5)).astype("<i2")
            made.append(
                (word, np.concatenate([noise[:24000], speech, noise[24000:]]).tobytes(), (24000 + last) / 16000)
            )
    return made


def end_to_reply(
    model, grammar, loop: VoiceLoop, sink: _Ready, pcm: bytes, speech_end: float, end_of_speech: bool
) -> tuple[float, str]:
    stream = asr.Stream(model, grammar, end_of_speech=end_of_speech)
    clock = 0.0
    for index in range(0, len(pcm), CHUNK):
        chunk = pcm[index : index + CHUNK]
        started = time.perf_counter()
        result = stream.feed(chunk)
        if result is not None and result.final:
            loop.hear(result.text)
            clock = max(clock, (index + len(chunk)) / 32000) + (sink.ready - started)
            return clock - speech_end, result.text
        clock = max(clock, (index + len(chunk)) / 32000) + (time.perf_counter() - started)
    return float("nan"), ""


def run(folder: Path, short: bool = False) -> dict:
    model = asr.load_model("ko", asr.ko_model_path())
    grammar = asr.build_grammar(WORDS, model)
    library = load_library()
    engine = Engine(library)
    speaker = Speaker(folder / "voice-end")
    sink = _Ready()
    warm = Visit(engine, "en", IntentMatcher.for_language(library["en"]))
    warm.start()
    VoiceLoop(warm, None, speaker, sink, say=lambda _: None).hear(WORDS[0])  # its reply, cached
    figures = {}
    for tag, end_of_speech in (("vosk_endpoint", False), ("", True)):
        waits, right = [], 0
        for word, pcm, speech_end in recordings(folder, short):
            session = Visit(engine, "en", IntentMatcher.for_language(library["en"]))
            session.start()
            loop = VoiceLoop(session, None, speaker, sink, say=lambda _: None)
            waited, heard = end_to_reply(model, grammar, loop, sink, pcm, speech_end, end_of_speech)
            waits.append(waited)
            right += heard == word
        suffix = f"_{tag}" if tag else ""
        figures[f"voice_end_to_reply_ms{suffix}"] = round(median(waits) * 1000, 1)
        figures[f"voice_end_to_reply_p95_ms{suffix}"] = round(quantiles(waits, n=20)[-1] * 1000, 1)
        figures[f"voice_words_right{suffix}"] = round(right / len(waits), 3)
    return figures
