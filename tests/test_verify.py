"""Tests for skill.verify.RequestVerifier against a local test CA."""

import datetime as dt
import json

import pytest
import requests

from skill import verify as verify_mod
from skill.verify import RequestVerifier, VerificationError
from tests.alexa_signing import (
    CERT_URL,
    SKILL_ID,
    chain_pem,
    envelope,
    envelope_bytes,
    fake_fetch,
    local_verifier,
    make_ca,
    make_leaf,
    rsa_key,
    signed_headers,
)

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def clock():
    return NOW


def make_verifier(**kwargs):
    kwargs.setdefault("clock", clock)
    return local_verifier(**kwargs)


def assert_rejected(verifier, headers, body, reason):
    with pytest.raises(VerificationError) as info:
        verifier.verify(headers, body)
    assert reason in str(info.value)


def body_at(offset_seconds=0, **kwargs):
    return envelope_bytes(timestamp=NOW + dt.timedelta(seconds=offset_seconds), **kwargs)


def test_accepts_correctly_signed_request():
    body = body_at()
    assert make_verifier().verify(signed_headers(body), body) == json.loads(body)


def test_header_lookup_is_case_insensitive():
    body = body_at()
    headers = {k.lower(): v for k, v in signed_headers(body).items()}
    assert make_verifier().verify(headers, body)["request"]["type"] == "LaunchRequest"


# --- signature ---------------------------------------------------------------


def test_rejects_signature_from_another_key():
    body = body_at()
    headers = signed_headers(body, key=rsa_key("rogue"))
    assert_rejected(make_verifier(), headers, body, "signature does not match")


def test_rejects_tampered_body():
    body = body_at()
    headers = signed_headers(body)
    tampered = body.replace(b"LaunchRequest", b"SessionEndedRequest")
    assert_rejected(make_verifier(), headers, tampered, "signature does not match")


def test_rejects_signature_that_is_not_base64():
    body = body_at()
    headers = {**signed_headers(body), "Signature-256": "not base64!"}
    assert_rejected(make_verifier(), headers, body, "signature is not valid base64")


# --- headers -----------------------------------------------------------------


@pytest.mark.parametrize("missing", ["SignatureCertChainUrl", "Signature-256"])
def test_rejects_missing_header(missing):
    body = body_at()
    headers = signed_headers(body)
    del headers[missing]
    assert_rejected(make_verifier(), headers, body, f"missing {missing} header")


# --- certificate URL ---------------------------------------------------------


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "must use https"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host must be s3.amazonaws.com"),
        ("https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert.pem", "host must be"),
        ("https://s3.amazonaws.com/echo.api-not/echo-api-cert.pem", "path must start with /echo.api/"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path must start with /echo.api/"),
        ("https://s3.amazonaws.com/echo.api/../evil/echo-api-cert.pem", "path must start with /echo.api/"),
        ("https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem", "no percent-encoding and no '.', '..'"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port must be 443"),
        ("https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem", "URL is malformed"),
    ],
)
def test_rejects_bad_certificate_url(url, reason):
    body = body_at()
    fetch = fake_fetch()
    assert_rejected(make_verifier(fetch=fetch), signed_headers(body, url=url), body, reason)
    assert fetch.calls == []


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "HTTPS://s3.AmAzOnAwS.com/echo.api/echo-api-cert.pem",
    ],
)
def test_accepts_equivalent_certificate_urls_and_fetches_normalized_url(url):
    body = body_at()
    fetch = fake_fetch()
    make_verifier(fetch=fetch).verify(signed_headers(body, url=url), body)
    assert fetch.calls == [CERT_URL]


# --- certificate chain -------------------------------------------------------


def verifier_serving(*certs, **kwargs):
    return make_verifier(fetch=fake_fetch({CERT_URL: chain_pem(*certs)}), **kwargs)


def test_rejects_expired_certificate():
    leaf = make_leaf(not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(seconds=1))
    body = body_at()
    assert_rejected(verifier_serving(leaf, make_ca().cert), signed_headers(body), body, "certificate has expired")


def test_rejects_not_yet_valid_certificate():
    leaf = make_leaf(not_before=NOW + dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=30))
    body = body_at()
    assert_rejected(verifier_serving(leaf, make_ca().cert), signed_headers(body), body, "not yet valid")


def test_rejects_wrong_san():
    leaf = make_leaf(san="evil.example.com")
    body = body_at()
    assert_rejected(
        verifier_serving(leaf, make_ca().cert),
        signed_headers(body),
        body,
        "not issued to echo-api.amazon.com",
    )


def test_rejects_self_signed_leaf_not_in_trust_store():
    leaf = make_leaf(self_signed=True)
    body = body_at()
    assert_rejected(verifier_serving(leaf), signed_headers(body), body, "certificate chain is not trusted")


def test_rejects_chain_when_root_is_not_trusted():
    other_root = make_leaf(self_signed=True, key=rsa_key("rogue"))  # any unrelated cert
    verifier = RequestVerifier(trusted_roots=[other_root], fetch=fake_fetch(), clock=clock)
    body = body_at()
    assert_rejected(verifier, signed_headers(body), body, "certificate chain is not trusted")


