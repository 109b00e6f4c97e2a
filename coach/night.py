"""Night mode: 22:00 to 07:00 local time, when Cramp Coach speaks softer and a little slower."""

from __future__ import annotations

from datetime import datetime, time

NIGHT_START, NIGHT_END = time(22, 0), time(7, 0)


def is_night(moment: datetime) -> bool:
    clock = moment.time()
    return clock >= NIGHT_START or clock < NIGHT_END
