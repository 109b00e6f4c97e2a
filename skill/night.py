"""Night mode: 22:00 to 07:00 in the device's time zone when Alexa tells it, else the server's."""

from __future__ import annotations

import logging
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

log = logging.getLogger(__name__)
NIGHT_START, NIGHT_END = time(22, 0), time(7, 0)


def is_night(moment: datetime) -> bool:
    clock = moment.time()
    return clock >= NIGHT_START or clock < NIGHT_END


@lru_cache(maxsize=4096)
def _device_zone(endpoint: str, device_id: str, token: str) -> str | None:
    url = f"{endpoint}/v2/devices/{device_id}/settings/System.timeZone"
    try:
        answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=1.0)
        return answer.json() if answer.ok else None
    except (requests.RequestException, ValueError):
        log.info("device time zone unavailable; using the server's")
        return None


def device_now(endpoint: str | None, device_id: str | None, token: str | None,
               now: datetime | None = None) -> datetime:
    """The device's local time if its time zone can be had quickly; else the server's local time."""
    now = now or datetime.now().astimezone()
    if not (endpoint and device_id and token):
        return now
    zone = _device_zone(endpoint, device_id, token)
    try:
        return now.astimezone(ZoneInfo(zone)) if isinstance(zone, str) else now
    except (ZoneInfoNotFoundError, ValueError):
        return now
