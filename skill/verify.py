"""Verify that an HTTPS request was sent by Alexa.

Implements Amazon's "Verify that the request was sent by Alexa" rules on top of
``cryptography``'s x509 API (flask-ask-sdk cannot be imported with OpenSSL >= 3.0.10).
Cheap checks come first; the certificate chain is fetched only for a well-formed, fresh request,
with bounded concurrency, time and size, and cached in a bounded LRU.
"""

from __future__ import annotations

import base64
import binascii
import concurrent.futures
import datetime as dt
import json
import re
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import requests
import urllib3
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification

ALEXA_DNS_NAME = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
FETCH_DEADLINE_SECONDS = 2.0
MAX_CHAIN_BYTES = 64 * 1024
MAX_CONCURRENT_FETCHES = 4
MAX_CACHED_CHAINS = 16
MAX_CACHE_BYTES = 256 * 1024
MAX_SEEN_REQUESTS = 10_000
SIGNATURE_BYTES = range(256, 513)  # RSA keys of 2048 to 4096 bits

# Non-empty segments of RFC 3986 path characters, leaving out '%' so nothing is percent-encoded.
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+")


class VerificationError(Exception):
    """The request is not a genuine, fresh Alexa request; str(e) is the reason."""


def _default_fetch(url: str) -> bytes:
    """GET url without following redirects; give up past FETCH_DEADLINE_SECONDS or MAX_CHAIN_BYTES.

    Any URL works (the verifier checks certificate URLs first). The deadline is checked after every
    socket read, so a trickling server holds this thread at most one read timeout past the deadline.
    """
    deadline = time.monotonic() + FETCH_DEADLINE_SECONDS
    try:
        with requests.get(url, timeout=FETCH_DEADLINE_SECONDS, stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise VerificationError(f"certificate chain fetch answered {response.status_code}")
            pem = b""
            while chunk := response.raw.read1(16384):  # one socket read, however few bytes arrive
                pem += chunk
                if len(pem) > MAX_CHAIN_BYTES:
                    raise VerificationError("certificate chain is too large")
                if time.monotonic() > deadline:
                    raise VerificationError("certificate fetch timed out")
            return pem
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise VerificationError("could not fetch certificate chain") from exc


def _default_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
    """Check the SignatureCertChainUrl and return its one canonical form, used to fetch and to cache.

    Stricter than Amazon's wording: no userinfo, query, fragment, percent-encoding, or '.', '..' or
    empty path segments, so no fetcher or server can read the path differently from this check.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("certificate URL is malformed") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL must use https")
    if "@" in parts.netloc or "?" in url or "#" in url:
        raise VerificationError("certificate URL must not have userinfo, a query or a fragment")
    if parts.hostname != CERT_HOST:  # hostname is lower-cased
        raise VerificationError(f"certificate URL host must be {CERT_HOST}")
    if port not in (None, 443):
        raise VerificationError("certificate URL port must be 443")
    path = parts.path
    if (
        not path.startswith(CERT_PATH_PREFIX)
        or not _PLAIN_PATH.fullmatch(path)
        or any(segment in (".", "..") for segment in path.split("/"))
    ):
        raise VerificationError(
            f"certificate URL path must start with {CERT_PATH_PREFIX} and be plain: "
            "no percent-encoding and no '.', '..' or empty segments"
        )
    return f"https://{CERT_HOST}{path}"


def parse_envelope(body: bytes) -> dict:
    """The body as a JSON object; anything else, however deeply nested, is a VerificationError."""
    try:
        envelope = json.loads(body)
    except (ValueError, TypeError, RecursionError) as exc:
        raise VerificationError("body is not a JSON object") from exc
    if not isinstance(envelope, dict):
        raise VerificationError("body is not a JSON object")
    return envelope


def _decode_signature(value: str) -> bytes:
    try:
        signature = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("signature is not valid base64") from exc
    if len(signature) not in SIGNATURE_BYTES:
        raise VerificationError("signature has the wrong length for RSA")
    return signature


def _as_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


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


def _check_signature(leaf: x509.Certificate, signature: bytes, body: bytes) -> None:
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationError("certificate key is not RSA")
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise VerificationError("signature does not match") from exc


def _parse_timestamp(envelope: dict) -> dt.datetime:
    timestamp = _dig(envelope, "request", "timestamp")
    if not isinstance(timestamp, str):
        raise VerificationError("request timestamp is missing")
    try:
        return _as_utc(dt.datetime.fromisoformat(timestamp))
    except ValueError as exc:
        raise VerificationError("request timestamp is not ISO 8601") from exc


def _request_id(envelope: dict) -> str:
    request_id = _dig(envelope, "request", "requestId")
    if not isinstance(request_id, str) or not request_id:
        raise VerificationError("request id is missing")
    return request_id


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


@dataclass(frozen=True)
class _TrustedChain:
    """The leaf of a chain that passed every certificate check, and when all of the chain is valid."""

    leaf: x509.Certificate
    size: int
    not_before: dt.datetime
    not_after: dt.datetime


class RequestVerifier:
    """Checks headers, body, timestamp, skill id, certificate chain, signature and replay of Alexa requests.

    Thread-safe. Trusted chains are cached by normalized URL (LRU, bounded in entries and bytes);
    a cache miss always fetches and checks the chain afresh. Request ids are remembered for twice the
    timestamp tolerance, the longest a request's timestamp stays acceptable after it is first seen.
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
        self._chains: OrderedDict[str, _TrustedChain] = OrderedDict()
        self._seen: OrderedDict[str, dt.datetime] = OrderedDict()  # request id -> when accepted
        self._lock = threading.Lock()
        self._fetch_slots = threading.BoundedSemaphore(MAX_CONCURRENT_FETCHES)
        self._fetch_pool = concurrent.futures.ThreadPoolExecutor(MAX_CONCURRENT_FETCHES, "alexa-cert-fetch")
        self._fetching: dict[str, concurrent.futures.Future] = {}  # url -> its fetch in progress

    def verify(self, headers: Mapping[str, str], body: bytes) -> dict:
        """Return the parsed request envelope, or raise VerificationError."""
        try:
            return self._verify(headers, body)
        except VerificationError:
            raise
        except Exception as exc:  # never let anything else reach the route
            raise VerificationError("request could not be verified") from exc

    def _verify(self, headers: Mapping[str, str], body: bytes) -> dict:
        url = normalize_cert_url(_header(headers, "SignatureCertChainUrl"))
        signature = _decode_signature(_header(headers, "Signature-256"))
        envelope = parse_envelope(body)
        now = _as_utc(self._clock())
        self._check_timestamp(envelope, now)
        self._check_skill_id(envelope)
        request_id = _request_id(envelope)
        _check_signature(self._trusted_leaf(url, now), signature, body)
        self._remember(request_id, now)
        return envelope

    def _trusted_leaf(self, url: str, now: dt.datetime) -> x509.Certificate:
        """The leaf of url's chain: from the cache while the chain is valid, else fetched and checked."""
        with self._lock:
            cached = self._chains.get(url)
            if cached and cached.not_before <= now <= cached.not_after:
                self._chains.move_to_end(url)
                return cached.leaf
        entry = self._check_chain(self._fetch_bounded(url), now)
        with self._lock:
            self._chains.pop(url, None)
            self._chains[url] = entry
            while len(self._chains) > MAX_CACHED_CHAINS or sum(e.size for e in self._chains.values()) > MAX_CACHE_BYTES:
                self._chains.popitem(last=False)
        return entry.leaf

    def _check_chain(self, pem: bytes, now: dt.datetime) -> _TrustedChain:
        """Parse a fetched chain and check its leaf and its path to a trusted root."""
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except (ValueError, TypeError) as exc:
            raise VerificationError("certificate chain is not valid PEM") from exc
        leaf = chain[0]
        _check_validity(leaf, now)
        _check_san(leaf)
        verifier = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(verification.DNSName(ALEXA_DNS_NAME))
        )
        try:
            path = verifier.verify(leaf, chain[1:])
        except verification.VerificationError as exc:
            raise VerificationError("certificate chain is not trusted") from exc
        return _TrustedChain(
            leaf, len(pem), max(c.not_valid_before_utc for c in path), min(c.not_valid_after_utc for c in path)
        )

    def _fetch_bounded(self, url: str) -> bytes:
        """Run the fetch in the pool: requests for a URL already being fetched wait for that one
        fetch; a new URL is refused at once when every worker is busy; all give up at the deadline."""
        with self._lock:
            future = self._fetching.get(url)
            if future is None:
                if not self._fetch_slots.acquire(blocking=False):
                    raise VerificationError("too many certificate fetches in progress")
                future = self._fetch_pool.submit(self._fetch_once, url)
                self._fetching[url] = future
        try:
            return future.result(timeout=FETCH_DEADLINE_SECONDS)
        except concurrent.futures.TimeoutError as exc:
            raise VerificationError("certificate fetch timed out") from exc
        except VerificationError:
            raise
        except Exception as exc:
            raise VerificationError("could not fetch certificate chain") from exc

    def _fetch_once(self, url: str) -> bytes:
        try:
            return self._fetch(url)
        finally:
            with self._lock:
                self._fetching.pop(url, None)
            self._fetch_slots.release()

    def _remember(self, request_id: str, now: dt.datetime) -> None:
        """Reject a request id accepted before; else remember it, dropping expired and then oldest ids."""
        with self._lock:
            while self._seen and now - next(iter(self._seen.values())) > 2 * self._tolerance:
                self._seen.popitem(last=False)
            if request_id in self._seen:
                raise VerificationError("request id was already used (replay)")
            self._seen[request_id] = now
            if len(self._seen) > MAX_SEEN_REQUESTS:
                self._seen.popitem(last=False)

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
