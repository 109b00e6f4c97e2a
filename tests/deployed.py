"""The product as `make run` runs it, for end-to-end tests: app.py's main() in a subprocess.

Pre-render, gunicorn and a forked worker, on a free loopback port with its own DATA_DIR, trusting a
local test CA (tests/deployed_app.py). The speech cache can be shared between servers, so the ~600
clips are rendered once per test run.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.alexa_load import BenchCA, children, ensure_ca, free_port, rss_kb
from tests import alexa_signing

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
NO_VOICE_INPUT = {"VOSK_MODEL_PATH": "", "VOSK_MODEL_EN": "", "VOSK_MODEL_NB": "", "VOSK_MODEL_DA": ""}


class Deployed:
    """One `tests/deployed_app.py` server. `speech` is a speech cache folder to share (a symlink)."""

    def __init__(self, data_dir: Path, speech: Path | None = None, **env: str):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if speech is not None and not (self.data_dir / "speech").exists():
            (self.data_dir / "speech").symlink_to(speech, target_is_directory=True)
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open for the server's whole life
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "deployed_app.py")],
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                **NO_VOICE_INPUT,
                "HOST": HOST,
                "PORT": str(self.port),
                "DATA_DIR": str(self.data_dir),
                "DEPLOYED_CA_DIR": str(self.data_dir / "test-ca"),
                **env,
            },
        )
        self.ca: BenchCA | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 180) -> Deployed:
        """Until /health answers 200 (pre-rendering comes first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                if self.request("GET", "/health", timeout=2)[0] == 200:
                    self.ca = ensure_ca(self.data_dir / "test-ca")  # the one the server loaded
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the server did not answer within {timeout} s:\n{self.log()[-3000:]}")

    def wait_exit(self, timeout: float = 60) -> int:
        return self.process.wait(timeout=timeout)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 10
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def post_json(self, path: str, data, timeout: float = 10) -> tuple[int, dict]:
        status, body = self.request(
            "POST", path, json.dumps(data).encode(), {"Content-Type": "application/json"}, timeout
        )
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"raw": body.decode(errors="replace")}

    def alexa(self, envelope: dict, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict]:
        """POST /alexa, signed with the test CA's leaf key unless headers are given."""
        body = json.dumps(envelope).encode()
        if headers is None:
            assert self.ca is not None, "wait_ready() first"
            headers = alexa_signing.signed_headers(body, self.ca.leaf_key)
        status, raw = self.request("POST", "/alexa", body, headers, timeout)
        return status, json.loads(raw) if raw.startswith(b"{") else {"raw": raw.decode(errors="replace")}

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def worker_rss_mb(self) -> float:
        """The serving worker's resident memory (not its speech render child)."""
        return sum(rss_kb(pid) for pid in self.worker_pids() if _is_gunicorn_worker(pid)) / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _is_gunicorn_worker(pid: int) -> bool:
    try:
        return "render_worker" not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return False
