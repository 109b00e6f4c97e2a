"""The two places that reach past a library's public API, pinned on the pinned versions.

- speech/espeak_engine.py: pyttsx3 2.99 has no public way to wait for espeak-ng's command queue or
  to make the espeak driver forget its output file, so `_drain()` calls the driver's ctypes binding
  `pyttsx3.drivers._espeak.Synchronize` and `_forget_file()` clears the driver's `_save_file`.
- skill/web.py: ask-sdk-core 1.19.0 has no public hook for how timestamps are parsed, so `Serializer`
  overrides DefaultSerializer's private, name-mangled `__deserialize_datetime`.

When requirements.txt moves to another version these tests say whether the workarounds still fit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.web import Serializer

ROOT = Path(__file__).resolve().parent.parent
PRIVATE_DATETIME = "_DefaultSerializer__deserialize_datetime"


def pinned(package: str) -> str:
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        name, _, wanted = line.split("#", 1)[0].strip().partition("==")
        if name.lower().replace("_", "-") == package:
            return wanted
    raise AssertionError(f"{package} is not pinned in requirements.txt")


@pytest.mark.parametrize("package, expected", [("pyttsx3", "2.99"), ("ask-sdk-core", "1.19.0")])
def test_installed_versions_are_the_pinned_ones(package, expected):
    assert pinned(package) == expected
    assert version(package) == expected


# --- pyttsx3 (speech/espeak_engine.py: _drain and _forget_file) ---


def test_espeak_binding_has_synchronize():
    from pyttsx3.drivers import _espeak

    assert callable(_espeak.Synchronize)


# Runs in a child process: espeak-ng's thread must not live in the test process (it does not
# survive a fork, and some tests fork), and the engine is made once per process.
ESPEAK_FACTS = r"""
import json, sys
from pyttsx3.drivers.espeak import EspeakDriver
from speech import espeak_engine

tts = espeak_engine.engine()                  # calls _drain(), i.e. _espeak.Synchronize()
driver = getattr(tts.proxy, "_driver", None)  # where _forget_file looks for the driver
facts = {"driver_is_espeak": isinstance(driver, EspeakDriver)}

driver.save_to_file("Hello.", sys.argv[1])
facts["save_file_after_save_to_file"] = getattr(driver, "_save_file", "(no _save_file)")
espeak_engine._forget_file(tts)
facts["save_file_after_forget"] = getattr(driver, "_save_file", "(no _save_file)")

forget, espeak_engine._forget_file = espeak_engine._forget_file, lambda engine: None
espeak_engine.synthesize("Hello.", "gmw/en", "en", 165, sys.argv[2])
facts["save_file_kept_after_run"] = getattr(driver, "_save_file", "(no _save_file)")
espeak_engine._forget_file = forget

espeak_engine.synthesize("Hello again.", "gmw/en", "en", 165, sys.argv[3])
facts["save_file_after_synthesize"] = getattr(driver, "_save_file", "(no _save_file)")
print("FACTS " + json.dumps(facts))
"""


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (`make test` installs it)")
def test_espeak_driver_keeps_its_file_name_and_forget_file_clears_it(tmp_path):
    first, second, third = (str(tmp_path / name) for name in ("queued.wav", "kept.wav", "forgotten.wav"))
    result = subprocess.run(
        [sys.executable, "-c", ESPEAK_FACTS, first, second, third],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("FACTS "))[6:])
    assert facts == {
        "driver_is_espeak": True,
        "save_file_after_save_to_file": first,  # the private attribute _forget_file clears
        "save_file_after_forget": None,
        "save_file_kept_after_run": second,  # the quirk: a later say() would write this file again
        "save_file_after_synthesize": None,  # synthesize() leaves nothing to write into
    }
    assert not Path(first).exists()  # a driver call alone writes nothing
    assert Path(second).stat().st_size > 44 and Path(third).stat().st_size > 44


# --- ask-sdk-core (skill/web.py: Serializer) ---


def test_the_private_method_the_serializer_overrides_exists():
    assert callable(vars(DefaultSerializer).get(PRIVATE_DATETIME))
    assert PRIVATE_DATETIME in vars(Serializer)


ALEXA_TIMESTAMPS = [
    "2026-11-22T02:05:48Z",
    "2026-11-22T02:05:48.123Z",
    "2026-11-22T02:05:48+01:00",
    "2026-11-22T02:05:48",
]


@pytest.mark.parametrize("timestamp", ALEXA_TIMESTAMPS)
def test_the_override_parses_timestamps_as_ask_sdk_does(timestamp):
    ours = getattr(Serializer(), PRIVATE_DATETIME)(timestamp, datetime)
    theirs = getattr(DefaultSerializer(), PRIVATE_DATETIME)(timestamp, datetime)
    assert ours == theirs
    assert ours.utcoffset() == theirs.utcoffset()
    assert getattr(Serializer(), PRIVATE_DATETIME)(timestamp[:10], date) == date(2026, 11, 22)


def test_public_deserialize_reaches_the_override():
    body = json.dumps(
        {
            "version": "1.0",
            "request": {
                "type": "LaunchRequest",
                "requestId": "r",
                "timestamp": "2026-11-22T02:05:48Z",
                "locale": "en-US",
            },
        }
    )
    ours = Serializer().deserialize(body, RequestEnvelope).request.timestamp
    theirs = DefaultSerializer().deserialize(body, RequestEnvelope).request.timestamp
    assert ours == theirs == datetime(2026, 11, 22, 2, 5, 48, tzinfo=UTC)
    assert ours.utcoffset() == timedelta(0)
    assert type(ours.tzinfo) is timezone  # the standard library parsed it, not ask-sdk's dateutil
