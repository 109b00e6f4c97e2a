"""pyttsx3 on espeak-ng, inside the render process only (see speech.render_worker).

The engine never lives in a serving process: espeak-ng's audio thread does not survive a fork,
so a gunicorn worker that inherited an engine from its master would wait forever on its first
render. speech.tts talks to this module through a child process instead.
"""

from __future__ import annotations

import shutil
import threading

INSTALL_FIX = "run `make run` (it installs it) or `sudo apt-get install espeak-ng libespeak-ng1`"
SYNTH_TIMEOUT = 30.0  # seconds; espeak-ng renders far faster than real time


class EngineProblem(Exception):
    """Speech output cannot work here; the message says what is missing and how to fix it."""


class SynthesisFailed(Exception):
    """One text could not be rendered."""


# pyttsx3 2.99's espeak driver runs espeak-ng in AUDIO_OUTPUT_RETRIEVAL mode, which is
# asynchronous: Synth and SetParameter go through espeak's command queue and the audio arrives
# (and the driver writes the WAV) on espeak's own thread. Left alone this races:
# - runAndWait's endLoop calls driver.stop(), which cancels the coming synthesis when espeak is
#   still busy (e.g. applying the rate we just set): an empty WAV, or one at the old rate;
# - on a fresh engine (its proxy starts busy) runAndWait returns before the audio is written.
# We wait for the driver's "finished-utterance" (sent after the file is written), and a failing
# setProperty does not raise but goes to the "error" callback (an unknown voice silently keeps the
# previous one). Two things have no public pyttsx3 API at all, so each is done in one small
# function below, reaching into pyttsx3's internals:
# - _drain(): pyttsx3's engine offers no way to wait for espeak's command queue (runAndWait only
#   runs pyttsx3's own queue), so it calls the driver's ctypes binding _espeak.Synchronize
#   (espeak_Synchronize), before and after each step;
# - _forget_file(): save_to_file() sets the driver's private _save_file and nothing ever clears
#   it (pyttsx3 expects one file per run), so a later say() would write our file again; it sets
#   the driver's _save_file back to None.
# tests/test_library_edges.py pins both on the pinned pyttsx3 (2.99, requirements.txt), and
# tests/test_tts.py pins the rendering they make reliable.
_engine = None
_voices: list = []
_errors: list[Exception] = []


def _drain() -> None:
    """Wait until espeak-ng's command queue is empty. No public pyttsx3 API does this, so it calls
    pyttsx3's private ctypes binding (pinned in tests/test_library_edges.py)."""
    from pyttsx3.drivers import _espeak

    _espeak.Synchronize()


def _forget_file(engine) -> None:
    """Make the driver forget the output file, so nothing else is ever written into it. pyttsx3 has no
    public way to do this, so it clears the espeak driver's private _save_file (pinned in
    tests/test_library_edges.py)."""
    driver = getattr(engine.proxy, "_driver", None)
    if driver is not None and hasattr(driver, "_save_file"):
        driver._save_file = None


def _on_error(exception=None, **_):
    _errors.append(exception)


def engine():
    """The process's pyttsx3 espeak engine, made on first use."""
    global _engine
    if _engine is not None:
        return _engine
    try:
        import pyttsx3
    except ImportError as e:
        raise EngineProblem(
            "pyttsx3 is not installed: run `make run` or `.venv/bin/pip install -r requirements.txt`"
        ) from e
    try:
        made = pyttsx3.init("espeak")
    except Exception as e:
        if shutil.which("espeak-ng") is None:
            raise EngineProblem(f"espeak-ng is not installed: {INSTALL_FIX}") from e
        raise EngineProblem(
            f"espeak-ng is installed but pyttsx3 could not start it ({e}): "
            f"reinstall it with `sudo apt-get install --reinstall espeak-ng "
            f"libespeak-ng1 espeak-ng-data`"
        ) from e
    voices = made.getProperty("voices")
    if not voices:
        raise EngineProblem(f"espeak-ng lists no voices (its voice data is missing): {INSTALL_FIX}")
    made.connect("error", _on_error)
    _drain()
    made.runAndWait()  # nothing queued: only leaves the proxy idle, as after any runAndWait
    _voices[:] = voices
    _engine = made
    return made


def resolve_voice(wanted: str, lang: str) -> str | None:
    """The installed voice id for `wanted` ("gmw/en" or a name like "English (Great Britain)"),
    else one for the same file name in another family folder, else one for the language."""
    engine()
    wanted = wanted.lower()
    for v in _voices:
        if wanted in (v.id.lower(), (v.name or "").lower()):
            return v.id
    tail = wanted.rsplit("/", 1)[-1]
    for v in _voices:
        if v.id.lower().rsplit("/", 1)[-1] == tail:
            return v.id
    for match in (lambda code: code == lang, lambda code: code.startswith(lang + "-")):
        for v in _voices:
            if any(match(code.lower()) for code in (v.languages or [])):
                return v.id
    return None


def missing_voices(voices: dict[str, str]) -> list[str]:
    return [v for lang, v in voices.items() if resolve_voice(v, lang) is None]


def synthesize(text: str, voice_spec: str, lang: str, wpm: int, filename: str) -> None:
    """Write `text` spoken by the voice at `wpm` words a minute to the WAV file `filename`."""
    voice = resolve_voice(voice_spec, lang)
    if voice is None:
        raise EngineProblem(f"espeak-ng has no voice {voice_spec!r} for {lang!r}: check the voice id, or {INSTALL_FIX}")
    tts = engine()
    _errors.clear()
    done, outcome = threading.Event(), []

    def finished(completed=True, **_):
        outcome.append(completed)
        done.set()

    token = tts.connect("finished-utterance", finished)
    try:
        _drain()
        tts.setProperty("voice", voice)
        tts.setProperty("rate", wpm)
        _drain()
        tts.save_to_file(text, filename)
        tts.runAndWait()
        done.wait(SYNTH_TIMEOUT)
        _drain()
    finally:
        tts.disconnect(token)
        _forget_file(tts)
    if _errors:
        raise SynthesisFailed(f"espeak-ng failed: {_errors[0]}")
    if not outcome:
        raise SynthesisFailed(f"espeak-ng did not finish within {SYNTH_TIMEOUT} s")
    if not outcome[0]:
        raise SynthesisFailed("espeak-ng's synthesis was cancelled")
    if (tts.getProperty("voice") or "").lower() != voice.lower():
        raise SynthesisFailed(f"espeak-ng did not switch to voice {voice!r}")
