"""Reply -> SSML for Alexa: escaped, valid XML, breaks of at most 10 s, at most 8,000 characters."""

from __future__ import annotations

from xml.sax.saxutils import escape

from coach.reply import Reply, Say, Segment

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


def _segment(segment: Segment) -> list[str]:
    if isinstance(segment, Say):
        return [f"<s>{escape(segment.text)}</s>"]
    return _breaks(segment.seconds)


def to_ssml(segments: list[Segment], rate: float = 1.0, soft: bool = False) -> str:
    """Whole segments only: if the limit is reached, the rest is left out rather than cut mid-word."""
    attrs = f' rate="{round(rate * 100)}%"' + (' volume="soft"' if soft else "")
    head, tail = f"<speak><prosody{attrs}>", "</prosody></speak>"
    budget = MAX_SSML_CHARS - len(head) - len(tail)
    body: list[str] = []
    for segment in segments:
        parts = _segment(segment)
        size = sum(map(len, parts))
        if size > budget:
            break
        body += parts
        budget -= size
    return head + "".join(body) + tail


def reply_ssml(reply: Reply) -> tuple[str, str | None]:
    """Speech and reprompt for a reply, at the user's rate and, at night, softer."""
    speech = to_ssml(reply.segments, reply.rate, reply.night)
    reprompt = to_ssml([Say(reply.reprompt)], reply.rate, reply.night) if reply.reprompt else None
    return speech, reprompt


