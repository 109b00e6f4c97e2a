"""Test helpers for signing requests the way Alexa does, with a local test CA.

Typical use::

    body = envelope_bytes()
    headers = signed_headers(body, leaf_key())
    verifier = local_verifier()
    verifier.verify(headers, body)

Keys are 2048-bit RSA generated once per test session (functools.lru_cache).
Certificates are valid around the real current time, so the default clock works.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
ALEXA_DNS_NAME = "echo-api.amazon.com"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class LocalCA:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


@functools.cache
def rsa_key(name: str = "leaf") -> rsa.RSAPrivateKey:
    """A 2048-bit key per name ("root", "leaf", "rogue"...), generated once."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def leaf_key() -> rsa.RSAPrivateKey:
    return rsa_key("leaf")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@functools.cache
def make_ca() -> LocalCA:
    """A self-signed root CA valid for ten years around now."""
    key = rsa_key("root")
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Cramp Coach Test Root CA"))
        .issuer_name(_name("Cramp Coach Test Root CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=365))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return LocalCA(cert=cert, key=key)


def make_leaf(
    *,
    san: str = ALEXA_DNS_NAME,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    key: rsa.RSAPrivateKey | None = None,
    self_signed: bool = False,
) -> x509.Certificate:
    """A server certificate like Amazon's, issued by make_ca() unless self_signed."""
    key = key or leaf_key()
    now = _now()
    if self_signed:
        issuer_name, issuer_key = _name(san), key
    else:
        ca = make_ca()
        issuer_name, issuer_key = ca.cert.subject, ca.key
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(san))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )
    return cert


def chain_pem(*certs: x509.Certificate) -> bytes:
    """PEM bundle in the given order (leaf first, as Amazon serves it)."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@functools.cache
def default_chain_pem() -> bytes:
    """Valid leaf followed by the local root."""
    return chain_pem(make_leaf(), make_ca().cert)


def sign(body: bytes, key: rsa.RSAPrivateKey) -> str:
    """Base64 RSA PKCS#1 v1.5 SHA-256 signature, as sent in Signature-256."""
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def signed_headers(body: bytes, key: rsa.RSAPrivateKey | None = None, url: str = CERT_URL) -> dict:
    return {
        "SignatureCertChainUrl": url,
        "Signature-256": sign(body, key or leaf_key()),
        "Content-Type": "application/json",
    }


class FakeFetch:
    """Serves PEMs from a mapping and records requested URLs in .calls."""

    def __init__(self, mapping: Mapping[str, bytes]):
        self.mapping = dict(mapping)
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        if url not in self.mapping:
            raise LookupError(f"no PEM for {url}")
        return self.mapping[url]


def fake_fetch(mapping: Mapping[str, bytes] | None = None) -> FakeFetch:
    """Defaults to serving default_chain_pem() at CERT_URL."""
    return FakeFetch({CERT_URL: default_chain_pem()} if mapping is None else mapping)


def alexa_timestamp(when: dt.datetime | None = None) -> str:
    """Format like Alexa does: 2026-11-22T02:05:48Z."""
    return (when or _now()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(
    request: dict | None = None,
    *,
    timestamp: dt.datetime | None = None,
    application_id: str = SKILL_ID,
) -> dict:
    """A minimal Alexa request envelope (LaunchRequest unless `request` is given), with a fresh requestId."""
    req = {"type": "LaunchRequest", "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}", "locale": "en-US"}
    req.update(request or {})
    req.setdefault("timestamp", alexa_timestamp(timestamp))
    application = {"applicationId": application_id}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.test",
            "application": application,
            "user": {"userId": "amzn1.ask.account.test"},
        },
        "context": {"System": {"application": application, "user": {"userId": "amzn1.ask.account.test"}}},
        "request": req,
    }


def envelope_bytes(request: dict | None = None, **kwargs) -> bytes:
    return json.dumps(envelope(request, **kwargs)).encode("utf-8")


def local_verifier(
    *,
    fetch: Callable[[str], bytes] | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    skill_id: str | None = None,
    **kwargs,
):
    """A RequestVerifier trusting only the local CA and serving the default chain."""
    from skill.verify import RequestVerifier

    return RequestVerifier(
        trusted_roots=[make_ca().cert],
        skill_id=skill_id,
        fetch=fetch or fake_fetch(),
        clock=clock,
        **kwargs,
    )
