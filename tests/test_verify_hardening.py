"""Regression tests for weaknesses in skill.verify found by attacking the running server."""

import base64
import datetime as dt
import json
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app import create_app
from skill import verify as verify_mod
from skill.verify import VerificationError
from tests.alexa_signing import (
    CERT_URL,
    SKILL_ID,
    chain_pem,
    default_chain_pem,
    envelope_bytes,
    fake_fetch,
    local_verifier,
    make_ca,
    make_leaf,
    rsa_key,
    sign,
    signed_headers,
)

TOLERANCE = dt.timedelta(seconds=150)


class Clock:
    """A clock the test can move."""

    def __init__(self):
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_verifier(clock):
    def make(**kwargs):
        return local_verifier(clock=clock, **kwargs)

    return make


def signed(clock, url=CERT_URL):
    """Headers and body of a fresh, correctly signed request."""
    body = envelope_bytes(timestamp=clock.now)
    return signed_headers(body, url=url), body


def assert_rejected(verifier, headers, body, reason):
    with pytest.raises(VerificationError) as info:
        verifier.verify(headers, body)
    assert reason in str(info.value)


def cert_url(name):
    return f"https://s3.amazonaws.com/echo.api/{name}.pem"


# --- 1. one cache key: URL variants cannot grow memory -----------------------


def host_variant(i):
    host = "".join(c.upper() if i >> n & 1 else c for n, c in enumerate("amazonawscom"))
    return f"https://s3.{host[:9]}.{host[9:]}/echo.api/echo-api-cert.pem"


@pytest.mark.parametrize(
    "variant", [lambda i: f"{CERT_URL}#{i:07d}{'x' * 7000}", host_variant], ids=["fragment", "host-case"]
)
def test_unsigned_requests_with_url_variants_do_not_grow_memory(make_verifier, clock, variant):
    verifier = make_verifier()
    verifier.verify(*signed(clock))  # the real URL's chain is cached
    headers, body = signed(clock)
    bogus = sign(b"something else", rsa_key("rogue"))

    def attack(numbers):
        for i in numbers:
            with pytest.raises(VerificationError):
                verifier.verify({**headers, "SignatureCertChainUrl": variant(i), "Signature-256": bogus}, body)

    tracemalloc.start()
    try:
        attack(range(2000))  # fills any bounded cache on the way
        before = tracemalloc.get_traced_memory()[0]
        attack(range(2000, 3000))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 50_000


# --- 2. a cache miss re-validates the chain ---------------------------------


def test_url_variant_is_revalidated_after_its_chain_is_evicted(make_verifier, clock, monkeypatch):
    monkeypatch.setattr(verify_mod, "MAX_CACHED_CHAINS", 1)
    variant = "https://S3.amazonaws.com/echo.api/echo-api-cert.pem"
    fetch = fake_fetch({CERT_URL: default_chain_pem(), cert_url("other"): default_chain_pem()})
    verifier = make_verifier(fetch=fetch)
    verifier.verify(*signed(clock, url=variant))
    verifier.verify(*signed(clock, url=cert_url("other")))  # evicts the first chain
    fetch.mapping[CERT_URL] = chain_pem(make_leaf(self_signed=True))  # same key, no longer trusted
    assert_rejected(verifier, *signed(clock, url=variant), "certificate chain is not trusted")


def test_cache_is_lru(make_verifier, clock, monkeypatch):
    monkeypatch.setattr(verify_mod, "MAX_CACHED_CHAINS", 2)
    names = ["a", "b", "c"]
    fetch = fake_fetch({cert_url(name): default_chain_pem() for name in names})
    verifier = make_verifier(fetch=fetch)
    for name in ["a", "b", "a", "c", "a"]:
        verifier.verify(*signed(clock, url=cert_url(name)))
    assert fetch.calls == [cert_url(name) for name in names]


def test_cache_is_bounded_in_bytes(make_verifier, clock, monkeypatch):
    pem = default_chain_pem()
    monkeypatch.setattr(verify_mod, "MAX_CACHE_BYTES", 2 * len(pem) + 1)
    verifier = make_verifier(fetch=fake_fetch({cert_url(i): pem for i in range(5)}))
    for i in range(5):
        verifier.verify(*signed(clock, url=cert_url(i)))
    assert list(verifier._chains) == [cert_url(3), cert_url(4)]


