"""A timed hold as data: a calm count that takes about as long as the hold."""

from __future__ import annotations

from .reply import Cue, Hold

COUNTDOWN = 3  # the last seconds are counted one by one
ANNOUNCE_EVERY = 10  # "twenty more seconds", "ten more seconds"
TICK = 0.6  # pause after each counted number; the number itself takes about 0.4 s


def timed_hold(seconds: int, rep: int, reps: int, say: dict[str, str]) -> Hold:
    """Round `rep` of `reps`: start, breathe and "twenty more seconds" cues, then three, two, one."""
    cues: list[Cue] = []
    remaining = seconds
    while remaining > COUNTDOWN:
        text = say["hold_start"] if remaining == seconds else say["hold_remaining"].format(seconds=remaining)
        mark = max(COUNTDOWN, (remaining - 1) // ANNOUNCE_EVERY * ANNOUNCE_EVERY)
        wait = remaining - mark
        if wait >= 10:  # a long wait has a reminder to breathe halfway
            cues += [
                Cue(seconds - remaining, text, wait / 2),
                Cue(seconds - remaining + wait / 2, say["breathe"], wait / 2),
            ]
        else:
            cues.append(Cue(seconds - remaining, text, wait))
        remaining = mark
    if not cues:  # too short to wait: straight from the start to the count
        cues.append(Cue(0, say["hold_start"], 0))
    cues += [Cue(seconds - number, str(number), TICK) for number in range(remaining, 0, -1)]
    return Hold(seconds, rep, reps, tuple(cues))
