"""The conversation engine on its own: no Alexa, no Flask, no audio."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import pytest

from coach.engine import part_starts
from coach.night import is_night
from coach.reply import RATE_MAX, RATE_MIN, Pause, Profile, SameView, Settings
from coach.state import State
from skill.ssml import reply_ssml

ROOT = Path(__file__).resolve().parent.parent
SURFACE_LIBRARIES = {
    "ask_sdk_core",
    "ask_sdk_model",
    "ask_sdk_runtime",
    "flask",
    "werkzeug",
    "gunicorn",
    "pyttsx3",
    "vosk",
    "sounddevice",
    "sklearn",
    "requests",
}


def imported_packages(folder: str) -> dict[str, set[str]]:
    """For each module of a package, the top-level packages it imports (relative imports left out)."""
    found = {}
    for path in (ROOT / folder).glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        found[path.name] = {name.split(".")[0] for name in names}
    return found


def test_the_core_knows_nothing_of_alexa_flask_audio_or_the_surfaces():
    for module, packages in imported_packages("coach").items():
        assert not packages & (SURFACE_LIBRARIES | {"skill", "kiosk", "speech"}), module


def test_the_surfaces_use_the_core_never_each_other():
    for module, packages in imported_packages("kiosk").items():
        assert "skill" not in packages, f"kiosk/{module}"
    for module, packages in imported_packages("skill").items():
        assert "kiosk" not in packages, f"skill/{module}"


def test_every_handler_is_in_the_transition_table():
    """A reader finds what an intent does by searching for its name in coach/engine.py's table."""
    from coach.engine import ANYWHERE, IN_MODE, Engine
    from coach.state import MODES
    from content import INTENTS

    assert set(ANYWHERE) <= set(INTENTS) and {i for _, i in IN_MODE} <= set(INTENTS)
    assert {mode for mode, _ in IN_MODE} <= set(MODES)
    handlers = set(ANYWHERE.values()) | set(IN_MODE.values())
    assert all(callable(h) and h.__qualname__.startswith("Engine.") for h in handlers)
    assert Engine._fallback in handlers


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_relief_routine_reaches_a_stretch_in_the_first_reply(engine, library, code):
    """The stretch and its whole timed hold come in the first reply, and it ends with the question."""
    launch = engine.launch(Settings(code))
    reply = engine.handle(launch.state, "AMAZON.YesIntent", Settings(code, launch.profile))
    steps = library[code].routines.cramp_now.steps
    hold = next(s for s in steps if s.kind == "hold")
    assert reply.spoken()[0] == steps[0].say and steps[1].say in reply.spoken()
    waited = sum(s.seconds for s in reply.segments if isinstance(s, Pause))
    assert waited >= hold.hold
    assert [t for t in reply.spoken() if t in {"3", "2", "1"}] == ["3", "2", "1"]
    check = next(s.say for s in steps if s.kind == "check")
    assert reply.spoken()[-1] == check and (reply.reprompt or "").startswith(check)


def test_disclaimer_is_said_once_per_user(engine, library):
    say = library["en"].say
    first = engine.launch(Settings("en"))
    assert say["disclaimer"] in first.spoken()
    again = engine.launch(Settings("en", first.profile))
    assert say["disclaimer"] not in again.spoken()
    direct = engine.handle(None, "WhyCrampsIntent", Settings("en"))  # straight in, never launched
    assert direct.spoken()[-1] == say["disclaimer"] and direct.profile.disclaimer_heard


def test_fallback_and_help_change_nothing(engine):
    state = {"mode": "routine", "routine": "bedtime_stretch", "step": 1, "repeats": 0}
    for intent in ("AMAZON.FallbackIntent", "AMAZON.HelpIntent", "UnknownIntent"):
        reply = engine.handle(state, intent, Settings("nb"))
        assert reply.state["mode"] == "routine" and reply.state["step"] == 1
        assert reply.view == SameView() and reply.reprompt


def test_rate_moves_in_bounded_steps(engine, library):
    profile = Profile()
    for _ in range(10):
        profile = engine.handle(None, "SlowerIntent", Settings("da", profile)).profile
    assert profile.rate == RATE_MIN
    reply = engine.handle(None, "SlowerIntent", Settings("da", profile))
    assert library["da"].say["rate_slowest"] in reply.spoken()
    for _ in range(20):
        profile = engine.handle(None, "FasterIntent", Settings("da", profile)).profile
    assert profile.rate == RATE_MAX


def test_night_mode_is_softer_and_slower(engine):
    day = engine.launch(Settings("en", Profile(disclaimer_heard=True), night=False))
    night = engine.launch(Settings("en", Profile(disclaimer_heard=True), night=True))
    assert night.rate < day.rate
    assert 'volume="soft"' in reply_ssml(night)[0] and 'volume="soft"' not in reply_ssml(day)[0]


