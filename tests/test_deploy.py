"""The kiosk deployment (deploy/, README "Run it as a kiosk"): the systemd units are valid, and the page
the kiosk screen opens is served, in the clinic's language, by the server started as its unit starts it.

The units name the install folder /opt/cramp-coach; the README's install commands replace it with the
chosen folder, and these tests replace it with this checkout. Nothing is written outside tmp_path.
"""

from __future__ import annotations

import http.client
import json
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.alexa_load import free_port
from content import load_library
from settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
SERVER_UNIT = DEPLOY / "cramp-coach.service"
KIOSK_UNIT = DEPLOY / "cramp-coach-kiosk.service"
ENV_FILE = DEPLOY / "kiosk.env"
INSTALL = "/opt/cramp-coach"
CHROMIUM = "/usr/bin/chromium"
KIOSK_PROGRAMS = ("/usr/bin/cage", "/usr/bin/curl")  # run by the kiosk unit; `make test` does not install them
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"  # the PATH systemd gives a service

# The keys these units may use, as documented in systemd.unit(5), systemd.service(5) and systemd.exec(5).
# fmt: off
DOCUMENTED_KEYS = {
    "Unit": {
        "Description", "Documentation", "Wants", "Requires", "BindsTo", "PartOf", "After", "Before",
        "Conflicts", "ConditionPathExists", "StartLimitIntervalSec", "StartLimitBurst",
    },
    "Service": {
        "Type", "User", "Group", "SupplementaryGroups", "WorkingDirectory", "Environment", "EnvironmentFile",
        "ExecStartPre", "ExecStart", "ExecStartPost", "ExecStop", "Restart", "RestartSec", "TimeoutStartSec",
        "TimeoutStopSec", "KillMode", "StateDirectory", "StateDirectoryMode", "NoNewPrivileges", "PrivateTmp",
        "ProtectSystem", "ProtectHome", "PAMName", "TTYPath", "TTYReset", "TTYVHangup", "TTYVTDisallocate",
        "StandardInput", "StandardOutput", "StandardError", "SyslogIdentifier", "UtmpIdentifier", "UtmpMode",
    },
    "Install": {"WantedBy", "RequiredBy", "Alias"},
}
# fmt: on
KIOSK_FLAGS = {
    "--kiosk",
    "--noerrdialogs",
    "--no-first-run",
    "--disable-translate",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--autoplay-policy=no-user-gesture-required",
}

Unit = dict[str, dict[str, list[str]]]


def parse_unit(text: str) -> Unit:
    """A unit file as systemd.syntax(7) describes it: [Section] lines, then Key=value lines (a key may be
    given again), comment lines starting with # or ;, and a line ending in a backslash joined to the next."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    lines = iter(text.splitlines())
    for raw in lines:
        line = raw.strip()
        while line.endswith("\\"):
            line = line[:-1] + " " + next(lines, "").strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], {})
            continue
        key, equals, value = line.partition("=")
        assert section is not None and equals, f"not a Key=value line in a section: {raw!r}"
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


def parse_env_file(text: str) -> dict[str, str]:
    """An EnvironmentFile= as systemd.exec(5) reads it: KEY=value lines, # or ; comments, optional quotes."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, equals, value = line.partition("=")
        assert equals, f"not a KEY=value line: {line!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def service_environment(unit: Unit, env_file: Path, home: Path) -> dict[str, str]:
    """What systemd gives the service: its own PATH, then Environment=, then the EnvironmentFile= over it."""
    env = {"PATH": SYSTEMD_PATH, "HOME": str(home), "LANG": "C.UTF-8"}
    for assignments in unit["Service"].get("Environment", []):
        for word in shlex.split(assignments):
            name, _, value = word.partition("=")
            env[name] = value
    return {**env, **parse_env_file(env_file.read_text())}


def command(line: str, env: dict[str, str]) -> list[str]:
    """An Exec line's words with ${NAME} replaced from the environment, as systemd does."""
    return [re.sub(r"\$\{(\w+)\}", lambda m: env.get(m[1], ""), word) for word in shlex.split(line)]


def installed(text: str, stand_ins: bool = False) -> str:
    """A unit as installed in this checkout. With `stand_ins`, a program that the kiosk machine installs
    (the README's apt-get line) but this one lacks becomes /usr/bin/true, for systemd-analyze."""
    text = text.replace(INSTALL, str(REPO))
    for program in KIOSK_PROGRAMS if stand_ins else ():
        if not Path(program).exists():
            text = text.replace(program, "/usr/bin/true")
    return text


SERVER = parse_unit(installed(SERVER_UNIT.read_text()))
KIOSK = parse_unit(installed(KIOSK_UNIT.read_text()))


def only(unit: Unit, section: str, key: str) -> str:
    values = unit[section].get(key, [])
    assert len(values) == 1, f"[{section}] {key}= should be given once: {values}"
    return values[0]


@pytest.mark.parametrize("unit", [SERVER, KIOSK], ids=["server", "kiosk"])
def test_units_use_only_documented_keys(unit):
    assert set(unit) == set(DOCUMENTED_KEYS)
    for section, keys in unit.items():
        assert set(keys) <= DOCUMENTED_KEYS[section], f"[{section}]: {set(keys) - DOCUMENTED_KEYS[section]}"


