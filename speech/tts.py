"""Text to speech: pyttsx3 on espeak-ng, rendered to WAV files in a content-addressed cache.

Rendering runs in a child process (speech.render_worker), never in a serving process: espeak-ng's
thread does not survive gunicorn's fork, and a hung render must not hold a lock forever. Each
clip has a deadline; when it passes, or too many clips wait, the caller gets SpeechUnavailable at
once (the kiosk answers 503 and keeps the text on screen) and a stuck child is replaced.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import wave
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from tqdm import tqdm

from speech.espeak_engine import INSTALL_FIX

log = logging.getLogger(__name__)

VOICES = {"en": "gmw/en", "nb": "gmq/nb", "da": "gmq/da"}
BASE_WPM = 165
MIN_RATE, MAX_RATE = 0.6, 1.6
FORMAT_VERSION = 1  # bump when the audio for the same (text, voice, wpm) would change
CLIP_DEADLINE = 10.0  # seconds a caller waits for one clip, queueing included
START_DEADLINE = 20.0  # seconds for the render process to start espeak-ng and answer a check
MAX_WAITING = 16  # callers queued for the render process before more are turned away
ROOT = Path(__file__).resolve().parent.parent

__all__ = ["INSTALL_FIX", "VOICES", "Speaker", "SpeechUnavailable", "SynthesisError", "check_available"]


class SpeechUnavailable(Exception):
    """Speech output cannot work here (or not now); the message says what is missing and how to fix it."""


class SynthesisError(SpeechUnavailable):
    """One text could not be rendered."""


class PrerenderCounts(NamedTuple):
    rendered: int
    cached: int
    failed: int


class RenderProcess:
    """One `python -m speech.render_worker` child, asked one request at a time.

    Made lazily in the process that uses it: a forked gunicorn worker never talks to its
    master's child, it starts its own.
    """

    _all: weakref.WeakSet[RenderProcess] = weakref.WeakSet()

    def __init__(self) -> None:
        self._reset()
        RenderProcess._all.add(self)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._admitted = threading.BoundedSemaphore(MAX_WAITING)
        self._child: subprocess.Popen | None = None

    def call(self, request: dict, deadline: float) -> dict:
        """The child's answer, or SpeechUnavailable when it is busy, stuck or gone."""
        with self._lock_until(deadline):
            child = self._child if self._child and self._child.poll() is None else self._start()
            assert child.stdin is not None and child.stdout is not None  # both are pipes
            try:
                child.stdin.write(json.dumps(request) + "\n")
                child.stdin.flush()
                ready, _, _ = select.select([child.stdout], [], [], max(0.0, deadline - time.monotonic()))
                line = child.stdout.readline() if ready else ""
            except (OSError, ValueError):
                line = ""
            if not line:
                self._stop()
                raise SynthesisError("speech rendering took too long or stopped; it restarts on the next clip")
            return json.loads(line)

    @contextlib.contextmanager
    def _lock_until(self, deadline: float):
        if not self._admitted.acquire(blocking=False):
            raise SynthesisError("too many clips are waiting to be rendered; try again shortly")
        try:
            if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise SynthesisError("speech rendering is busy; try again shortly")
        finally:
            self._admitted.release()
        try:
            yield
        finally:
            self._lock.release()

    def _start(self) -> subprocess.Popen:
        self._stop()
        try:  # run from ROOT, so that `-m` finds the speech package
            self._child = subprocess.Popen(
                [sys.executable, "-m", "speech.render_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as error:
            raise SpeechUnavailable(f"the speech render process could not start ({error})") from error
        return self._child

    def _stop(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            with contextlib.suppress(OSError):
                child.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=2)
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()

    def close(self) -> None:
        """End the child (before forking workers, and at exit)."""
        with self._lock:
            self._stop()

    @classmethod
    def _after_fork(cls) -> None:
        """In a forked child: forget the parent's render process and lock, without touching them."""
        for renderer in list(cls._all):
            renderer._reset()


os.register_at_fork(after_in_child=RenderProcess._after_fork)
_renderer = RenderProcess()
atexit.register(_renderer.close)


def _answer(reply: dict) -> None:
    if reply.get("ok"):
        return
    error = SpeechUnavailable if reply.get("unavailable") else SynthesisError
    raise error(reply.get("error") or "speech rendering failed")


def check_available(voices: Mapping[str, str] = VOICES) -> None:
    """Raise SpeechUnavailable (with the fix) unless espeak-ng starts and has every voice."""
    _answer(_renderer.call({"op": "check", "voices": dict(voices)}, time.monotonic() + START_DEADLINE))


def close_renderer() -> None:
    """Stop this process's render child; the next render starts a new one."""
    _renderer.close()


def _wpm(rate: float) -> int:
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ValueError(f"rate {rate} is outside {MIN_RATE}..{MAX_RATE}")
    return round(BASE_WPM * rate)


def cache_key(text: str, voice: str, wpm: int) -> str:
    blob = json.dumps([FORMAT_VERSION, voice, wpm, text], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _check_wav(path: Path) -> None:
    try:
        with wave.open(str(path), "rb") as f:
            ok = f.getnframes() > 0 and f.getsampwidth() == 2 and f.getframerate() > 0
    except (wave.Error, EOFError, OSError) as e:
        raise SynthesisError(f"espeak-ng wrote no valid WAV ({e})") from e
    if not ok:
        raise SynthesisError("espeak-ng wrote an empty WAV")


class Speaker:
    """Renders text to WAV files under cache_dir, named by a hash of what makes the sound."""

    def __init__(self, cache_dir: str | Path, voices: Mapping[str, str] = VOICES, deadline: float = CLIP_DEADLINE):
        self.cache_dir = Path(cache_dir).resolve()  # the render process works from the repository folder
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.voices = dict(voices)
        self.deadline = deadline
        self.engine_calls = 0  # syntheses run for this Speaker (cache hits do not count)
        self._rendering: dict[Path, threading.Lock] = {}  # one render per clip, however many ask
        self._rendering_lock = threading.Lock()

    def path_for(self, text: str, lang: str, rate: float = 1.0) -> Path:
        """Where render() puts this text. The key holds the configured voice id, not the one
        espeak-ng resolves it to, so a cache hit never needs the engine."""
        if lang not in self.voices:
            raise SpeechUnavailable(
                f"no voice configured for language {lang!r} (configured: {', '.join(sorted(self.voices))})"
            )
        if not text.strip():
            raise ValueError("nothing to say: the text is blank")
        return self.cache_dir / f"{cache_key(text, self.voices[lang], _wpm(rate))}.wav"

    def render(self, text: str, lang: str, rate: float = 1.0) -> Path:
        """The WAV file of `text` spoken in `lang` at `rate` times the normal speed (0.6..1.6)."""
        return self._render(text, lang, rate)[0]

    def _render(self, text: str, lang: str, rate: float) -> tuple[Path, bool]:
        path = self.path_for(text, lang, rate)
        if path.exists():
            return path, True
        deadline = time.monotonic() + self.deadline
        with self._rendering_lock:
            clip_lock = self._rendering.setdefault(path, threading.Lock())
        if not clip_lock.acquire(timeout=self.deadline):
            raise SynthesisError("speech rendering is busy; try again shortly")
        try:
            if path.exists():  # rendered by another thread meanwhile
                return path, True
            self._synthesize(text, lang, rate, path, deadline)
            return path, False
        finally:
            clip_lock.release()
            with self._rendering_lock:
                self._rendering.pop(path, None)

    def _synthesize(self, text: str, lang: str, rate: float, path: Path, deadline: float) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".", suffix=".wav.tmp")
        os.close(fd)
        try:
            _answer(
                _renderer.call(
                    {
                        "op": "render",
                        "text": text,
                        "voice": self.voices[lang],
                        "lang": lang,
                        "wpm": _wpm(rate),
                        "path": tmp,
                    },
                    deadline,
                )
            )
            self.engine_calls += 1
            _check_wav(Path(tmp))
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)

    def prerender(self, items: Iterable[tuple[str, str, float]], progress: bool = True) -> PrerenderCounts:
        """Render (text, lang, rate) items into the cache. A failure is logged and skipped."""
        items = list(items)
        rendered = cached = failed = 0
        for text, lang, rate in tqdm(items, disable=not progress, unit="clip", desc="speech"):
            try:
                hit = self._render(text, lang, rate)[1]
            except Exception as e:  # one bad item must not stop the rest
                failed += 1
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
                log.warning("could not render text %s (%s, rate %s): %s", digest, lang, rate, e)
                continue
            cached += hit
            rendered += not hit
        return PrerenderCounts(rendered, cached, failed)