@pytest.mark.parametrize(
    "clock, night",
    [("21:59", False), ("22:00", True), ("03:00", True), ("06:59", True), ("07:00", False), ("12:00", False)],
)
def test_night_is_22_to_7(clock, night):
    assert is_night(datetime.fromisoformat(f"2026-11-22T{clock}:00")) is night


def test_not_easing_is_bounded_then_doctor(engine, library):
    routine = library["en"].routines.cramp_now
    state = {"mode": "routine", "routine": "cramp_now", "step": routine.index_of("hold")}
    for round_ in range(routine.max_repeats):
        reply = engine.handle(state, "AMAZON.NoIntent", Settings("en", Profile(disclaimer_heard=True)))
        assert reply.state["repeats"] == round_ + 1
        state = {**reply.state, "step": routine.index_of("hold")}
    last = engine.handle(state, "AMAZON.NoIntent", Settings("en", Profile(disclaimer_heard=True)))
    assert routine.steps[-1].say in last.spoken()


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_next_at_the_easing_question_asks_it_again(engine, library, code):
    """Next at "is it easing?" does not skip it: the question is said again and the place is kept."""
    routine = library[code].routines.cramp_now
    check = routine.steps[routine.index_of("check")]
    state = {"mode": "routine", "routine": "cramp_now", "step": routine.index_of("hold"), "repeats": 1}
    reply = engine.handle(state, "AMAZON.NextIntent", Settings(code, Profile(disclaimer_heard=True)))
    assert reply.spoken() == [check.say]
    assert reply.reprompt == check.say
    assert isinstance(reply.view, SameView)
    assert {k: reply.state.get(k) for k in state} == state


def test_every_topic_ends_with_doctor_advice(engine, library):
    en = library["en"]
    for name in ("causes", "prevention", "see_doctor"):
        topic = en.topic(name)
        state = {"mode": "topic", "topic": name, "item": len(topic.items) - 2}
        last = engine.handle(state, "AMAZON.NextIntent", Settings("en", Profile(disclaimer_heard=True)))
        if name != "see_doctor":
            assert en.say["goodbye_doctor"] in last.spoken()
        assert last.spoken()[-1] == en.say["topic_end"]


def test_routine_parts_wait_where_the_content_says(library):
    """A part ends after a step marked `wait` or a check; the doctor step stands alone."""
    for lang in library.languages.values():
        for name in ("cramp_now", "bedtime_stretch"):
            steps = lang.routine(name).steps
            ends = {i + 1 for i, s in enumerate(steps) if s.wait or s.kind == "check"}
            doctor = {i for i, s in enumerate(steps) if s.kind == "doctor"}
            assert set(part_starts(steps)) == ({0} | ends | doctor) - {len(steps)}


def test_article_bookmark_offers_to_go_on(engine, library):
    sections = library["da"].article.sections
    profile = Profile(disclaimer_heard=True, bookmark=sections[3].id)
    offer = engine.handle(None, "ReadArticleIntent", Settings("da", profile))
    assert offer.state["mode"] == "resume_offer" and sections[3].heading in offer.spoken()
    assert "4" in offer.text and str(len(sections)) in offer.text  # section 4 of 8, as a DAISY player says
    for carry_on in ("AMAZON.YesIntent", "AMAZON.ResumeIntent", "AMAZON.NextIntent"):
        resumed = engine.handle(offer.state, carry_on, Settings("da", profile))
        assert resumed.spoken()[0] == sections[3].heading
    fresh = engine.handle(offer.state, "AMAZON.StartOverIntent", Settings("da", profile))
    assert fresh.spoken()[0] == sections[0].heading and fresh.profile.bookmark == sections[0].id
    not_now = engine.handle(offer.state, "AMAZON.NoIntent", Settings("da", profile))
    assert not_now.state["mode"] == "menu" and not_now.profile.bookmark == sections[3].id


