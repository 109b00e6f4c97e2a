"""Speech figures: Vosk real-time factor, TTS cold and cached, voice reply latency, pre-rendering."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from statistics import median

from coach.engine import Engine
from coach.visit import Visit
from content import load_library
from kiosk.matcher import IntentMatcher
from kiosk.prerender import speech_items
from kiosk.voice import VoiceLoop
from speech import asr
from speech.audio import read_pcm16, resample, silence
from speech.tts import Speaker

KOREAN = ["안녕하세요", "병원", "아니요", "감사합니다"]
SENTENCES = {
    "en": "Gently pull your toes toward your shin.",
    "nb": "Trekk tærne rolig opp mot leggen.",
    "da": "Træk tæerne roligt op mod skinnebenet.",
}


def _korean_speech(folder: Path) -> bytes:
    pcm = b""
    for index, word in enumerate(KOREAN * 3):
        wav = folder / f"ko{index}.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-s", str(140 + 10 * (index % 3)), "-w", str(wav), word], check=True)
        voice, rate = read_pcm16(wav)
        pcm += resample(voice, rate, 16000) + silence(0.5)
    return pcm


def asr_rtf(folder: Path) -> dict:
    """Processing time ÷ audio time on the Korean model, with the grammar and free, same audio."""
    model = asr.load_model("ko", asr.ko_model_path())
    grammar = asr.build_grammar(KOREAN + ["네", "물"], model)
    pcm = _korean_speech(folder)
    seconds = len(pcm) / 2 / 16000
    figures = {}
    for name, g in (("asr_rtf_grammar", grammar), ("asr_rtf_free", None)):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            asr.transcribe(model, pcm, g)
            runs.append((time.perf_counter() - start) / seconds)
        figures[name] = round(median(runs), 4)
    figures["asr_grammar_speedup"] = round(figures["asr_rtf_free"] / figures["asr_rtf_grammar"], 1)
    return figures


def tts(folder: Path) -> dict:
    """Milliseconds per sentence: cold (synthesis) and from the cache, the same sentences."""
    speaker = Speaker(folder / "tts")
    cold, hit = [], []
    for round_ in range(3):
        for lang, sentence in SENTENCES.items():
            text = f"{sentence} ({round_})"
            start = time.perf_counter()
            speaker.render(text, lang)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            speaker.render(text, lang)
            hit.append(time.perf_counter() - start)
    return {
        "tts_cold_ms": round(median(cold) * 1000, 2),
        "tts_cache_hit_ms": round(median(hit) * 1000, 3),
        "tts_cache_speedup": round(median(cold) / median(hit), 1),
    }


class _Clock:
    """A sink that notes when the first reply audio is ready to play."""

    def __init__(self):
        self.ready = None

    def play(self, parts, name, listen):
        self.ready = time.perf_counter()


def voice_latency(folder: Path) -> dict:
    """From the end of an utterance (the recognizer's final result) to the reply's audio, cache warm."""
    library = load_library()
    engine = Engine(library)
    speaker = Speaker(folder / "latency")
    speaker.prerender(speech_items(engine, library), progress=False)
    samples = []
    for text in ["I have a cramp", "next", "yes", "why do I get cramps", "next", "read the article", "stop"] * 3:
        sink = _Clock()
        session = Visit(engine, "en", IntentMatcher.for_language(library["en"]))
        loop = VoiceLoop(session, None, speaker, sink, say=lambda _: None)
        session.start()
        start = time.perf_counter()
        loop.hear(text)
        samples.append(sink.ready - start)
    return {
        "voice_reply_latency_ms": round(median(samples) * 1000, 2),
        "voice_reply_latency_max_ms": round(max(samples) * 1000, 2),
    }


def prerender_times(folder: Path) -> dict:
    """Seconds to render everything the kiosk can say, per language, into an empty cache."""
    library = load_library()
    items = speech_items(Engine(library), library)
    figures = {}
    for code in library.languages:
        speaker = Speaker(folder / f"pre-{code}")
        start = time.perf_counter()
        speaker.prerender([i for i in items if i[1] == code], progress=False)
        figures[f"prerender_{code}_s"] = round(time.perf_counter() - start, 2)
    return figures


def content_load() -> dict:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        load_library()
        runs.append(time.perf_counter() - start)
    return {"content_load_ms": round(median(runs) * 1000, 1)}


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures = content_load()
        figures |= asr_rtf(folder)
        figures |= tts(folder)
        figures |= voice_latency(folder)
        figures |= prerender_times(folder)
    return figures