def test_accepts_chain_without_root_when_root_is_trusted():
    body = body_at()
    verifier_serving(make_leaf()).verify(signed_headers(body), body)


def test_rejects_unfetchable_chain():
    body = body_at()
    verifier = make_verifier(fetch=fake_fetch({}))
    assert_rejected(verifier, signed_headers(body), body, "could not fetch certificate chain")


def test_rejects_garbage_pem():
    body = body_at()
    verifier = make_verifier(fetch=fake_fetch({CERT_URL: b"not a pem"}))
    assert_rejected(verifier, signed_headers(body), body, "certificate chain is not valid PEM")


def test_default_fetch_wraps_network_errors(monkeypatch):
    calls = []

    def broken_get(url, **kwargs):
        calls.append(kwargs)
        raise requests.ConnectionError("no network")

    monkeypatch.setattr(verify_mod.requests, "get", broken_get)
    verifier = RequestVerifier(trusted_roots=[make_ca().cert], clock=clock)
    body = body_at()
    assert_rejected(verifier, signed_headers(body), body, "could not fetch certificate chain")
    assert calls[0]["timeout"] == verify_mod.FETCH_DEADLINE_SECONDS and calls[0]["allow_redirects"] is False


def test_certificate_chain_is_cached():
    fetch = fake_fetch()
    verifier = make_verifier(fetch=fetch)
    for _ in range(2):
        body = body_at()
        verifier.verify(signed_headers(body), body)
    assert fetch.calls == [CERT_URL]


def test_certificate_cache_is_bounded():
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{i}.pem" for i in range(20)]
    pem = chain_pem(make_leaf(), make_ca().cert)
    fetch = fake_fetch({url: pem for url in urls})
    verifier = make_verifier(fetch=fetch)
    for url in urls + urls[-1:]:
        body = body_at()
        verifier.verify(signed_headers(body, url=url), body)
    assert len(fetch.calls) == 20
    assert len(verifier._chains) == verify_mod.MAX_CACHED_CHAINS


# --- body and timestamp ------------------------------------------------------


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_rejects_body_that_is_not_a_json_object(body):
    assert_rejected(make_verifier(), signed_headers(body), body, "body is not a JSON object")


@pytest.mark.parametrize("offset", [-150, -149, 0, 149, 150])
def test_accepts_timestamp_within_tolerance(offset):
    body = body_at(offset)
    make_verifier().verify(signed_headers(body), body)


def test_rejects_stale_timestamp():
    body = body_at(-151)
    assert_rejected(make_verifier(), signed_headers(body), body, "request timestamp is too old")


def test_rejects_future_timestamp():
    body = body_at(151)
    assert_rejected(make_verifier(), signed_headers(body), body, "request timestamp is in the future")


def test_tolerance_is_configurable():
    body = body_at(-100)
    verifier = make_verifier(tolerance_seconds=60)
    assert_rejected(verifier, signed_headers(body), body, "too old")


def test_accepts_alexa_timestamp_with_fractional_seconds():
    body = envelope_bytes({"timestamp": NOW.strftime("%Y-%m-%dT%H:%M:%S.123Z")})
    make_verifier().verify(signed_headers(body), body)


@pytest.mark.parametrize(
    "request_part, reason",
    [({"timestamp": None}, "timestamp is missing"), ({"timestamp": "yesterday"}, "not ISO 8601")],
)
def test_rejects_missing_or_malformed_timestamp(request_part, reason):
    env = envelope()
    env["request"].update(request_part)
    body = json.dumps(env).encode()
    assert_rejected(make_verifier(), signed_headers(body), body, reason)


# --- skill id ----------------------------------------------------------------


def test_accepts_matching_application_id():
    body = body_at()
    assert make_verifier(skill_id=SKILL_ID).verify(signed_headers(body), body)


def test_rejects_wrong_application_id():
    body = body_at(application_id="amzn1.ask.skill.someone-else")
    assert_rejected(make_verifier(skill_id=SKILL_ID), signed_headers(body), body, "application id does not match")


def test_falls_back_to_session_application_id():
    env = envelope(timestamp=NOW)
    del env["context"]
    body = json.dumps(env).encode()
    assert make_verifier(skill_id=SKILL_ID).verify(signed_headers(body), body)


def test_rejects_missing_application_id_when_skill_id_set():
    env = envelope(timestamp=NOW)
    del env["context"], env["session"]
    body = json.dumps(env).encode()
    assert_rejected(make_verifier(skill_id=SKILL_ID), signed_headers(body), body, "application id")


# --- robustness --------------------------------------------------------------


@pytest.mark.parametrize("body", [None, "a str body", 42])
def test_unexpected_input_types_raise_verification_error(body):
    headers = signed_headers(b"{}")
    with pytest.raises(VerificationError):
        make_verifier().verify(headers, body)
