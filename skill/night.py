"""The device's local time for night mode (coach.night): its time zone when Alexa tells it, else the server's."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from datetime import datetime
from time import monotonic
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

log = logging.getLogger(__name__)
ZONE_SECONDS, FAILURE_SECONDS, ZONES_KEPT = 24 * 3600, 300, 4096
_DEVICE_PATH = re.compile(r"/v2/devices/[^/\s'\"]+")


class RedactDevicePaths(logging.Filter):
    """urllib3 logs request URLs at DEBUG; the time-zone URL holds the device id, so that part is blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/v2/devices/" in message:
            record.msg, record.args = _DEVICE_PATH.sub("/v2/devices/<device>", message), None
        return True


# A logger's filters see only its own records, not those of its children, so each module logger gets one.
for _name in (
    "requests",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
):
    logging.getLogger(_name).addFilter(RedactDevicePaths())


_zones: OrderedDict[str, tuple[float, str | None]] = OrderedDict()  # hashed device id -> (until, zone)
_zones_lock = threading.Lock()


def _fetch_zone(endpoint: str, device_id: str, token: str) -> str | None:
    url = f"{endpoint}/v2/devices/{device_id}/settings/System.timeZone"
    try:
        answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=1.0)
        zone = answer.json() if answer.ok else None
    except (requests.RequestException, ValueError):
        zone = None
    if not isinstance(zone, str):
        log.info("device time zone unavailable; using the server's")
        return None
    return zone


def _device_zone(endpoint: str, device_id: str, token: str) -> str | None:
    """Kept per hashed device id, as the token changes with every request: a day, a failed lookup five minutes."""
    key = hashlib.sha256(device_id.encode()).hexdigest()
    with _zones_lock:
        until, zone = _zones.get(key, (0.0, None))
    if until > monotonic():
        return zone
    zone = _fetch_zone(endpoint, device_id, token)
    with _zones_lock:
        _zones[key] = (monotonic() + (ZONE_SECONDS if zone else FAILURE_SECONDS), zone)
        _zones.move_to_end(key)
        while len(_zones) > ZONES_KEPT:
            _zones.popitem(last=False)
    return zone


def device_now(endpoint: str | None, device_id: str | None, token: str | None, now: datetime | None = None) -> datetime:
    """The device's local time if its time zone can be had quickly; else the server's local time."""
    now = now or datetime.now().astimezone()
    if not (endpoint and device_id and token):
        return now
    zone = _device_zone(endpoint, device_id, token)
    try:
        return now.astimezone(ZoneInfo(zone)) if zone else now
    except (ZoneInfoNotFoundError, ValueError):
        return now
