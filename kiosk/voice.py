"""The voice kiosk loop: listen, match, answer, speak; half-duplex, so it never hears itself.

Audio comes in as 16 kHz mono 16-bit chunks, from the microphone or a file; replies go out to the
speakers or to WAV files. Nothing that was heard is ever written anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from coach.visit import HOLD_INTERRUPTS, Visit
from speech.asr import SAMPLE_RATE, Result
from speech.audio import read_pcm16, resample, write_wav

from .playback import OUTPUT_RATE, reply_pcm

log = logging.getLogger(__name__)
CHUNK_SECONDS = 0.1


class AudioUnavailable(Exception):
    """No microphone, no speakers, or no PortAudio: says which, and how to fix it."""


def file_chunks(path: Path) -> Iterator[bytes]:
    pcm, rate = read_pcm16(path)
    pcm = resample(pcm, rate, SAMPLE_RATE) if rate != SAMPLE_RATE else pcm
    step = 2 * int(SAMPLE_RATE * CHUNK_SECONDS)
    for start in range(0, len(pcm), step):
        yield pcm[start : start + step]


def _sounddevice():
    try:
        import sounddevice

        sounddevice.query_devices(kind="input")
        sounddevice.query_devices(kind="output")
        return sounddevice
    except OSError as error:  # PortAudio itself is missing
        raise AudioUnavailable(
            f"PortAudio is not installed ({error}): run `make run`, which installs "
            "libportaudio2, or `sudo apt-get install libportaudio2`"
        ) from error
    except Exception as error:  # sounddevice raises PortAudioError / ValueError when there is no device
        raise AudioUnavailable(
            f"no audio device was found ({error}): connect a microphone and speakers, "
            "or use --input FILE.wav and --output DIR"
        ) from error


class Microphone:
    """Blocking reads from the default input device, in CHUNK_SECONDS pieces."""

    def __init__(self):
        sd = _sounddevice()
        self.stream = sd.RawInputStream(
            samplerate=SAMPLE_RATE, channels=1, dtype="int16", blocksize=int(SAMPLE_RATE * CHUNK_SECONDS)
        )
        self.stream.start()

    def __iter__(self) -> Iterator[bytes]:
        while True:
            data, _overflowed = self.stream.read(int(SAMPLE_RATE * CHUNK_SECONDS))
            yield bytes(data)

    def drain(self) -> None:
        """Throw away what was recorded while the kiosk spoke (half-duplex)."""
        available = self.stream.read_available
        if available:
            self.stream.read(available)


class SpeakerSink:
    """Plays replies on the default output device. During pauses (holds) it listens for "stop"."""

    def __init__(self, microphone: Microphone):
        self.output = _sounddevice().RawOutputStream(samplerate=OUTPUT_RATE, channels=1, dtype="int16")
        self.output.start()
        self.microphone = microphone

    def play(self, parts, name: str, listen: Callable[[bytes], str | None]) -> str | None:
        for kind, pcm in parts:
            if kind == "say":
                self.output.write(pcm)  # blocks until played
                self.microphone.drain()
                continue
            chunks = max(1, round(len(pcm) / 2 / OUTPUT_RATE / CHUNK_SECONDS))
            for _, chunk in zip(range(chunks), self.microphone, strict=False):
                heard = listen(chunk)
                if heard:
                    return heard
        return None


class FileSink:
    """Writes each reply as a numbered WAV file instead of playing it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.written: list[Path] = []

    def play(self, parts, name: str, listen) -> None:
        self.count += 1
        path = self.folder / f"{self.count:03d}-{name}.wav"
        write_wav(path, b"".join(pcm for _, pcm in parts), OUTPUT_RATE)
        self.written.append(path)
        return None


class Listening(Protocol):
    """A recognizer stream (speech.asr.Stream, or a stand-in in tests)."""

    def feed(self, pcm: bytes) -> Result | None: ...

    def finish(self) -> Result | None: ...


class VoiceLoop:
    def __init__(
        self, session: Visit, make_stream: Callable[[], Listening] | None, speaker, sink, say=log.debug
    ) -> None:
        """`make_stream`: a fresh recognizer stream; None where nothing is listened to (text mode)."""
        self.session, self.make_stream, self.speaker, self.sink, self.say = session, make_stream, speaker, sink, say

    def run(self, chunks: Iterable[bytes]) -> None:
        if self.make_stream is None:
            raise ValueError("a voice loop that listens needs a recognizer stream")
        stream = self.make_stream()
        for chunk in chunks:
            if self.session.idle():
                self.session.forget()
                self.say("(idle: the visit was forgotten)")
            result = stream.feed(chunk)
            if result is not None and result.final and result.text:
                self.hear(result.text)
                stream = self.make_stream()  # fresh recognizer after speaking: nothing of our own voice
        result = stream.finish()
        if result is not None and result.final and result.text:
            self.hear(result.text)

    def hear(self, text: str) -> None:
        match, reply = self.session.utter(text)
        self.say(f"heard: {text!r} -> {match.intent} ({match.confidence:.2f})")
        self.speak(reply, match.intent)

    def speak(self, reply, intent: str) -> None:
        self.say(f"say: {reply.text}")
        parts = reply_pcm(reply, self.session.lang, self.speaker)
        interrupt = self.sink.play(
            parts, intent.removeprefix("AMAZON.").removesuffix("Intent"), self._listen_for_stop()
        )
        if interrupt:
            self.hear(interrupt)

    def _listen_for_stop(self) -> Callable[[bytes], str | None]:
        """During a hold nothing plays, so listening then cannot pick up our own voice."""
        stream, matcher = (self.make_stream() if self.make_stream else None), self.session.matcher

        def listen(chunk: bytes) -> str | None:
            result = stream.feed(chunk) if stream is not None else None
            if result is None or not result.final or not result.text or matcher is None:
                return None
            return result.text if matcher.match(result.text).intent in HOLD_INTERRUPTS else None

        return listen
