"""Kiosk visits under pressure, and recordings checked before any work (in-process parts)."""

from __future__ import annotations

import io

import pytest

from kiosk import web
from kiosk.web import KioskFull, SessionStore, VisitLimiter
from speech.audio import BadRecording, read_upload, resample
from tests.audio_files import wav_bytes


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Visit:
    """A stand-in for Visit with the two things the store asks of a visit."""

    def __init__(self, clock, idle_seconds=120.0):
        self.clock, self.idle_seconds, self.last = clock, idle_seconds, clock()
        self.state: dict | None = {"mode": "ask"}

    def idle(self):
        return self.clock() - self.last >= self.idle_seconds


def test_a_full_store_makes_room_from_idle_visits_only(monkeypatch):
    monkeypatch.setattr(web, "MAX_SESSIONS", 4)
    clock = Clock()
    store = SessionStore(lambda lang: Visit(clock))
    keys = [store.new("en")[0] for _ in range(4)]
    with pytest.raises(KioskFull):
        store.new("en")
    assert all(store.get(key) is not None for key in keys)  # nobody active was pushed out
    clock.now += 100
    store.get(keys[0]).last = clock.now  # one visitor is still pressing buttons
    clock.now += 30  # the other three are idle now
    store.new("en")
    assert store.get(keys[0]) is not None
    assert [store.get(key) for key in keys[1:]] == [None, None, None]


def test_visit_limiter_counts_per_address_in_a_sliding_minute():
    clock = Clock()
    limiter = VisitLimiter(3, clock=clock)
    assert [limiter.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("10.0.0.2")
    clock.now += 59
    assert not limiter.allow("10.0.0.1")
    clock.now += 1.5
    assert limiter.allow("10.0.0.1")


def test_visit_limiter_memory_is_bounded():
    limiter = VisitLimiter(1, clock=Clock(), max_clients=100)
    for n in range(1000):
        limiter.allow(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._starts) == 100


def wav(rate: int = 16000, seconds: float = 1.0, channels: int = 1, width: int = 2) -> io.BytesIO:
    return io.BytesIO(wav_bytes(seconds, rate, channels, width))


@pytest.mark.parametrize(
    "upload, problem",
    [
        (wav(rate=100), "sample rate"),
        (wav(rate=7999), "sample rate"),
        (wav(rate=48001), "sample rate"),
        (wav(channels=2), "mono"),
        (wav(width=1), "16-bit"),
        (wav(seconds=10.5), "10 seconds"),
        (io.BytesIO(b"RIFF\0\0\0\0WAVEjunk"), "WAV"),
        (io.BytesIO(b""), "WAV"),
    ],
)
def test_recordings_outside_the_limits_are_refused(upload, problem):
    with pytest.raises(BadRecording, match=problem):
        read_upload(upload)


def test_a_zero_rate_header_is_refused_not_divided_by():
    data = bytearray(wav().getvalue())
    data[24:28] = (0).to_bytes(4, "little")
    with pytest.raises(BadRecording):
        read_upload(io.BytesIO(bytes(data)))


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_recordings_within_the_limits_are_read(rate):
    pcm, got = read_upload(wav(rate=rate, seconds=2))
    assert got == rate and len(pcm) == 4 * rate


def test_resampling_is_linear_interpolation_of_the_right_length():
    ramp = b"".join(int(v).to_bytes(2, "little", signed=True) for v in range(0, 8000, 2))  # 4000 samples
    out = resample(ramp, 8000, 16000)
    samples = [int.from_bytes(out[i : i + 2], "little", signed=True) for i in range(0, len(out), 2)]
    assert len(samples) == 8000
    assert samples[:5] == [0, 1, 2, 3, 4]  # halfway points between 0, 2, 4...
    assert resample(ramp, 16000, 16000) == ramp
    with pytest.raises(ValueError):
        resample(ramp, 0, 16000)