# --- 3. certificate URL rules ------------------------------------------------


@pytest.mark.parametrize(
    "url, reason",
    [
        ("https://s3.amazonaws.com/echo.api/%2e%2e/evil/x.pem", "no percent-encoding"),
        ("https://s3.amazonaws.com/echo.api/%41.pem", "no percent-encoding"),
        ("https://s3.amazonaws.com/echo.api/./echo-api-cert.pem", "'.', '..' or empty segments"),
        ("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem", "'.', '..' or empty segments"),
        ("https://s3.amazonaws.com/echo.api//echo-api-cert.pem", "'.', '..' or empty segments"),
        ("https://s3.amazonaws.com/echo.api/", "'.', '..' or empty segments"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x=1", "query"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem?", "query"),
        ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem#x", "fragment"),
        ("https://user:pw@s3.amazonaws.com/echo.api/echo-api-cert.pem", "userinfo"),
        ("https://@s3.amazonaws.com/echo.api/echo-api-cert.pem", "userinfo"),
    ],
)
def test_rejects_unplain_certificate_url_without_fetching(make_verifier, clock, url, reason):
    fetch = fake_fetch()
    assert_rejected(make_verifier(fetch=fetch), *signed(clock, url=url), reason)
    assert fetch.calls == []


# --- 4. cheap checks before any fetch ----------------------------------------


def with_body(body):
    return signed_headers(body), body


@pytest.mark.parametrize(
    "request_for, reason",
    [
        (
            lambda now: (
                {**signed_headers(b"{}"), "Signature-256": base64.b64encode(b"x" * 16).decode()},
                envelope_bytes(timestamp=now),
            ),
            "wrong length",
        ),
        (lambda now: with_body(b"[1]"), "not a JSON object"),
        (lambda now: with_body(b"[" * 1000), "not a JSON object"),
        (lambda now: with_body(b'{"a": ' + b"[" * 100_000), "not a JSON object"),
        (lambda now: with_body(envelope_bytes(timestamp=now - TOLERANCE * 2)), "too old"),
        (
            lambda now: with_body(envelope_bytes(timestamp=now, application_id="amzn1.ask.skill.other")),
            "application id",
        ),
        (lambda now: with_body(envelope_bytes({"requestId": None}, timestamp=now)), "request id is missing"),
    ],
)
def test_cheap_checks_come_before_any_fetch(make_verifier, clock, request_for, reason):
    fetch = fake_fetch()
    assert_rejected(make_verifier(fetch=fetch, skill_id=SKILL_ID), *request_for(clock.now), reason)
    assert fetch.calls == []


