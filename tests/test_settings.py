"""One settings object: read from the environment in settings.py only, and obeyed by every surface."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from settings import LambdaSettings, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("coach", "content", "skill", "kiosk", "speech")
PRODUCT = [ROOT / "app.py", ROOT / "settings.py", *(path for p in PACKAGES for path in (ROOT / p).rglob("*.py"))]


def environment_reads(source: str) -> list[int]:
    """The lines that use os.environ or os.getenv (also when imported from os by name)."""
    names = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if (
            isinstance(node, ast.Attribute)
            and node.attr in names
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )
        or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in names for alias in node.names)
        )
    )


def test_only_settings_py_reads_the_environment():
    assert environment_reads("import os\nos.environ.get('X')\nfrom os import getenv\n") == [2, 3]
    found = {
        str(path.relative_to(ROOT)): environment_reads(path.read_text())
        for path in PRODUCT
        if path != ROOT / "settings.py"
    }
    assert {"app.py", "skill/persistence.py", "speech/asr.py", "speech/tts.py", "kiosk/__main__.py"} <= set(found)
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_settings_are_typed_and_overrides_win(monkeypatch):
    monkeypatch.setenv("ALEXA_VERIFY", "0")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "100")
    monkeypatch.setenv("PORT", "1")
    monkeypatch.setenv("PRERENDER", "off")
    settings = load_settings({"PORT": 2, "DATA_DIR": "relative", "TESTING": True})
    assert (settings.ALEXA_VERIFY, settings.MAX_CONTENT_LENGTH, settings.PRERENDER) == (False, 100, False)
    assert settings.PORT == 2
    assert Path.cwd() / "relative" == settings.DATA_DIR
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(SettingsError, match="PORT='eighty'"):
        load_settings()


def test_defaults_and_the_lambdas_own(monkeypatch):
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.HOST, settings.PORT, settings.PRERENDER) == ("127.0.0.1", 8080, True)
    assert (settings.PERSISTENCE, settings.DATA_DIR) == ("sqlite", ROOT / "data")
    assert ("dynamodb", Path("/tmp/cramp-coach")) == (LambdaSettings().PERSISTENCE, LambdaSettings().DATA_DIR)
    monkeypatch.setenv("PERSISTENCE", "sqlite")
    assert LambdaSettings().PERSISTENCE == "sqlite"


def test_the_app_keeps_settings_and_test_doubles_in_its_config(tmp_path):
    fetch = object()
    app = create_app({"DATA_DIR": str(tmp_path), "ALEXA_CERT_FETCH": fetch, "KIOSK_IDLE_SECONDS": 5})
    assert tmp_path == app.extensions["settings"].DATA_DIR
    assert app.config["ALEXA_CERT_FETCH"] is fetch and app.config["KIOSK_IDLE_SECONDS"] == 5
    assert app.config["PORT"] == app.extensions["settings"].PORT


def run_kiosk(tmp_path: Path, *args: str, stdin: str = "", **settings: str) -> subprocess.CompletedProcess:
    """`python -m kiosk ...` in the repository, with DATA_DIR in tmp_path and no Vosk setting but `settings`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VOSK_")}
    env.update(DATA_DIR=str(tmp_path / "data"), **settings)
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def repository_data() -> set[Path]:
    return set((ROOT / "data").rglob("*"))


def test_the_kiosk_cli_keeps_its_speech_cache_in_data_dir(tmp_path):
    before = repository_data()
    result = run_kiosk(tmp_path, "text", "--lang", "en", "--output", str(tmp_path / "out"), stdin="hello\n")
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "data" / "speech").glob("*.wav"))
    assert repository_data() <= before  # nothing new in the repository's ./data


def test_the_kiosk_cli_uses_the_model_set_for_its_language(tmp_path, spoken_cramp):
    model, recording = spoken_cramp
    result = run_kiosk(
        tmp_path,
        "voice",
        "--lang",
        "en",
        "--input",
        str(recording),
        "--output",
        str(tmp_path / "out"),
        VOSK_MODEL_EN=str(model),
    )
    assert "no Vosk model" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "out").glob("*.wav"))  # it heard something and answered
