"""Property-based fuzzing of POST /alexa and the kiosk API: never a 500, and bad input changes nothing."""

from __future__ import annotations

import copy
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from tests import alexa_signing

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
odd_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
header_text = st.text(
    alphabet=st.characters(min_codepoint=32, exclude_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=60
)

PATHS = [
    ("request",),
    ("request", "type"),
    ("request", "intent"),
    ("request", "intent", "name"),
    ("request", "locale"),
    ("session",),
    ("session", "attributes"),
    ("session", "attributes", "state"),
    ("context",),
    ("context", "System"),
    ("context", "System", "user"),
    ("context", "System", "user", "userId"),
    ("version",),
]


def mutate(envelope: dict, path: tuple, value):
    node = envelope
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is _DELETE:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


_DELETE = object()


def profiles(data_dir) -> list:
    path = data_dir / "profiles.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return db.execute("SELECT user, data FROM profiles ORDER BY user").fetchall()


@pytest.fixture(scope="module")
def open_app(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz-open")
    return create_app(
        {"DATA_DIR": str(data), "ALEXA_VERIFY": False, "MAX_CONTENT_LENGTH": 8192, "KIOSK_VISITS_PER_MINUTE": 10**6}
    ), data


@pytest.fixture(scope="module")
def verified_app(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz-verified")
    return create_app(
        {
            "DATA_DIR": str(data),
            "ALEXA_TRUSTED_ROOTS": [alexa_signing.make_ca().cert],
            "ALEXA_CERT_FETCH": alexa_signing.fake_fetch(),
            "MAX_CONTENT_LENGTH": 8192,
        }
    ), data


@FUZZ
@given(body=json_values)
def test_random_json_to_alexa_never_500(open_app, body):
    app, data = open_app
    before = profiles(data)
    response = app.test_client().post("/alexa", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert profiles(data) == before


@FUZZ
@given(
    path=st.sampled_from(PATHS),
    value=json_values | odd_text | st.just(_DELETE),
    intent=st.sampled_from(["AMAZON.NextIntent", "ReadArticleIntent", "SlowerIntent", "CrampNowIntent"]),
)
def test_mutated_envelopes_never_500(open_app, path, value, intent):
    app, data = open_app
    envelope = alexa_signing.envelope({"type": "IntentRequest", "intent": {"name": intent}})
    envelope["context"]["System"]["user"]["userId"] = "amzn1.ask.account.fuzz"
    mutate(envelope, path, value if value is _DELETE else copy.deepcopy(value))
    before = profiles(data)
    response = app.test_client().post("/alexa", data=json.dumps(envelope), content_type="application/json")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert profiles(data) == before


@FUZZ
@given(
    body=st.binary(max_size=300),
    headers=st.dictionaries(
        st.sampled_from(["Signature-256", "SignatureCertChainUrl", "Signature"]), header_text, max_size=3
    ),
)
def test_unverified_requests_never_reach_the_engine(verified_app, body, headers):
    app, data = verified_app
    before = profiles(data)
    response = app.test_client().post("/alexa", data=body, headers=headers, content_type="application/json")
    assert response.status_code == 400
    assert profiles(data) == before


def test_oversized_bodies_get_413(open_app, verified_app):
    for app, _ in (open_app, verified_app):
        response = app.test_client().post("/alexa", data=b"{" + b" " * 9000 + b"}", content_type="application/json")
        assert response.status_code == 413


@FUZZ
@given(
    route=st.sampled_from(["/api/kiosk/start", "/api/kiosk/intent", "/api/kiosk/say", "/api/listen"]),
    body=json_values | odd_text,
)
def test_kiosk_api_never_500(open_app, route, body):
    app, _ = open_app
    client = app.test_client()
    started = client.post("/api/kiosk/start", json={"lang": "en"}).get_json()
    response = client.post(route, data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500
    # the visit that was going on is untouched by whatever that was
    again = client.post("/api/kiosk/intent", json={"session": started["session"], "intent": "AMAZON.RepeatIntent"})
    assert again.status_code == 200 and again.get_json()["view"] == started["view"]


@FUZZ
@given(text=odd_text)
def test_kiosk_say_takes_any_text(open_app, text):
    app, _ = open_app
    client = app.test_client()
    session = client.post("/api/kiosk/start", json={"lang": "da"}).get_json()["session"]
    response = client.post("/api/kiosk/say", json={"session": session, "text": text})
    assert response.status_code in (200, 400)


@pytest.fixture(scope="module")
def content_copy(tmp_path_factory):
    import shutil

    from content.loader import CONTENT_DIR

    root = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


@FUZZ
@given(
    file=st.sampled_from(["routines", "topics", "article", "prompts", "utterances"]),
    lang=st.sampled_from(["en", "nb", "da"]),
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.text(max_size=40),
)
def test_broken_content_files_always_give_a_clear_error(content_copy, file, lang, cut, junk):
    from content import read_library

    path = content_copy / lang / f"{file}.toml"
    original = path.read_text(encoding="utf-8")
    broken = original[:cut] + junk + original[cut + len(junk) + 1 :]
    path.write_text(broken, encoding="utf-8")
    try:
        library, problems = read_library(content_copy)
        if library is None:
            assert problems and all(str(p).startswith("content/") and ": " in str(p) for p in problems)
    finally:
        path.write_text(original, encoding="utf-8")
