"""Small WAV files for tests: a recording as the kiosk page or a microphone would send it."""

from __future__ import annotations

import io
import wave


def wav_bytes(seconds: float, rate: int = 16000, channels: int = 1, width: int = 2, sample: bytes = b"") -> bytes:
    """`seconds` of one repeated sample (silence by default) as a WAV file's bytes."""
    body = io.BytesIO()
    with wave.open(body, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes((sample or b"\0" * width) * channels * int(rate * seconds))
    return body.getvalue()
