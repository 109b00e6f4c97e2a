"""Typed content objects. Pydantic validates every file as it is loaded."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGES = ("en", "nb", "da")

INTENTS = (
    "CrampNowIntent",
    "WhyCrampsIntent",
    "PreventionIntent",
    "BedtimeStretchIntent",
    "SeeDoctorIntent",
    "ReadArticleIntent",
    "SlowerIntent",
    "FasterIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "GoToSectionIntent",
    "WhereAmIIntent",
)

SAY_KEYS = {
    "welcome": (),
    "disclaimer": (),
    "disclaimer_short": (),
    "ask_cramp_now": (),
    "menu": (),
    "menu_short": (),
    "help_menu": (),
    "help_routine": (),
    "help_hold": (),
    "help_check": (),
    "help_topic": (),
    "help_article": (),
    "help_resume_offer": (),
    "fallback": (),
    "fallback_again_voice": (),
    "fallback_again_screen": (),
    "goodbye": (),
    "goodbye_doctor": (),
    "ok": (),
    "paused": (),
    "resumed": (),
    "start_over": (),
    "routine_start": ("title",),
    "routine_next": (),
    "routine_done": (),
    "hold_start": (),
    "breathe": (),
    "hold_remaining": ("seconds",),
    "hold_rep": ("rep", "reps"),
    "release_now": (),
    "easing_yes": (),
    "not_easing_again": (),
    "not_easing_stop": (),
    "topic_more": (),
    "topic_end": (),
    "topic_first": (),
    "first_step": (),
    "article_resume_where": ("n", "total"),
    "article_resume_offer": (),
    "take_your_time": (),
    "section_unknown": ("total",),
    "where_section": ("n", "total"),
    "where_step": ("title", "n", "total"),
    "where_point": ("title", "n", "total"),
    "where_menu": (),
    "article_next": (),
    "article_end": (),
    "article_first": (),
    "sources_spoken": (),
    "rate_slower": (),
    "rate_faster": (),
    "rate_slowest": (),
    "rate_fastest": (),
    "setting_not_saved": (),
    "idle_reset": (),
    "no_voice_model": ("language",),
    "speech_failed": (),
}

# [say] lines that tell the listener what to say; [press] has each of them as what to press, for a
# kiosk where voice input is off in that language.
PRESS_KEYS = (
    "menu_short",
    "help_menu",
    "help_routine",
    "help_hold",
    "help_check",
    "help_topic",
    "help_article",
    "help_resume_offer",
    "paused",
    "routine_next",
    "topic_more",
    "topic_end",
    "article_resume_offer",
    "article_next",
    "section_unknown",
)

UI_KEYS = {
    "app_name": (),
    "language_name": (),
    "choose_language": (),
    "home": (),
    "relief": (),
    "why": (),
    "prevention": (),
    "bedtime": (),
    "doctor": (),
    "article": (),
    "back": (),
    "repeat": (),
    "next": (),
    "pause": (),
    "resume": (),
    "stop": (),
    "yes": (),
    "no": (),
    "speak": (),
    "listening": (),
    "mute": (),
    "unmute": (),
    "rate": (),
    "slower": (),
    "faster": (),
    "volume": (),
    "quieter": (),
    "louder": (),
    "text_size": (),
    "smaller": (),
    "larger": (),
    "text_size_level": ("n", "total"),
    "text_size_smallest": ("n", "total"),
    "text_size_largest": ("n", "total"),
    "night_colours": (),
    "day_colours": (),
    "step_of": ("n", "total"),
    "seconds_left": ("seconds",),
    "second_left": ("seconds",),  # the countdown at one second: the singular
    "help_keys": (),
    "sections": (),
    "skip_to_content": (),
    "help": (),
    "close": (),
    "too_many_visits": (),
    "start_over": (),
    "offline": (),
    "online": (),
    "visit_ended": (),
    "visit_lost": (),
    "idle_warning": (),
    "skip_to_article": (),
    # What the page's live region says when the screen changes, and the document title
    "screen_home": (),
    "screen_goodbye": (),
    "screen_routine": ("title", "n", "total"),
    "screen_paused": ("title",),
    "screen_point": ("title", "n", "total", "heading"),
    "screen_article": ("title", "n", "total", "heading"),
    "page_title": ("app", "screen"),
    # What each drawing shows (its text alternative), one per figure in FIGURES
    "figure_sit_support": (),
    "figure_leg_straight": (),
    "figure_toes_pull": (),
    "figure_calf_wall": (),
    "figure_hamstring_seated": (),
    "figure_walk": (),
    "figure_water": (),
}

FIGURES = ("sit_support", "leg_straight", "toes_pull", "calf_wall", "hamstring_seated", "walk", "water")


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a data file must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Text = Field(min_length=1)


class Step(Strict):
    id: str = Text
    kind: Literal["step", "hold", "check", "doctor"]
    say: str = Text
    show: str = Field(min_length=1, max_length=60)
    hold: int | None = Field(default=None, ge=5, le=120)
    reps: int = Field(default=1, ge=1, le=5)
    wait: bool = False  # the coach waits for "next" after this step
    figure: Literal[FIGURES] | None = None  # type: ignore[valid-type]
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _hold_only_on_hold_steps(self):
        if self.kind == "hold" and self.hold is None:
            raise ValueError("a hold step needs `hold` seconds")
        if self.kind != "hold" and self.hold is not None:
            raise ValueError("only hold steps have `hold` seconds")
        return self


class Routine(Strict):
    title: str = Text
    intro: str = Text
    max_repeats: int = Field(default=0, ge=0, le=5)
    steps: tuple[Step, ...] = Field(min_length=1)

    def index_of(self, step_id: str) -> int:
        return [step.id for step in self.steps].index(step_id)


class Routines(Strict):
    cramp_now: Routine
    bedtime_stretch: Routine


class TopicItem(Strict):
    id: str = Text
    title: str = Text
    summary: str = Text
    detail: str = Text
    sources: tuple[str, ...] = Field(min_length=1)


class Topic(Strict):
    title: str = Text
    summary: str = Text
    items: tuple[TopicItem, ...] = Field(min_length=1)
    disclaimer: str | None = None


class Topics(Strict):
    causes: Topic
    prevention: Topic
    see_doctor: Topic

    @field_validator("see_doctor")
    @classmethod
    def _doctor_has_disclaimer(cls, value: Topic):
        if not value.disclaimer:
            raise ValueError("see_doctor needs a `disclaimer`")
        return value


class Section(Strict):
    id: str = Text
    heading: str = Text
    names: tuple[str, ...] = Field(min_length=1)  # what a listener may call it: its number, a short name
    paragraphs: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = ()
    include_sources: bool = False


class Article(Strict):
    title: str = Text
    sections: tuple[Section, ...] = Field(min_length=1)

    def find_section(self, said: str) -> int | None:
        """The section a listener named: by number ("3", "three", "the third") or by a name or its
        heading said within their words; the longest name heard wins. None if no section fits."""
        words = _words(said)
        if not words:
            return None
        numbers = [int(w) for w in words if w.isdigit()]
        if len(numbers) == 1 and 1 <= numbers[0] <= len(self.sections):
            return numbers[0] - 1
        best, best_length = None, 0
        for index, section in enumerate(self.sections):
            for name in (*section.names, section.heading, section.id.replace("_", " ")):
                name_words = _words(name)
                if name_words and _contains(words, name_words) and len(name_words) > best_length:
                    best, best_length = index, len(name_words)
        return best


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


class Prompts(Strict):
    say: dict[str, str]
    press: dict[str, str]
    ui: dict[str, str]


class Phrasings(Strict):
    """How people say it beyond the sample phrases, and what is not for us: the kiosk matcher's training data."""

    out_of_scope: tuple[str, ...] = Field(min_length=1)
    intents: dict[str, tuple[str, ...]]


