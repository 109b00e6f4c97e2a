"""Text to speech: pyttsx3 on espeak-ng, rendered to WAV files in a content-addressed cache."""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import threading
import wave
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

from tqdm import tqdm

log = logging.getLogger(__name__)

VOICES = {"en": "gmw/en", "nb": "gmq/nb", "da": "gmq/da"}
BASE_WPM = 165
MIN_RATE, MAX_RATE = 0.6, 1.6
FORMAT_VERSION = 1  # bump when the audio for the same (text, voice, wpm) would change
SYNTH_TIMEOUT = 30.0  # seconds; espeak-ng renders far faster than real time

INSTALL_FIX = "run `make run` (it installs it) or `sudo apt-get install espeak-ng libespeak-ng1`"


class SpeechUnavailable(Exception):
    """Speech output cannot work here; the message says what is missing and how to fix it."""


class SynthesisError(SpeechUnavailable):
    """One text could not be rendered."""


class PrerenderCounts(NamedTuple):
    rendered: int
    cached: int
    failed: int


# pyttsx3 2.99's espeak driver runs espeak-ng in AUDIO_OUTPUT_RETRIEVAL mode, which is
# asynchronous: Synth and SetParameter go through espeak's command queue and the audio arrives
# (and the driver writes the WAV) on espeak's own thread. Left alone this races:
# - runAndWait's endLoop calls driver.stop(), which cancels the coming synthesis when espeak is
#   still busy (e.g. applying the rate we just set): an empty WAV, or one at the old rate;
# - on a fresh engine (its proxy starts busy) runAndWait returns before the audio is written.
# So we prime the engine once, wait for espeak's queue to drain (espeak_Synchronize) before
# runAndWait, and wait for the driver's "finished-utterance" (sent after the file is written).
# Other quirks: a failing setProperty does not raise but goes to the "error" callback (an unknown
# voice silently keeps the previous one); only the last save_to_file per runAndWait is kept; the
# driver prints "Audio saved to ..." on stdout; and it keeps the file name, so a later say()
# elsewhere would write our temp file again.
#
# One engine per process (espeak-ng initializes once per process); it is not thread-safe, and
# _lock guards it.
_lock = threading.Lock()
_engine = None
_espeak = None  # pyttsx3.drivers._espeak, the driver's ctypes binding
_voices: list = []  # the engine's voices, listed once
_errors: list[Exception] = []


@atexit.register
def _release_engine() -> None:
    """Drop the engine while modules still exist: pyttsx3's __del__ fails at interpreter teardown."""
    global _engine
    with _lock:
        _engine = None
        gc.collect()


def _on_error(exception=None, **_):
    _errors.append(exception)


def _get_engine():
    """The shared pyttsx3 espeak engine, made on first use. Call with _lock held."""
    global _engine, _espeak
    if _engine is not None:
        return _engine
    try:
        import pyttsx3
    except ImportError as e:
        raise SpeechUnavailable("pyttsx3 is not installed: run `make run` or "
                                "`.venv/bin/pip install -r requirements.txt`") from e
    try:
        engine = pyttsx3.init("espeak")
        from pyttsx3.drivers import _espeak
    except Exception as e:
        if shutil.which("espeak-ng") is None:
            raise SpeechUnavailable(f"espeak-ng is not installed: {INSTALL_FIX}") from e
        raise SpeechUnavailable(f"espeak-ng is installed but pyttsx3 could not start it ({e}): "
                                f"reinstall it with `sudo apt-get install --reinstall espeak-ng "
                                f"libespeak-ng1 espeak-ng-data`") from e
    voices = engine.getProperty("voices")
    if not voices:
        raise SpeechUnavailable(f"espeak-ng lists no voices (its voice data is missing): {INSTALL_FIX}")
    engine.connect("error", _on_error)
    _espeak.Synchronize()
    engine.runAndWait()  # nothing queued: only leaves the proxy idle, as after any runAndWait
    _voices[:] = voices
    _engine = engine
    return engine


