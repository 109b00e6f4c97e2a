"""Small WAV / 16-bit PCM helpers."""

from __future__ import annotations

import sys
import wave
from array import array
from pathlib import Path
from typing import BinaryIO

import numpy as np

# What a recording sent to the kiosk may be: checked from the header, before any work.
UPLOAD_MIN_RATE, UPLOAD_MAX_RATE, UPLOAD_MAX_SECONDS = 8000, 48000, 10.0


class BadRecording(ValueError):
    """An uploaded recording the kiosk will not read; str() says why, for the sender."""


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
    with wave.open(str(path) if isinstance(path, (str, Path)) else path, "rb") as f:
        channels, width, rate = f.getnchannels(), f.getsampwidth(), f.getframerate()
        pcm = f.readframes(f.getnframes())
    if width != 2:
        raise ValueError(f"{path}: {8 * width}-bit samples; 16-bit PCM is needed")
    if channels > 1:
        s = _samples(pcm)
        pcm = _bytes(array("h", (sum(s[i : i + channels]) // channels for i in range(0, len(s), channels))))
    return pcm, rate


def read_upload(stream: BinaryIO) -> tuple[bytes, int]:
    """A visitor's recording: 16-bit mono PCM at 8-48 kHz, at most 10 s, the header checked first."""
    try:
        with wave.open(stream, "rb") as f:
            channels, width, rate, frames = f.getnchannels(), f.getsampwidth(), f.getframerate(), f.getnframes()
            if channels != 1 or width != 2:
                raise BadRecording("send 16-bit mono audio")
            if not UPLOAD_MIN_RATE <= rate <= UPLOAD_MAX_RATE:
                raise BadRecording(f"the sample rate must be {UPLOAD_MIN_RATE}-{UPLOAD_MAX_RATE} Hz")
            if frames > UPLOAD_MAX_SECONDS * rate:
                raise BadRecording(f"recordings may be at most {UPLOAD_MAX_SECONDS:g} seconds long")
            pcm = f.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise BadRecording("send a 16-bit mono WAV file") from error
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
    """Mono 16-bit little-endian PCM to another rate by linear interpolation (numpy, linear time).

    Good enough for speech going into Vosk (it works on 8 kHz-band features anyway); not hi-fi.
    """
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError(f"sample rates must be positive ({src_rate} -> {dst_rate})")
    if src_rate == dst_rate or len(pcm) < 2:
        return pcm
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    n_out = max(1, len(samples) * dst_rate // src_rate)
    positions = np.arange(n_out) * (src_rate / dst_rate)
    out = np.interp(positions, np.arange(len(samples)), samples)
    return out.astype("<i2").tobytes()
