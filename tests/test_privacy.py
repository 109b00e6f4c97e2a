"""No device id, user id or token in the logs at any level, and a device's time zone asked for once a day."""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from skill import night
from tests import alexa_signing

DEVICE = "amzn1.ask.device.SECRET-DEVICE"
USER = "amzn1.ask.account.SECRET-USER"
TOKEN = "SECRET-TOKEN"


class ZoneHandler(BaseHTTPRequestHandler):
    """Answers Alexa's device settings API with the server's `answer`, and remembers each path asked for."""

    def do_GET(self):
        self.server.paths.append(self.path)
        status, body = self.server.answer
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass  # http.server's own request log would print the device id to stderr


@pytest.fixture
def zones():
    """A local time-zone endpoint on 127.0.0.1, and an empty zone cache."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ZoneHandler)
    server.paths, server.answer = [], (200, "Europe/Oslo")
    server.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    night._zones.clear()
    yield server
    night._zones.clear()
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def assert_never_logged(records, *secrets):
    for record in records:
        for secret in secrets:
            assert secret not in record.getMessage() and secret not in repr(record.args), record.name


def test_the_device_id_is_not_logged_even_at_debug(zones, caplog):
    caplog.set_level(logging.DEBUG)
    assert night.device_now(zones.url, DEVICE, TOKEN).tzinfo.key == "Europe/Oslo"
    zones.answer = (403, {"message": "no permission"})
    night.device_now(zones.url, DEVICE + "-2", TOKEN)
    night.device_now(closed_port_url(), DEVICE + "-3", TOKEN)
    assert len(zones.paths) == 2 and DEVICE in zones.paths[0]
    assert any(record.name.startswith("urllib3") for record in caplog.records)  # urllib3 did log, redacted
    assert_never_logged(caplog.records, DEVICE, TOKEN)


def test_a_whole_alexa_request_logs_no_user_or_device_at_debug(zones, app, caplog):
    caplog.set_level(logging.DEBUG)
    envelope = alexa_signing.envelope()
    system = envelope["context"]["System"]
    system.update(
        device={"deviceId": DEVICE, "supportedInterfaces": {}},
        apiEndpoint=zones.url,
        apiAccessToken=TOKEN,
        user={"userId": USER},
    )
    envelope["session"]["user"] = {"userId": USER}
    body = json.dumps(envelope).encode()
    response = app.test_client().post(
        "/alexa", data=body, headers=alexa_signing.signed_headers(body), content_type="application/json"
    )
    assert response.status_code == 200 and len(zones.paths) == 1
    assert_never_logged(caplog.records, DEVICE, USER, TOKEN)


def test_the_zone_is_asked_for_once_per_device_whatever_the_token(zones):
    night.device_now(zones.url, DEVICE, "token-1")
    night.device_now(zones.url, DEVICE, "token-2")
    assert len(zones.paths) == 1
    night.device_now(zones.url, DEVICE + "-other", "token-3")
    assert len(zones.paths) == 2
    assert all(DEVICE not in key for key in night._zones)  # kept under a hash, not the raw id


def test_a_zone_is_kept_a_day_and_a_failure_five_minutes(zones, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(night, "monotonic", lambda: clock[0])
    zones.answer = (500, {})
    night.device_now(zones.url, DEVICE, TOKEN)
    clock[0] += 299
    night.device_now(zones.url, DEVICE, TOKEN)
    assert len(zones.paths) == 1
    zones.answer = (200, "Europe/Copenhagen")
    clock[0] += 2
    assert night.device_now(zones.url, DEVICE, TOKEN).tzinfo.key == "Europe/Copenhagen"
    clock[0] += 24 * 3600 - 1
    night.device_now(zones.url, DEVICE, TOKEN)
    assert len(zones.paths) == 2
    clock[0] += 2
    night.device_now(zones.url, DEVICE, TOKEN)
    assert len(zones.paths) == 3


def test_the_zone_cache_is_bounded(zones, monkeypatch):
    monkeypatch.setattr(night, "ZONES_KEPT", 2)
    for n in range(3):
        night.device_now(zones.url, f"{DEVICE}-{n}", TOKEN)
    assert len(night._zones) == 2
