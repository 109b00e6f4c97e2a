"""Every path that talked about symptoms names the doctor before it ends.

A breadth-first walk over every reachable conversation, in every language, with every intent. It
follows what was actually said, not the engine's own flags: symptom content is any routine, topic or
article text; doctor advice is the cramp routine's doctor step, the see_doctor topic and article
section, and the short doctor sentence said before goodbye.
"""

from __future__ import annotations

from collections import deque

import pytest

from coach.reply import Profile, Settings
from content import INTENTS

PROFILES = [
    Profile(),
    Profile(disclaimer_heard=True),
    Profile(disclaimer_heard=True, bookmark="own_cause"),
    Profile(bookmark="see_doctor"),
]


def doctor_texts(lang) -> set[str]:
    doctor = lang.topics.see_doctor
    section = next(s for s in lang.article.sections if s.id == "see_doctor")
    sentence = lang.say.get("goodbye_doctor")  # .get: without it, the walk still runs, and shows what is missing
    texts = {doctor.summary, doctor.disclaimer, *section.paragraphs, sentence}
    texts |= {s.say for s in lang.routines.cramp_now.steps if s.kind == "doctor"}
    return texts | {text for item in doctor.items for text in (item.summary, item.detail)}


def symptom_texts(lang) -> set[str]:
    routines = [lang.routines.cramp_now, lang.routines.bedtime_stretch]
    texts = {text for r in routines for text in (r.intro, *(s.say for s in r.steps))}
    topics = [lang.topics.causes, lang.topics.prevention, lang.topics.see_doctor]
    texts |= {text for t in topics for text in (t.summary, *(x for i in t.items for x in (i.summary, i.detail)))}
    return texts | {p for s in lang.article.sections for p in s.paragraphs} | doctor_texts(lang)


def heard(spoken, told: tuple[bool, bool], symptoms: set[str], doctor: set[str]) -> tuple[bool, bool]:
    """(symptom content began, doctor named since), after the spoken texts, in order."""
    began, named = told
    for text in spoken:
        began = began or text in symptoms
        named = named or (began and text in doctor)
    return began, named


def key(state, profile, told) -> tuple:
    """Where a walk stands. Speech rate is left out: it changes how fast things are said, not
    where the conversation can go."""
    return repr(sorted((state or {}).items())), profile.with_(rate=1.0), told


def walk(engine, code: str) -> tuple[int, int, list]:
    """Every intent from every reachable state: (states, edges, endings), where an ending is
    (path, (began, named) before it, (began, named) with it, reply)."""
    lang = engine.language(code)
    symptoms, doctor = symptom_texts(lang), doctor_texts(lang)
    starts = [(None, profile, (False, False), ["(one-shot)"]) for profile in PROFILES]
    for profile in PROFILES:
        launch = engine.launch(Settings(code, profile))
        told = heard(launch.spoken(), (False, False), symptoms, doctor)
        starts.append((launch.state, launch.profile, told, ["(launch)"]))
    queue: deque = deque()
    seen, edges, endings = set(), 0, []
    for start in starts:
        if key(*start[:3]) not in seen:
            seen.add(key(*start[:3]))
            queue.append(start)
    while queue:
        state, profile, told, path = queue.popleft()
        for intent in INTENTS:
            reply = engine.handle(state, intent, Settings(code, profile))
            edges += 1
            after = heard(reply.spoken(), told, symptoms, doctor)
            if reply.end:
                endings.append((path + [intent], told, after, reply))
            elif key(reply.state, reply.profile, after) not in seen:
                seen.add(key(reply.state, reply.profile, after))
                queue.append((reply.state, reply.profile, after, path + [intent]))
    return len(seen), edges, endings


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_no_path_about_symptoms_ends_without_the_doctor(engine, code):
    """Where the doctor was not named since symptoms came up, the ending names them, just before goodbye."""
    say = engine.language(code).say
    sentence, goodbye = say.get("goodbye_doctor"), say["goodbye"]
    states, edges, endings = walk(engine, code)
    missing = []
    for path, (began, named), after, reply in endings:
        needed = began and not named
        expected = [sentence, goodbye] if needed else [goodbye]
        said = reply.spoken()
        if (after[0] and not after[1]) or said[-len(expected) :] != expected or (sentence in said) != needed:
            missing.append((" > ".join(path), reply.text))
    print(f"\n{code}: {states} states, {edges} edges, {len(endings)} endings, {len(missing)} without the doctor")
    assert not missing, f"{len(missing)} endings without the doctor, e.g. {missing[:3]}"
