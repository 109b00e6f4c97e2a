"""Whole conversations through POST /alexa, with correctly signed requests and real envelopes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from coach.engine import part_starts
from coach.reply import Profile, Settings
from skill.ssml import reply_ssml
from tests import alexa_signing
from tests.ssml_lint import lint_response, lint_ssml, speech_text


class Conversation:
    """An AlexaClient that lints every response it gets."""

    def __init__(self, alexa):
        self.alexa = alexa

    def __getattr__(self, name):
        method = getattr(self.alexa, name)

        def call(*args):
            data = method(*args)
            if data["response"].get("outputSpeech"):
                data["break_seconds"] = lint_response(data)
                data["text"] = speech_text(data)
            return data

        return call


@pytest.fixture
def talk(alexa):
    return Conversation(alexa)


def test_relief_routine_from_launch_to_aftercare(talk, library):
    en = library["en"]
    steps = {s.id: s for s in en.routines.cramp_now.steps}
    launch = talk.launch()
    assert en.say["ask_cramp_now"] in launch["text"]
    assert en.say["disclaimer"] in launch["text"]

    first = talk.say("AMAZON.YesIntent")  # straight into the first step, the stretch and its timed hold
    assert first["text"].startswith(steps["straighten"].say) and steps["stretch"].say in first["text"]
    assert first["break_seconds"] >= steps["hold"].hold * 0.8  # the hold is really timed
    assert first["text"].rstrip().endswith(steps["check"].say)

    again = talk.say("AMAZON.NoIntent")  # not easing: stretch once more
    assert en.say["not_easing_again"] in again["text"] and steps["stretch"].say in again["text"]

    after = talk.say("AMAZON.YesIntent")
    for step in ("aftercare_move", "aftercare_avoid"):
        assert steps[step].say in after["text"]
    assert after["response"]["shouldEndSession"] is False
    last = talk.say("AMAZON.NextIntent")  # the doctor step, then the session ends
    assert steps["doctor"].say in last["text"] and last["response"]["shouldEndSession"] is True


def test_cramp_that_does_not_ease_ends_with_doctor_advice(talk, library):
    en = library["en"]
    doctor = en.routines.cramp_now.steps[-1]
    talk.launch()
    talk.say("CrampNowIntent")
    for _ in range(en.routines.cramp_now.max_repeats):
        talk.say("AMAZON.NoIntent")
    last = talk.say("AMAZON.NoIntent")
    assert en.say["not_easing_stop"] in last["text"]
    assert doctor.say in last["text"]


def test_every_step_command_works_in_a_routine(talk, library):
    en = library["en"]
    talk.launch()
    start = talk.say("BedtimeStretchIntent")
    assert en.routines.bedtime_stretch.steps[0].say in start["text"]
    assert talk.say("AMAZON.PreviousIntent")["text"].startswith(en.say["first_step"])
    nxt = talk.say("AMAZON.NextIntent")
    assert en.routines.bedtime_stretch.steps[1].say in nxt["text"]
    assert talk.say("AMAZON.RepeatIntent")["text"] == nxt["text"]
    assert talk.say("AMAZON.PauseIntent")["text"] == en.say["paused"]
    resumed = talk.say("AMAZON.ResumeIntent")
    assert resumed["text"].startswith(en.say["resumed"])
    assert en.routines.bedtime_stretch.steps[1].say in resumed["text"]
    assert en.say["start_over"] in talk.say("AMAZON.StartOverIntent")["text"]
    assert en.say["help_routine"] in talk.say("AMAZON.HelpIntent")["text"]
    assert en.say["menu"] in talk.say("AMAZON.NavigateHomeIntent")["text"]


def test_topic_item_by_item_ends_with_doctor(talk, library):
    causes = library["en"].topics.causes
    talk.launch()
    assert causes.summary in talk.say("WhyCrampsIntent")["text"]
    for item in causes.items:
        reply = talk.say("AMAZON.NextIntent")
        assert item.detail in reply["text"]
    assert library["en"].say["goodbye_doctor"] in reply["text"]
    assert causes.items[-2].detail in talk.say("AMAZON.PreviousIntent")["text"]


def test_article_is_resumed_in_a_new_session(talk, library):
    sections = library["en"].article.sections
    talk.launch()
    assert talk.say("ReadArticleIntent")["text"].startswith(sections[0].heading)
    assert talk.say("AMAZON.NextIntent")["text"].startswith(sections[1].heading)
    assert talk.say("AMAZON.StopIntent")["response"]["shouldEndSession"] is True

    launch = talk.launch()
    assert library["en"].say["disclaimer"] not in launch["text"]  # once per user
    offer = talk.say("ReadArticleIntent")
    assert sections[1].heading in offer["text"]
    assert talk.say("AMAZON.YesIntent")["text"].startswith(sections[1].heading)


def test_session_end_keeps_the_bookmark(talk, library, app):
    sections = library["en"].article.sections
    talk.launch()
    talk.say("ReadArticleIntent")
    talk.say("AMAZON.NextIntent")
    talk.say("AMAZON.NextIntent")
    talk.end_session()
    talk.launch()
    assert sections[2].heading in talk.say("ReadArticleIntent")["text"]


def prosody_rate(data: dict) -> str:
    ssml = data["response"]["outputSpeech"]["ssml"]
    prosody = ET.fromstring(ssml).find("prosody")
    assert prosody is not None and prosody.get("rate"), ssml
    return str(prosody.get("rate"))


def test_speech_rate_is_stored_per_user(talk):
    talk.launch()
    normal = prosody_rate(talk.say("AMAZON.HelpIntent"))
    talk.say("SlowerIntent")
    slower = prosody_rate(talk.say("SlowerIntent"))
    assert int(slower[:-1]) < int(normal[:-1])
    talk.launch()
    assert prosody_rate(talk.say("AMAZON.HelpIntent")) == slower
    talk.say("FasterIntent")
    assert int(prosody_rate(talk.say("AMAZON.HelpIntent"))[:-1]) > int(slower[:-1])


def test_unknown_intent_gets_a_kind_fallback(talk, library):
    talk.launch()
    reply = talk.say("SomethingElseIntent")
    assert library["en"].say["fallback"] in reply["text"]


def test_every_reply_fits_alexa_limits(engine, library):
    """Every part of every routine, topic and article section, in every language, as SSML."""
    for code, lang in library.languages.items():
        for night in (False, True):
            settings = Settings(code, Profile(rate=0.6, disclaimer_heard=False), night)
            replies = [engine.launch(settings)]
            for name in ("cramp_now", "bedtime_stretch"):
                for start in part_starts(lang.routine(name).steps):
                    state = {"mode": "routine", "routine": name, "step": start}
                    replies.append(engine.handle(state, "AMAZON.RepeatIntent", settings))
            for name in ("causes", "prevention", "see_doctor"):
                for item in range(-1, len(lang.topic(name).items)):
                    replies.append(
                        engine.handle({"mode": "topic", "topic": name, "item": item}, "AMAZON.RepeatIntent", settings)
                    )
            for index in range(len(lang.article.sections)):
                replies.append(engine.handle({"mode": "article", "section": index}, "AMAZON.RepeatIntent", settings))
            for reply in replies:
                speech, reprompt = reply_ssml(reply)
                lint_ssml(speech)
                assert len(speech) < 7_900, "content too long for one Alexa response"
                if not reply.end:
                    lint_ssml(reprompt)


# Requests that must be turned away with a 4xx, never a 500, and never reach the engine.


def post(app, body: bytes, headers=None):
    return app.test_client().post("/alexa", data=body, headers=headers or {}, content_type="application/json")


def test_correctly_signed_request_is_accepted(app):
    body = alexa_signing.envelope_bytes()
    assert post(app, body, alexa_signing.signed_headers(body)).status_code == 200


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            lambda body, headers: (
                body,
                {**headers, "Signature-256": alexa_signing.sign(b"other", alexa_signing.leaf_key())},
            ),
            "signature",
        ),
        (lambda body, headers: (body.replace(b"LaunchRequest", b"IntentRequest"), headers), "signature"),
        (
            lambda body, headers: (
                body,
                {**headers, "SignatureCertChainUrl": "http://s3.amazonaws.com/echo.api/c.pem"},
            ),
            "https",
        ),
        (lambda body, headers: (body, {k: v for k, v in headers.items() if k != "Signature-256"}), "Signature-256"),
    ],
)
def test_bad_requests_are_rejected_at_the_route(app, change, reason):
    body = alexa_signing.envelope_bytes()
    body, headers = change(body, alexa_signing.signed_headers(body))
    response = post(app, body, headers)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]


def test_wrong_application_id_is_rejected(app):
    body = alexa_signing.envelope_bytes(application_id="amzn1.ask.skill.someone-else")
    response = post(app, body, alexa_signing.signed_headers(body))
    assert response.status_code == 400 and "application" in response.get_json()["error"]


@pytest.fixture
def open_app(tmp_path):
    from app import create_app

    return create_app({"DATA_DIR": str(tmp_path), "ALEXA_VERIFY": False, "MAX_CONTENT_LENGTH": 4096})


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"request": {"type": "LaunchRequest"}}',
        json.dumps({"request": {"type": "IntentRequest"}, "context": {"System": {"user": {"userId": "u"}}}}).encode(),
        json.dumps(
            {"request": {"type": "LaunchRequest", "locale": 5}, "context": {"System": {"user": {"userId": "u"}}}}
        ).encode(),
        json.dumps(
            {
                "request": {"type": "LaunchRequest"},
                "context": {"System": {"user": {"userId": "u"}}},
                "session": {"attributes": []},
            }
        ).encode(),
        "\udcff".encode("utf-8", "surrogatepass"),
    ],
)
def test_malformed_envelopes_get_400(open_app, body):
    assert post(open_app, body).status_code == 400


def test_oversized_body_gets_413(open_app):
    assert post(open_app, b" " * 5000).status_code == 413


def test_tampered_session_state_is_replaced_not_trusted(open_app, library):
    envelope = alexa_signing.envelope({"type": "IntentRequest", "intent": {"name": "AMAZON.NextIntent"}})
    envelope["session"]["attributes"] = {"state": {"mode": "routine", "routine": "cramp_now", "step": 999}}
    response = post(open_app, json.dumps(envelope).encode())
    assert response.status_code == 200
    assert response.get_json()["sessionAttributes"]["state"]["step"] == 0


def test_jump_to_a_section_by_its_slot(talk, library):
    """GoToSectionIntent: the id Alexa resolved the slot to, or else the words heard."""
    sections = library["en"].article.sections
    talk.launch()
    resolved = {
        "name": "section",
        "value": "the doctor part",
        "resolutions": {
            "resolutionsPerAuthority": [
                {
                    "authority": "amzn1.er-authority.echo-sdk.test.ARTICLE_SECTION",
                    "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": "when to see a doctor", "id": "see_doctor"}}],
                }
            ]
        },
    }
    for slot, index in [(resolved, 6), ({"name": "section", "value": "3"}, 2)]:
        intent = {"name": "GoToSectionIntent", "confirmationStatus": "NONE", "slots": {"section": slot}}
        reply = talk.send({"type": "IntentRequest", "intent": intent})
        assert reply["text"].startswith(sections[index].heading)
    where = talk.say("WhereAmIIntent")
    assert library["en"].say["where_section"].format(n=3, total=len(sections)) in where["text"]
