"""Verify that an HTTPS request was sent by Alexa.

Implements Amazon's "Verify that the request was sent by Alexa" rules on top of
``cryptography``'s x509 API (flask-ask-sdk cannot be imported with OpenSSL >= 3.0.10).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import posixpath
import re
import threading
import warnings
from typing import Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

import certifi
import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification

ALEXA_DNS_NAME = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
FETCH_TIMEOUT_SECONDS = 5
MAX_CACHED_CHAINS = 16


class VerificationError(Exception):
    """The request is not a genuine, fresh Alexa request; str(e) is the reason."""


def _default_fetch(url: str) -> bytes:
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.content
    except requests.RequestException as exc:
        raise VerificationError("could not fetch certificate chain") from exc


def _default_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _certifi_roots() -> list[x509.Certificate]:
    """certifi's roots, leaving out any that newer cryptography releases refuse to parse."""
    with open(certifi.where(), "rb") as f:
        blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", f.read(), re.S)
    roots = []
    for block in blocks:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except (ValueError, Warning):
                continue
    return roots


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)  # werkzeug's headers match any case at once
    if value:
        return value
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted and value:
            return value
    raise VerificationError(f"missing {name} header")


def normalize_cert_url(url: str) -> str:
    """Check the SignatureCertChainUrl and return the normalized URL to fetch.

    The path is normalized first so that ``/echo.api/../evil/`` is rejected.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise VerificationError("certificate URL is malformed") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL must use https")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError(f"certificate URL host must be {CERT_HOST}")
    path = posixpath.normpath(parts.path) if parts.path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise VerificationError(f"certificate URL path must start with {CERT_PATH_PREFIX}")
    if port is not None and port != 443:
        raise VerificationError("certificate URL port must be 443")
    return urlunsplit(("https", CERT_HOST, path, parts.query, ""))


def _as_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _check_validity(leaf: x509.Certificate, now: dt.datetime) -> None:
    if now < leaf.not_valid_before_utc:
        raise VerificationError("certificate is not yet valid")
    if now > leaf.not_valid_after_utc:
        raise VerificationError("certificate has expired")


def _check_san(leaf: x509.Certificate) -> None:
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound as exc:
        raise VerificationError("certificate has no subject alternative names") from exc
    if ALEXA_DNS_NAME not in san.value.get_values_for_type(x509.DNSName):
        raise VerificationError(f"certificate is not issued to {ALEXA_DNS_NAME}")


def _check_signature(leaf: x509.Certificate, signature_b64: str, body: bytes) -> None:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("signature is not valid base64") from exc
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationError("certificate key is not RSA")
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise VerificationError("signature does not match") from exc


def _parse_timestamp(envelope: dict) -> dt.datetime:
    request = envelope.get("request")
    timestamp = request.get("timestamp") if isinstance(request, dict) else None
    if not isinstance(timestamp, str):
        raise VerificationError("request timestamp is missing")
    try:
        return _as_utc(dt.datetime.fromisoformat(timestamp))
    except ValueError as exc:
        raise VerificationError("request timestamp is not ISO 8601") from exc


def _dig(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _application_id(envelope: dict) -> object:
    return _dig(envelope, "context", "System", "application", "applicationId") or _dig(
        envelope, "session", "application", "applicationId"
    )


class RequestVerifier:
    """Checks signature, certificate chain, timestamp and skill id of Alexa requests.

    Thread-safe: parsed certificate chains are cached per URL behind a lock.
    """

    def __init__(
        self,
        trusted_roots: list[x509.Certificate] | None = None,
        skill_id: str | None = None,
        fetch: Callable[[str], bytes] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        tolerance_seconds: float = 150,
    ) -> None:
        roots = _certifi_roots() if trusted_roots is None else list(trusted_roots)
        self._store = verification.Store(roots)
        self._skill_id = skill_id
        self._fetch = fetch or _default_fetch
        self._clock = clock or _default_clock
        self._tolerance = dt.timedelta(seconds=tolerance_seconds)
        self._chains: dict[str, list[x509.Certificate]] = {}
        self._trusted: dict[str, tuple[dt.datetime, dt.datetime]] = {}  # url -> when its chain is valid
        self._lock = threading.Lock()

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict:
        """Return the parsed request envelope, or raise VerificationError."""
        try:
            return self._verify(headers, body)
        except VerificationError:
            raise
        except Exception as exc:  # never let anything else reach the route
            raise VerificationError("request could not be verified") from exc

    def _verify(self, headers: Mapping[str, str], body: bytes) -> dict:
        url = _header(headers, "SignatureCertChainUrl")
        signature = _header(headers, "Signature-256")
        chain = self._chain(normalize_cert_url(url))
        now = _as_utc(self._clock())
        leaf = chain[0]
        _check_validity(leaf, now)
        _check_san(leaf)
        self._check_trust(url, chain, now)
        _check_signature(leaf, signature, body)
        envelope = self._parse_body(body)
        self._check_timestamp(envelope, now)
        self._check_skill_id(envelope)
        return envelope

    def _chain(self, url: str) -> list[x509.Certificate]:
        with self._lock:
            cached = self._chains.get(url)
        if cached is not None:
            return cached
        # Fetch outside the lock so a slow download does not block other requests.
        try:
            pem = self._fetch(url)
        except VerificationError:
            raise
        except Exception as exc:
            raise VerificationError("could not fetch certificate chain") from exc
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except (ValueError, TypeError) as exc:
            raise VerificationError("certificate chain is not valid PEM") from exc
        if not chain:
            raise VerificationError("certificate chain is empty")
        with self._lock:
            if len(self._chains) >= MAX_CACHED_CHAINS:
                oldest = next(iter(self._chains))
                del self._chains[oldest]
                self._trusted.pop(oldest, None)
            self._chains[url] = chain
            self._trusted.pop(url, None)  # a newly fetched chain is checked afresh
        return chain

    def _check_trust(self, url: str, chain: list[x509.Certificate], now: dt.datetime) -> None:
        """Path validation is the costly step, so a chain found trusted is remembered until any
        certificate in it leaves its validity period."""
        with self._lock:
            window = self._trusted.get(url)
        if window and window[0] <= now <= window[1]:
            return
        verifier = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(verification.DNSName(ALEXA_DNS_NAME))
        )
        try:
            verifier.verify(chain[0], chain[1:])
        except verification.VerificationError as exc:
            raise VerificationError("certificate chain is not trusted") from exc
        window = (max(_as_utc(c.not_valid_before_utc) for c in chain), min(_as_utc(c.not_valid_after_utc) for c in chain))
        with self._lock:
            self._trusted[url] = window

    @staticmethod
    def _parse_body(body: bytes) -> dict:
        try:
            envelope = json.loads(body)
        except (ValueError, TypeError) as exc:
            raise VerificationError("body is not a JSON object") from exc
        if not isinstance(envelope, dict):
            raise VerificationError("body is not a JSON object")
        return envelope

    def _check_timestamp(self, envelope: dict, now: dt.datetime) -> None:
        timestamp = _parse_timestamp(envelope)
        if now - timestamp > self._tolerance:
            raise VerificationError("request timestamp is too old")
        if timestamp - now > self._tolerance:
            raise VerificationError("request timestamp is in the future")

    def _check_skill_id(self, envelope: dict) -> None:
        if self._skill_id is None:
            return
        if _application_id(envelope) != self._skill_id:
            raise VerificationError("application id does not match")
