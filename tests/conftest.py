"""Shared fixtures: the real content, the app with a local Alexa test CA, and a signing client."""

from __future__ import annotations

import json

import pytest

from app import create_app
from content import load_library
from coach.engine import Engine
from tests import alexa_signing

pytest_plugins = ["tests.browser"]  # the live server and Chromium fixtures of the kiosk page tests


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def engine(library):
    return Engine(library)


@pytest.fixture
def app(tmp_path):
    """The real app with verification ON, trusting only the local test CA."""
    return create_app({
        "TESTING": True,
        "DATA_DIR": str(tmp_path),
        "ALEXA_TRUSTED_ROOTS": [alexa_signing.make_ca().cert],
        "ALEXA_CERT_FETCH": alexa_signing.fake_fetch(),
        "ALEXA_SKILL_ID": alexa_signing.SKILL_ID,
    })


class AlexaClient:
    """Sends correctly signed Alexa requests and carries session attributes between turns."""

    def __init__(self, client, locale="en-US", user="amzn1.ask.account.test"):
        self.client, self.locale, self.user = client, locale, user
        self.attributes: dict = {}
        self.new = True

    def send(self, request: dict):
        envelope = alexa_signing.envelope({"locale": self.locale, **request})
        envelope["session"]["new"] = self.new
        envelope["session"]["attributes"] = self.attributes
        for place in (envelope["session"], envelope["context"]["System"]):
            place["user"]["userId"] = self.user
        body = json.dumps(envelope).encode()
        response = self.client.post("/alexa", data=body, headers=alexa_signing.signed_headers(body),
                                    content_type="application/json")
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        self.attributes = data.get("sessionAttributes") or {}
        self.new = False
        if data["response"].get("shouldEndSession", True) and request["type"] != "LaunchRequest":
            self.new, self.attributes = True, {}
        return data

    def launch(self):
        self.new, self.attributes = True, {}
        return self.send({"type": "LaunchRequest"})

    def say(self, intent: str):
        return self.send({"type": "IntentRequest", "intent": {"name": intent, "confirmationStatus": "NONE"}})

    def end_session(self):
        data = self.send({"type": "SessionEndedRequest", "reason": "USER_INITIATED"})
        self.new, self.attributes = True, {}
        return data


@pytest.fixture
def alexa(app):
    return AlexaClient(app.test_client())