def test_the_server_unit_runs_the_project_as_make_run_does():
    assert only(SERVER, "Service", "WorkingDirectory") == str(REPO)
    assert shlex.split(only(SERVER, "Service", "ExecStart")) == [str(REPO / ".venv" / "bin" / "python"), "app.py"]
    assert only(SERVER, "Service", "User") not in ("", "root")
    assert only(SERVER, "Service", "Restart") == "on-failure"
    assert only(SERVER, "Service", "EnvironmentFile") == "/etc/cramp-coach/kiosk.env"
    given = {word.split("=")[0] for line in SERVER["Service"]["Environment"] for word in shlex.split(line)}
    assert given - {"PYTHONUNBUFFERED"} <= set(Settings.model_fields)  # defaults only, no secrets
    assert only(SERVER, "Install", "WantedBy") == "multi-user.target"


def test_the_kiosk_unit_waits_for_the_server_and_opens_chromium_locked_down():
    assert "cramp-coach.service" in " ".join(KIOSK["Unit"]["After"] + KIOSK["Unit"]["Wants"])
    assert only(KIOSK, "Service", "User") not in ("", "root", only(SERVER, "Service", "User"))
    assert only(KIOSK, "Service", "Restart") == "always"
    assert only(KIOSK, "Service", "EnvironmentFile") == only(SERVER, "Service", "EnvironmentFile")
    wait = command(only(KIOSK, "Service", "ExecStartPre"), {"PORT": "8080"})
    assert wait[0] == "/usr/bin/curl" and wait[-1] == "http://127.0.0.1:8080/health"
    words = command(only(KIOSK, "Service", "ExecStart"), {"PORT": "8080"})
    browser = words[words.index(CHROMIUM) :]
    assert set(browser) >= KIOSK_FLAGS
    features = [flag.split("=", 1)[1].split(",") for flag in browser if flag.startswith("--disable-features=")]
    assert len(features) == 1 and "TranslateUI" in features[0]
    assert any(flag.startswith("--check-for-update-interval=") for flag in browser)
    assert browser[-1] == "http://127.0.0.1:8080/kiosk"
    policy = json.loads((DEPLOY / "chromium-policy.json").read_text())
    assert policy["DeveloperToolsAvailability"] == 2  # no developer tools (F12, Ctrl+Shift+I)


def test_the_example_environment_file_holds_real_settings():
    values = parse_env_file(ENV_FILE.read_text())
    assert {"HOST", "PORT", "DATA_DIR", "KIOSK_LANG"} <= set(values) <= set(Settings.model_fields)
    settings = load_settings(values)  # every value can be read
    assert settings.KIOSK_LANG in load_library().languages
    assert settings.HOST in ("127.0.0.1", "0.0.0.0")  # the kiosk screen opens 127.0.0.1


def test_the_readme_installs_every_deploy_file():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Run it as a kiosk") :].split("\n## ", 1)[0]
    assert [path.name for path in sorted(DEPLOY.iterdir()) if path.name not in section] == []


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_pass_systemd_analyze_verify(tmp_path):
    probe = tmp_path / "probe.service"
    probe.write_text("[Service]\nExecStart=/usr/bin/true\n")
    verify = ["systemd-analyze", "verify", "--man=no"]
    tried = subprocess.run([*verify, str(probe)], capture_output=True, text=True, timeout=60)
    if tried.returncode != 0:
        pytest.skip(f"systemd-analyze verify cannot run here: {tried.stderr.strip()}")
    units = []
    for unit in (SERVER_UNIT, KIOSK_UNIT):
        units.append(tmp_path / unit.name)
        units[-1].write_text(installed(unit.read_text(), stand_ins=True))
    result = subprocess.run([*verify, *map(str, units)], capture_output=True, text=True, timeout=60)
    # verify exits 0 after an unknown key or a bad value and only says so: any output is a finding
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (the kiosk unit waits with it)")
def test_the_kiosk_screen_opens_the_page_in_the_clinic_language(tmp_path):
    port = free_port()
    env_file = tmp_path / "kiosk.env"  # the example as a clinic would install it, on a free port here
    example = ENV_FILE.read_text()
    example = re.sub(r"(?m)^PORT=.*$", f"PORT={port}", example)
    env_file.write_text(re.sub(r"(?m)^DATA_DIR=.*$", f"DATA_DIR={tmp_path / 'data'}", example))
    lang = parse_env_file(example)["KIOSK_LANG"]
    assert lang != Settings.model_fields["KIOSK_LANG"].default  # so the page shows the file was obeyed
    server_env = service_environment(SERVER, env_file, tmp_path)
    kiosk_env = service_environment(KIOSK, env_file, tmp_path)

    # Both start at boot: the kiosk unit's wait begins before the server listens.
    wait = subprocess.Popen(command(only(KIOSK, "Service", "ExecStartPre"), kiosk_env), env=kiosk_env)
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen(
            command(only(SERVER, "Service", "ExecStart"), server_env),
            cwd=only(SERVER, "Service", "WorkingDirectory"),
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 330
        while wait.poll() is None and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        output = (tmp_path / "server.log").read_text(errors="replace")[-3000:]
        assert server.poll() is None, f"the server exited with {server.returncode}:\n{output}"
        assert wait.poll() == 0, f"the kiosk unit's wait for the server failed:\n{output}"

        url = command(only(KIOSK, "Service", "ExecStart"), kiosk_env)[-1]
        assert url == f"http://127.0.0.1:{port}/kiosk"
        address = urlsplit(url)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.request("GET", address.path)
        response = connection.getresponse()
        status, page = response.status, response.read().decode()
        connection.close()
        assert status == 200
        html = re.search(r'<html lang="([^"]+)"', page)
        assert html is not None and html[1] == lang
        assert f'data-lang="{lang}"' in page
    finally:
        for process in (wait, server):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
