"""A reply as sound: one WAV per reply (clips joined, pauses as silence), played or written to disk."""

from __future__ import annotations

import logging

from coach.reply import Pause, Reply
from speech.audio import read_pcm16, resample, silence
from speech.tts import Speaker, SpeechUnavailable

log = logging.getLogger(__name__)
OUTPUT_RATE = 22050  # espeak-ng's own rate: no resampling for the usual case


def reply_pcm(reply: Reply, lang: str, speaker: Speaker) -> list[tuple[str, bytes]]:
    """The reply as ("say"|"pause", pcm) parts at OUTPUT_RATE. A clip that fails is left out and logged."""
    parts = []
    for segment in reply.segments:
        if isinstance(segment, Pause):
            parts.append(("pause", silence(segment.seconds, OUTPUT_RATE)))
            continue
        try:
            pcm, rate = read_pcm16(speaker.render(segment.text, lang, reply.rate))
        except (SpeechUnavailable, ValueError, OSError) as error:
            log.error("speech failed for one clip (the text stays on screen): %s", type(error).__name__)
            continue
        parts.append(("say", resample(pcm, rate, OUTPUT_RATE) if rate != OUTPUT_RATE else pcm))
    return parts