class Source(Strict):
    """One entry of sources.toml: where a fact comes from, and what that source states."""

    authors: str | None = None
    title: str = Text
    publisher: str = Text
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str = Field(default="", pattern=r"^(https://\S+)?$")
    states: tuple[str, ...] = Field(min_length=1)

    @property
    def citation(self) -> str:
        """The reference as one line: authors (year). Title. Publisher. URL."""
        who = self.authors or self.publisher
        when = f" ({self.year})" if self.year else ""
        where = "" if who == self.publisher else f" {self.publisher}."
        link = f" {self.url}" if self.url else ""
        return f"{who}{when}. {self.title}.{where}{link}".replace("?.", "?")


class Language(Strict):
    """Everything one language says, as one object."""

    code: str
    routines: Routines
    topics: Topics
    article: Article
    say: dict[str, str]
    press: dict[str, str]  # the [say] lines that tell what to say, as what to press: for a kiosk without voice input
    ui: dict[str, str]
    utterances: dict[str, tuple[str, ...]]
    phrasings: Phrasings

    def routine(self, name: str) -> Routine:
        return getattr(self.routines, name)

    def topic(self, name: str) -> Topic:
        return getattr(self.topics, name)

    def counts(self) -> dict[str, int]:
        """How much there is of each kind of content (what /health reports)."""
        return {
            "cramp_now_steps": len(self.routines.cramp_now.steps),
            "bedtime_stretch_steps": len(self.routines.bedtime_stretch.steps),
            "causes": len(self.topics.causes.items),
            "prevention": len(self.topics.prevention.items),
            "see_doctor": len(self.topics.see_doctor.items),
            "article_sections": len(self.article.sections),
            "utterances": sum(map(len, self.utterances.values())),
        }

    def phrases(self) -> list[str]:
        """Every phrase we know, samples and phrasings, out-of-scope talk included: what a
        recognizer's grammar is built from, so talk nearby is heard as itself, not as a command."""
        known = [*self.utterances.values(), *self.phrasings.intents.values(), self.phrasings.out_of_scope]
        return [phrase for phrases in known for phrase in phrases]


class Library(Strict):
    """All languages and the shared sources."""

    languages: dict[str, Language]
    sources: dict[str, Source]

    def __getitem__(self, code: str) -> Language:
        return self.languages[code]