def _resolve_voice(wanted: str, lang: str) -> str | None:
    """The installed voice id for `wanted` ("gmw/en" or a name like "English (Great Britain)"),
    else one for the same file name in another family folder, else one for the language.
    Call after _get_engine()."""
    voices = _voices
    wanted = wanted.lower()
    for v in voices:
        if wanted in (v.id.lower(), (v.name or "").lower()):
            return v.id
    tail = wanted.rsplit("/", 1)[-1]
    for v in voices:
        if v.id.lower().rsplit("/", 1)[-1] == tail:
            return v.id
    for match in (lambda code: code == lang, lambda code: code.startswith(lang + "-")):
        for v in voices:
            if any(match(code.lower()) for code in (v.languages or [])):
                return v.id
    return None


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


def check_available(voices: Mapping[str, str] = VOICES) -> None:
    """Raise SpeechUnavailable (with the fix) unless the engine starts and has every voice."""
    with _lock:
        _get_engine()
        missing = [v for lang, v in voices.items() if _resolve_voice(v, lang) is None]
    if missing:
        raise SpeechUnavailable(f"espeak-ng has no voice {', '.join(missing)}: {INSTALL_FIX}")


class Speaker:
    """Renders text to WAV files under cache_dir, named by a hash of what makes the sound."""

    def __init__(self, cache_dir: str | Path, voices: Mapping[str, str] = VOICES):
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.voices = dict(voices)
        self.engine_calls = 0  # syntheses run by this Speaker (cache hits do not count)

    def path_for(self, text: str, lang: str, rate: float = 1.0) -> Path:
        """Where render() puts this text. The key holds the configured voice id, not the one
        espeak-ng resolves it to, so a cache hit never needs the engine."""
        if lang not in self.voices:
            raise SpeechUnavailable(f"no voice configured for language {lang!r} "
                                    f"(configured: {', '.join(sorted(self.voices))})")
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
        with _lock:
            if path.exists():  # rendered by another thread meanwhile
                return path, True
            engine = _get_engine()
            voice = _resolve_voice(self.voices[lang], lang)
            if voice is None:
                raise SpeechUnavailable(f"espeak-ng has no voice {self.voices[lang]!r} for {lang!r}: "
                                        f"check the voice id, or {INSTALL_FIX}")
            fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".", suffix=".wav.tmp")
            os.close(fd)
            try:
                self._synthesize(engine, text, voice, _wpm(rate), tmp)
                _check_wav(Path(tmp))
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(tmp)
        return path, False

    def _synthesize(self, engine, text: str, voice: str, wpm: int, filename: str) -> None:
        """One save_to_file + runAndWait, made safe; see the note above _lock."""
        self.engine_calls += 1
        _errors.clear()
        done, outcome = threading.Event(), []

        def finished(completed=True, **_):
            outcome.append(completed)
            done.set()

        token = engine.connect("finished-utterance", finished)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                _espeak.Synchronize()
                engine.setProperty("voice", voice)
                engine.setProperty("rate", wpm)
                _espeak.Synchronize()
                engine.save_to_file(text, filename)
                engine.runAndWait()
                done.wait(SYNTH_TIMEOUT)
                _espeak.Synchronize()
        finally:
            engine.disconnect(token)
            driver = getattr(engine.proxy, "_driver", None)
            if driver is not None and hasattr(driver, "_save_file"):
                driver._save_file = None
        if _errors:
            raise SynthesisError(f"espeak-ng failed: {_errors[0]}")
        if not outcome:
            raise SynthesisError(f"espeak-ng did not finish within {SYNTH_TIMEOUT} s")
        if not outcome[0]:
            raise SynthesisError("espeak-ng's synthesis was cancelled")
        if (engine.getProperty("voice") or "").lower() != voice.lower():
            raise SynthesisError(f"espeak-ng did not switch to voice {voice!r}")

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
