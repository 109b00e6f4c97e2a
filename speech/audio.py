"""Small WAV / 16-bit PCM helpers (standard library only)."""

from __future__ import annotations

import sys
import wave
from array import array
from pathlib import Path
from typing import BinaryIO


def _samples(pcm: bytes) -> array:
    samples = array("h")
    samples.frombytes(pcm)
    if sys.byteorder == "big":  # WAV and Vosk use little-endian samples
        samples.byteswap()
    return samples


def _bytes(samples: array) -> bytes:
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def read_pcm16(path: str | Path | BinaryIO) -> tuple[bytes, int]:
    """Read a 16-bit PCM WAV (a path or an open binary file) as mono; returns (pcm, sample_rate)."""
    with wave.open(path if hasattr(path, "read") else str(path), "rb") as f:
        channels, width, rate = f.getnchannels(), f.getsampwidth(), f.getframerate()
        pcm = f.readframes(f.getnframes())
    if width != 2:
        raise ValueError(f"{path}: {8 * width}-bit samples; 16-bit PCM is needed")
    if channels > 1:
        s = _samples(pcm)
        pcm = _bytes(array("h", (sum(s[i:i + channels]) // channels for i in range(0, len(s), channels))))
    return pcm, rate


def write_wav(path: str | Path, pcm: bytes, sample_rate: int) -> None:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sample_rate)
        f.writeframes(pcm)


def wav_duration(path: str | Path) -> float:
    with wave.open(str(path), "rb") as f:
        return f.getnframes() / f.getframerate()


def silence(seconds: float, sample_rate: int = 16000) -> bytes:
    return b"\0\0" * round(seconds * sample_rate)


def resample(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    """Mono 16-bit PCM to another rate by linear interpolation.

    Good enough for speech going into Vosk (it works on 8 kHz-band features anyway); not hi-fi.
    """
    if src_rate == dst_rate or not pcm:
        return pcm
    s = _samples(pcm)
    n_out = max(1, len(s) * dst_rate // src_rate)
    step = src_rate / dst_rate
    last = len(s) - 1
    out = array("h", bytes(2 * n_out))
    for i in range(n_out):
        pos = i * step
        j = int(pos)
        frac = pos - j
        a = s[j] if j <= last else s[last]
        b = s[j + 1] if j < last else a
        out[i] = int(a + (b - a) * frac)
    return _bytes(out)
