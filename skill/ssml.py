"""Reply -> SSML for Alexa: escaped, valid XML, breaks of at most 10 s, at most 8,000 characters."""

from __future__ import annotations

from xml.sax.saxutils import escape

from coach.reply import Hold, Pause, Reply, Say, Segment

MAX_BREAK_MS = 10_000
MAX_SSML_CHARS = 8_000


def _breaks(seconds: float) -> list[str]:
    """Alexa allows at most 10 s per <break>, so a longer hold becomes a chain of breaks."""
    remaining, parts = round(seconds * 1000), []
    while remaining > 0:
        chunk = min(remaining, MAX_BREAK_MS)
        parts.append(f'<break time="{chunk}ms"/>')
        remaining -= chunk
    return parts


def _sentence(text: str) -> str:
    return f"<s>{escape(text)}</s>"


def _part(part: Segment | Hold) -> list[str]:
    if isinstance(part, Say):
        return [_sentence(part.text)]
    if isinstance(part, Pause):
        return _breaks(part.seconds)
    return [tag for cue in part.cues for tag in (_sentence(cue.text), *_breaks(cue.pause))]


def to_ssml(parts: list[Segment | Hold], rate: float = 1.0, soft: bool = False) -> str:
    """Whole parts only: if the limit is reached, the rest is left out rather than cut mid-word or mid-hold."""
    attrs = f' rate="{round(rate * 100)}%"' + (' volume="soft"' if soft else "")
    head, tail = f"<speak><prosody{attrs}>", "</prosody></speak>"
    budget = MAX_SSML_CHARS - len(head) - len(tail)
    body: list[str] = []
    for part in parts:
        tags = _part(part)
        size = sum(map(len, tags))
        if size > budget:
            break
        body += tags
        budget -= size
    return head + "".join(body) + tail


def reply_ssml(reply: Reply) -> tuple[str, str | None]:
    """Speech and reprompt for a reply, at the user's rate and, at night, softer."""
    speech = to_ssml(reply.parts(), reply.rate, reply.night)
    reprompt = to_ssml([Say(reply.reprompt)], reply.rate, reply.night) if reply.reprompt else None
    return speech, reprompt