# --- 5. bounded certificate fetches ------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    stop = threading.Event()

    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/pem")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = {"/pem": default_chain_pem(), "/huge": b"x" * 1_000_000, "/trickle": b"x" * 8}[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if self.path != "/trickle":
                self.wfile.write(body)
                return
            for byte in body:  # one byte a second
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                if self.stop.wait(1):
                    return
        except OSError:  # the client hung up
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def loopback():
    """Base URL of a local HTTP server that serves /pem, /huge, /trickle and /redirect."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    _Handler.stop.set()
    server.shutdown()
    server.server_close()


def test_default_fetch_reads_a_chain(loopback):
    assert verify_mod._default_fetch(f"{loopback}/pem") == default_chain_pem()


def test_default_fetch_stops_at_the_overall_deadline(loopback):
    start = time.monotonic()
    with pytest.raises(VerificationError, match="timed out"):
        verify_mod._default_fetch(f"{loopback}/trickle")
    assert time.monotonic() - start < verify_mod.FETCH_DEADLINE_SECONDS + 1.5


def test_default_fetch_does_not_follow_redirects(loopback):
    with pytest.raises(VerificationError, match="answered 302"):
        verify_mod._default_fetch(f"{loopback}/redirect")


def test_default_fetch_stops_at_the_size_limit(loopback):
    with pytest.raises(VerificationError, match="too large"):
        verify_mod._default_fetch(f"{loopback}/huge")


def test_a_hanging_fetch_holds_a_request_no_longer_than_the_deadline(make_verifier, clock):
    release = threading.Event()
    verifier = make_verifier(fetch=lambda url: release.wait(4) and default_chain_pem())
    start = time.monotonic()
    try:
        assert_rejected(verifier, *signed(clock), "certificate fetch timed out")
    finally:
        release.set()
    assert time.monotonic() - start < verify_mod.FETCH_DEADLINE_SECONDS + 0.5


def test_fetches_beyond_the_limit_are_refused_at_once(make_verifier, clock):
    started, release = threading.Semaphore(0), threading.Event()

    def slow_fetch(url):
        started.release()
        release.wait(5)
        return default_chain_pem()

    verifier = make_verifier(fetch=slow_fetch)
    busy = [
        threading.Thread(target=verifier.verify, args=signed(clock, url=cert_url(i)))
        for i in range(verify_mod.MAX_CONCURRENT_FETCHES)
    ]
    try:
        for thread in busy:
            thread.start()
        for _ in busy:
            assert started.acquire(timeout=2)
        start = time.monotonic()
        assert_rejected(verifier, *signed(clock, url=cert_url("one-more")), "too many certificate fetches")
        assert time.monotonic() - start < 0.5
    finally:
        release.set()
        for thread in busy:
            thread.join()
    verifier.verify(*signed(clock, url=cert_url("one-more")))  # the slots are free again


def test_a_burst_on_a_cold_cache_shares_one_fetch(make_verifier, clock):
    """Found by the load benchmark: 8 genuine requests at once on a fresh worker were partly refused
    ("too many certificate fetches") because each fetched the same chain on its own."""
    calls, release = [], threading.Event()

    def slow_fetch(url):
        calls.append(url)
        release.wait(1)
        return default_chain_pem()

    verifier = make_verifier(fetch=slow_fetch)
    requests = [signed(clock) for _ in range(2 * verify_mod.MAX_CONCURRENT_FETCHES)]
    errors = []

    def send(headers, body):
        try:
            verifier.verify(headers, body)
        except VerificationError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join()
    assert errors == [] and calls == [CERT_URL]


# --- 6. replay ----------------------------------------------------------------


def test_replayed_request_is_rejected_and_only_accepted_ids_are_recorded(make_verifier, clock):
    verifier = make_verifier()
    headers, body = signed(clock)
    forged = {**headers, "Signature-256": sign(body, rsa_key("rogue"))}
    assert_rejected(verifier, forged, body, "signature does not match")
    assert verifier.verify(headers, body)
    assert_rejected(verifier, headers, body, "replay")


def test_seen_request_ids_expire_after_the_window(make_verifier, clock):
    verifier = make_verifier()
    for _ in range(3):
        verifier.verify(*signed(clock))
    clock.now += 2 * TOLERANCE + dt.timedelta(seconds=1)
    verifier.verify(*signed(clock))
    assert len(verifier._seen) == 1


def test_seen_request_ids_are_capped_oldest_first(make_verifier, clock, monkeypatch):
    monkeypatch.setattr(verify_mod, "MAX_SEEN_REQUESTS", 3)
    verifier = make_verifier()
    requests = [signed(clock) for _ in range(5)]
    for headers, body in requests:
        verifier.verify(headers, body)
    assert list(verifier._seen) == [json.loads(body)["request"]["requestId"] for _, body in requests[2:]]
    assert_rejected(verifier, *requests[-1], "replay")


# --- 7. the open route ---------------------------------------------------------


@pytest.mark.parametrize("verify", [False, True])
def test_deeply_nested_body_is_a_400(tmp_path, verify):
    app = create_app(
        {
            "DATA_DIR": str(tmp_path),
            "ALEXA_VERIFY": verify,
            "ALEXA_TRUSTED_ROOTS": [make_ca().cert],
            "ALEXA_CERT_FETCH": fake_fetch(),
        }
    )
    body = b"[" * 1000
    response = app.test_client().post(
        "/alexa", data=body, headers=signed_headers(body), content_type="application/json"
    )
    assert response.status_code == 400