def test_a_returning_listener_is_offered_the_article_at_launch(engine, library):
    """After "no" to "do you have a cramp now?"; "carry on" at launch goes straight back."""
    sections = library["en"].article.sections
    settings = Settings("en", Profile(disclaimer_heard=True, bookmark=sections[2].id))
    launch = engine.launch(settings)
    offer = engine.handle(launch.state, "AMAZON.NoIntent", settings)
    assert offer.state["mode"] == "resume_offer" and sections[2].heading in offer.spoken()
    assert engine.handle(launch.state, "AMAZON.ResumeIntent", settings).spoken()[0] == sections[2].heading
    plain = engine.handle(engine.launch(Settings("en")).state, "AMAZON.NoIntent", Settings("en"))
    assert plain.state["mode"] == "menu"


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_where_am_i_and_jump_to_a_section(engine, library, code):
    lang, settings = library[code], Settings(code, Profile(disclaimer_heard=True))
    sections = lang.article.sections
    for said, index in [("3", 2), (sections[6].names[0], 6), (f"x {sections[4].heading} x", 4)]:
        jumped = engine.handle(None, "GoToSectionIntent", settings, section=said)
        assert jumped.state["mode"] == "article" and jumped.state["section"] == index, said
    where = engine.handle({"mode": "article", "section": 4}, "WhereAmIIntent", settings)
    assert where.spoken()[:2] == [lang.say["where_section"].format(n=5, total=len(sections)), sections[4].heading]
    assert where.state["section"] == 4 and where.view.screen == "same"
    unknown = engine.handle({"mode": "article", "section": 4}, "GoToSectionIntent", settings, section="zebra")
    assert unknown.state["section"] == 4 and str(len(sections)) in unknown.text


def test_the_relief_routine_ends_the_session_with_the_doctor(engine, library):
    """After the last step the session ends (no menu after "take care"); a new user hears the short
    disclaimer there, not after the cue to stretch."""
    say = library["en"].say
    first = engine.handle(None, "CrampNowIntent", Settings("en"))
    assert say["disclaimer"] not in first.spoken() and not first.profile.disclaimer_heard
    reply, settings = first, Settings("en", first.profile)
    for intent in ("AMAZON.YesIntent", "AMAZON.NextIntent"):
        reply = engine.handle(reply.state, intent, settings)
        settings = Settings("en", reply.profile)
    doctor = next(s.say for s in library["en"].routines.cramp_now.steps if s.kind == "doctor")
    assert reply.end and reply.spoken() == [doctor, say["disclaimer_short"], say["routine_done"]]


@pytest.mark.parametrize("state", [{"mode": "article", "section": 2}, {"mode": "topic", "topic": "causes", "item": 3}])
def test_pause_and_resume_while_listening(engine, library, state):
    settings = Settings("en", Profile(disclaimer_heard=True))
    paused = engine.handle(state, "AMAZON.PauseIntent", settings)
    assert paused.spoken() == [library["en"].say["paused"]] and paused.state["mode"] == state["mode"]
    resumed = engine.handle(paused.state, "AMAZON.ResumeIntent", settings)
    assert resumed.text == engine.handle(state, "AMAZON.RepeatIntent", settings).text


def test_doctor_topic_disclaimer_stands_for_the_general_one(engine, library):
    reply = engine.handle(None, "SeeDoctorIntent", Settings("da"))
    assert library["da"].topics.see_doctor.disclaimer in reply.spoken()
    assert library["da"].say["disclaimer"] not in reply.spoken() and reply.profile.disclaimer_heard


def test_stop_after_symptoms_names_the_doctor_once(engine, library):
    say, settings = library["en"].say, Settings("en", Profile(disclaimer_heard=True))
    cramp = engine.handle(None, "CrampNowIntent", settings)
    assert engine.handle(cramp.state, "AMAZON.StopIntent", settings).spoken() == [say["goodbye_doctor"], say["goodbye"]]
    assert say["goodbye_doctor"] in (cramp.reprompt or "")  # a session that times out names the doctor too
    doctor = engine.handle(cramp.state, "SeeDoctorIntent", settings)
    assert engine.handle(doctor.state, "AMAZON.StopIntent", settings).spoken() == [say["goodbye"]]
    assert engine.handle(None, "AMAZON.StopIntent", settings).spoken() == [say["goodbye"]]


def test_doctor_flags_round_trip_and_are_checked(library):
    state = State(mode="menu", symptoms=True)
    assert State.from_dict(state.to_dict(), library["en"]) == state
    assert State.from_dict({**state.to_dict(), "doctor": "yes"}, library["en"]) == State()


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_a_kiosk_without_voice_input_says_what_to_press(engine, library, code):
    """#13 finding 9: "say resume" where nothing can be said. Content keeps both forms."""
    lang = library[code]
    pressing = Settings(code, Profile(disclaimer_heard=True), screen=True, voice=False)
    paused = engine.handle({"mode": "routine", "step": 0}, "AMAZON.PauseIntent", pressing)
    assert paused.spoken() == [lang.press["paused"]] and paused.reprompt == lang.press["paused"]
    topic = engine.handle(None, "WhyCrampsIntent", pressing)
    assert topic.spoken()[-1] == lang.press["topic_more"] and lang.say["topic_more"] not in topic.spoken()
    speaking = Settings(code, Profile(disclaimer_heard=True), screen=True, voice=True)
    assert engine.handle(None, "WhyCrampsIntent", speaking).spoken()[-1] == lang.say["topic_more"]
