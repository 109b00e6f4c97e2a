"""A timed hold as speech and pauses: a calm count that takes about as long as the hold."""

from __future__ import annotations

from .reply import Pause, Say, Segment

COUNTDOWN = 5        # the last seconds are counted one by one
ANNOUNCE_EVERY = 10  # "twenty more seconds", "ten more seconds"
TICK = 0.6           # pause after each counted number; the number itself takes about 0.4 s


def hold_segments(seconds: int, say: dict[str, str]) -> list[Segment]:
    """Speech for one hold: start, breathe and "twenty more seconds" cues, then five, four, three, two, one."""
    segments: list[Segment] = [Say(say["hold_start"])]
    remaining = seconds
    while remaining > COUNTDOWN:
        mark = max(COUNTDOWN, (remaining - 1) // ANNOUNCE_EVERY * ANNOUNCE_EVERY)
        wait = remaining - mark
        if wait >= 6:
            segments += [Pause(wait / 2), Say(say["breathe"]), Pause(wait / 2)]
        else:
            segments.append(Pause(wait))
        remaining = mark
        if remaining > COUNTDOWN:
            segments.append(Say(say["hold_remaining"].format(seconds=remaining)))
    for number in range(remaining, 0, -1):
        segments += [Say(str(number)), Pause(TICK)]
    return segments

