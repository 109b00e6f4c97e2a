"""The conversation graph: every reachable state with every intent, and the rules every step keeps.

A breadth-first walk through the engine, from a new and a returning user's launch and from every
one-shot intent, with each profile variation (disclaimer heard or not, bookmark set or not) on each
surface (a smart speaker by night or day, a kiosk with or without voice input). It follows what was
actually said, not the engine's own flags: symptom content is any routine, topic or article text;
doctor advice is the cramp routine's doctor step, the see_doctor topic and article section, and the
short doctor sentence said before goodbye or in a reprompt.

`python -m coach graph` prints the summary; the test suite fails on any breach.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from content import INTENTS, Language
from content.checks import sentences, word_count

from .engine import Engine
from .reply import Pause, Profile, Reply, Say, Settings

WORDS_PER_SECOND = 2.5  # the default speaking rate, for timing speech without audio
MAX_WORDS = 60  # longest reply outside the article, in spoken words
MAX_ARTICLE_SECONDS = 90.0
MAX_SECONDS_TO_STRETCH = 10.0  # from a request for help to the first stretch instruction
MAX_SECONDS_TO_HOLD = 30.0  # ... and to the first timed hold
UNDERSTOOD = tuple(i for i in INTENTS if i not in {"AMAZON.FallbackIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent"})
HELP_REQUESTS = ("CrampNowIntent",)
# (night, screen, voice): a smart speaker by day and by night, a kiosk with voice input, and a kiosk
# without it (whose prompts say what to press)
SURFACES = [(False, False, True), (True, False, True), (False, True, True), (False, True, False)]
# every intent, and a jump to a section by number as well as one that names no section
MOVES = [(intent, None) for intent in INTENTS] + [("GoToSectionIntent", "3")]  # and "yes" to "do you have a cramp now?"


def seconds(segments: Iterable) -> float:
    """Speech time at the default rate: words at 2.5 a second, plus every pause."""
    return sum(word_count(s.text) / WORDS_PER_SECOND if isinstance(s, Say) else s.seconds for s in segments)


def profiles(lang: Language) -> list[Profile]:
    bookmark = lang.article.sections[len(lang.article.sections) // 2].id
    return [Profile(disclaimer_heard=heard, bookmark=mark) for heard in (False, True) for mark in (None, bookmark)]


@dataclass
class Texts:
    """What counts as symptom content, doctor advice and "not understood", in one language."""

    symptoms: set[str]
    doctor: set[str]
    fallback: set[str]

    @classmethod
    def of(cls, lang: Language) -> Texts:
        topic = lang.topics.see_doctor
        section = next(s for s in lang.article.sections if s.id == "see_doctor")
        doctor = {topic.summary, topic.disclaimer or "", *section.paragraphs, lang.say["goodbye_doctor"]}
        doctor |= {s.say for s in lang.routines.cramp_now.steps if s.kind == "doctor"}
        doctor |= {text for item in topic.items for text in (item.summary, item.detail)}
        routines = [lang.routines.cramp_now, lang.routines.bedtime_stretch]
        symptoms = {text for r in routines for text in (r.intro, *(s.say for s in r.steps))}
        topics = [lang.topics.causes, lang.topics.prevention, topic]
        symptoms |= {t for x in topics for t in (x.summary, *(y for i in x.items for y in (i.summary, i.detail)))}
        symptoms |= {p for s in lang.article.sections for p in s.paragraphs} | doctor
        fallback = {lang.say[k] for k in ("fallback", "fallback_again_voice", "fallback_again_screen")}
        return cls(symptoms - {""}, doctor - {""}, fallback)

    def heard(self, spoken: list[str], told: tuple[bool, bool]) -> tuple[bool, bool]:
        """(symptom content began, doctor named since), after the spoken texts, in order."""
        began, named = told
        for text in spoken:
            began = began or text in self.symptoms
            named = named or (began and text in self.doctor)
        return began, named


@dataclass
class Breach:
    path: tuple[str, ...]
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {' > '.join(self.path)}: {self.detail}"


@dataclass
class Summary:
    lang: str
    states: int = 0
    edges: int = 0
    endings: int = 0
    longest_words: int = 0
    longest_article_seconds: float = 0.0
    to_stretch: float = 0.0  # worst case over the ways of asking for help
    to_hold: float = 0.0
    breaches: list[Breach] = field(default_factory=list)


def _key(state, profile: Profile, surface: tuple, told) -> tuple:
    """Where a walk stands. Speech rate is left out: it changes how fast things are said, not where
    the conversation can go."""
    return repr(sorted((state or {}).items())), profile.with_(rate=1.0), surface, told


class Walk:
    def __init__(self, engine: Engine, code: str):
        self.engine, self.code = engine, code
        self.lang = engine.language(code)
        self.texts = Texts.of(self.lang)
        self.summary = Summary(code)

    def breach(self, path, rule: str, detail: str) -> None:
        self.summary.breaches.append(Breach(tuple(path), rule, detail))

    def run(self) -> Summary:
        starts: list[tuple] = []
        for surface in SURFACES:
            for profile in profiles(self.lang):
                starts.append((None, profile, surface, (False, False), ("(one-shot)",)))
                settings = Settings(self.code, profile, *surface)
                launch = self.engine.launch(settings)
                self.check_reply(("(launch)",), None, launch, (False, False))
                told = self.texts.heard(launch.spoken(), (False, False))
                starts.append((launch.state, launch.profile, surface, told, ("(launch)",)))
                self.check_help(settings, launch)
        self.check_steps()
        seen = set()
        queue: deque = deque()
        for state, profile, surface, told, path in starts:
            if _key(state, profile, surface, told) not in seen:
                seen.add(_key(state, profile, surface, told))
                queue.append((state, profile, surface, told, path))
        while queue:
            state, profile, surface, told, path = queue.popleft()
            for intent, section in MOVES:
                edge = (*path, intent if section is None else f"{intent}({section})")
                try:
                    settings = Settings(self.code, profile, *surface)
                    reply = self.engine.handle(state, intent, settings, section=section)
                except Exception as error:  # a fault is a breach to report, not a crash of the walk
                    self.breach(edge, "fault", repr(error))
                    continue
                self.summary.edges += 1
                after = self.check_reply(edge, intent, reply, told)
                if reply.end:
                    self.summary.endings += 1
                    continue
                where = _key(reply.state, reply.profile, surface, after)
                if where not in seen:
                    seen.add(where)
                    queue.append((reply.state, reply.profile, surface, after, edge))
        self.summary.states = len(seen)
        return self.summary

    def check_reply(self, path, intent: str | None, reply: Reply, told) -> tuple[bool, bool]:
        """Checks one edge; returns what was told about symptoms and the doctor after it."""
        spoken = reply.spoken()
        if not spoken or not all(text.strip() for text in spoken):
            self.breach(path, "empty speech", repr(spoken))
        if not reply.end and not reply.reprompt:
            self.breach(path, "no reprompt", reply.text[-80:])
        if intent in UNDERSTOOD and self.texts.fallback & set(spoken):
            self.breach(path, "understood, answered as not understood", reply.text[:80])
        after = self.texts.heard(spoken, told)
        if reply.end and after[0] and not after[1]:
            self.breach(path, "ends without the doctor", reply.text[-80:])
        reprompt = reply.reprompt or ""
        if not reply.end and after[0] and not after[1] and not any(t in reprompt for t in self.texts.doctor):
            self.breach(path, "a timeout would end without the doctor", reprompt[-80:])
        if reply.view.screen == "article" and getattr(reply.view, "paragraphs", None):
            length = seconds(reply.segments)
            self.summary.longest_article_seconds = max(self.summary.longest_article_seconds, length)
            if length > MAX_ARTICLE_SECONDS:
                self.breach(path, "article reply too long", f"{length:.0f} s")
        else:
            count = sum(word_count(text) for text in spoken)
            self.summary.longest_words = max(self.summary.longest_words, count)
            if count > MAX_WORDS:
                self.breach(path, "reply too long", f"{count} words: {reply.text[:60]}…")
        return after

    def check_help(self, settings: Settings, launch: Reply) -> None:
        """From a request for help (one-shot, or after `launch` with these settings), the first
        stretch instruction and the first timed hold come soon."""
        asks = [(("(one-shot)", i), self.engine.handle(None, i, settings)) for i in HELP_REQUESTS]
        after_launch = replace(settings, profile=launch.profile)
        for intent in (*HELP_REQUESTS, "AMAZON.YesIntent"):
            asks.append((("(launch)", intent), self.engine.handle(launch.state, intent, after_launch)))
        stretch = next(s.say for s in self.lang.routines.cramp_now.steps if s.id == "stretch")
        for path, reply in asks:
            to_stretch = to_hold = None
            elapsed = 0.0
            parts = reply.parts()
            for part in parts:
                if isinstance(part, Say) and part.text == stretch and to_stretch is None:
                    to_stretch = elapsed
                if not isinstance(part, (Say, Pause)):  # a Hold
                    to_hold = elapsed
                    break
                elapsed += seconds([part])
            if to_stretch is None or to_stretch > MAX_SECONDS_TO_STRETCH:
                self.breach(path, "first stretch instruction too late", f"{to_stretch} s")
            if to_hold is None or to_hold > MAX_SECONDS_TO_HOLD:
                self.breach(path, "first timed hold too late", f"{to_hold} s")
            self.summary.to_stretch = max(self.summary.to_stretch, to_stretch or 0.0)
            self.summary.to_hold = max(self.summary.to_hold, to_hold or 0.0)

    def check_steps(self) -> None:
        """Each step of the cramp routine asks for one action, in one sentence."""
        for step in self.lang.routines.cramp_now.steps:
            if step.kind in ("step", "hold") and len(sentences(step.say)) != 1:
                self.breach(("cramp_now", step.id), "a step asks for more than one action", step.say)


def walk(engine: Engine, code: str) -> Summary:
    summary = Walk(engine, code).run()
    unique = {str(b): b for b in summary.breaches}  # a step checked from several starts is one breach
    summary.breaches = list(unique.values())
    return summary


def table(summaries: list[Summary]) -> str:
    head = (
        "language",
        "states",
        "edges",
        "endings",
        "longest reply",
        "longest article",
        "to stretch",
        "to hold",
        "breaches",
    )
    rows = [
        (
            s.lang,
            f"{s.states:,}",
            f"{s.edges:,}",
            f"{s.endings:,}",
            f"{s.longest_words} words",
            f"{s.longest_article_seconds:.0f} s",
            f"{s.to_stretch:.1f} s",
            f"{s.to_hold:.1f} s",
            f"{len(s.breaches)}",
        )
        for s in summaries
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in [head, *rows]]
    return "\n".join(lines)
