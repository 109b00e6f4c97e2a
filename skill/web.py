"""POST /alexa: verify the request, hand it to the skill, answer with JSON. Never a 500."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import partial

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from flask import Blueprint, jsonify, request

from coach.engine import Engine

from .alexa import build_skill, night_of
from .persistence import make_adapter
from .verify import RequestVerifier, VerificationError, parse_envelope

log = logging.getLogger(__name__)
REQUEST_TYPES = {"LaunchRequest", "IntentRequest", "SessionEndedRequest"}


class Serializer(DefaultSerializer):
    """ask-sdk's serializer, reading Alexa's ISO 8601 timestamps with the standard library:
    its dateutil parsing was a sixth of the time spent per request."""

    # ask-sdk-core has no public way to change how timestamps are parsed: DefaultSerializer's
    # deserialize() calls its private __deserialize_datetime (name-mangled to the name below), and
    # the only public alternative is to rewrite the whole serializer. So this overrides that
    # private method; anything it cannot parse goes to ask-sdk's own. tests/test_library_edges.py
    # pins, on the pinned ask-sdk-core (1.19.0, requirements.txt), that the method exists, that
    # deserialize() reaches this override, and that it gives the same datetimes as ask-sdk's.
    def _DefaultSerializer__deserialize_datetime(self, payload, obj_type):
        try:
            moment = datetime.fromisoformat(payload)
        except (TypeError, ValueError):
            return super()._DefaultSerializer__deserialize_datetime(payload, obj_type)
        return moment.date() if obj_type is date else moment


serializer = Serializer()


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def envelope_problem(envelope) -> str | None:
    """What is missing from an envelope the skill needs, or None when it is complete enough."""
    if not isinstance(envelope, dict):
        return "body is not a JSON object"
    req = envelope.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str) or req["type"] not in REQUEST_TYPES:
        return "request.type must be LaunchRequest, IntentRequest or SessionEndedRequest"
    if req["type"] == "IntentRequest" and not isinstance(_object(req.get("intent")).get("name"), str):
        return "request.intent.name is missing"
    if req.get("locale") is not None and not isinstance(req.get("locale"), str):
        return "request.locale must be a string"
    user = _object(_object(_object(envelope.get("context")).get("System")).get("user"))
    if not isinstance(user.get("userId"), str) or not user["userId"]:
        return "context.System.user.userId is missing"
    session = envelope.get("session")
    if session is not None and not isinstance(session, dict):
        return "session must be an object"
    if not isinstance(_object(session).get("attributes") or {}, dict):
        return "session.attributes must be an object"
    return None


def _bad(reason: str, status: int = 400):
    return jsonify(error=reason), status


def create_blueprint(engine: Engine, config) -> Blueprint:
    blueprint = Blueprint("alexa", __name__)
    verify = config.get("ALEXA_VERIFY", True)
    verifier = None
    if verify:
        verifier = RequestVerifier(
            trusted_roots=config.get("ALEXA_TRUSTED_ROOTS"),
            skill_id=config.get("ALEXA_SKILL_ID") or None,
            fetch=config.get("ALEXA_CERT_FETCH"),
        )
    else:
        log.warning("ALEXA_VERIFY is off: /alexa accepts unsigned requests. Use this for local development only.")
    skill = build_skill(
        engine, make_adapter(config), partial(night_of, lookup=config.get("ALEXA_TIMEZONE_LOOKUP", True))
    ).create()

    @blueprint.post("/alexa")
    def alexa():
        body = request.get_data(cache=False)
        try:
            envelope = verifier.verify(request.headers, body) if verifier else parse_envelope(body)
        except VerificationError as error:
            return _bad(f"request rejected: {error}")
        problem = envelope_problem(envelope)
        if problem:
            return _bad(problem)
        try:
            request_envelope = serializer.deserialize(body.decode("utf-8"), RequestEnvelope)
            response = skill.invoke(request_envelope=request_envelope, context=None)
        except Exception as error:  # noqa: BLE001 - a verified but odd envelope is the sender's fault: 400
            log.info("malformed Alexa request: %s", type(error).__name__)
            return _bad("request envelope is malformed")
        return jsonify(serializer.serialize(response))

    return blueprint
