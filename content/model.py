"""Typed content objects. Pydantic validates every file as it is loaded."""

from __future__ import annotations

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
)

SAY_KEYS = {
    "welcome": (),
    "disclaimer": (),
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
    "nothing_paused": (),
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
    "article_resume_offer": ("heading",),
    "article_next": (),
    "article_end": (),
    "article_first": (),
    "sources_intro": (),
    "rate_slower": (),
    "rate_faster": (),
    "rate_slowest": (),
    "rate_fastest": (),
    "setting_not_saved": (),
    "idle_reset": (),
    "no_voice_model": ("language",),
    "speech_failed": (),
}

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
    "step_of": ("n", "total"),
    "seconds_left": ("seconds",),
    "help_keys": (),
    "sections": (),
    "skip_to_content": (),
    "help": (),
    "close": (),
    "too_many_visits": (),
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
    paragraphs: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = ()
    include_sources: bool = False


class Article(Strict):
    title: str = Text
    sections: tuple[Section, ...] = Field(min_length=1)


class Prompts(Strict):
    say: dict[str, str]
    ui: dict[str, str]


class Phrasings(Strict):
    """How people say it beyond the sample phrases, and what is not for us: the kiosk matcher's training data."""

    out_of_scope: tuple[str, ...] = Field(min_length=1)
    intents: dict[str, tuple[str, ...]]


class Source(Strict):
    citation: str = Text


class Language(Strict):
    """Everything one language says, as one object."""

    code: str
    routines: Routines
    topics: Topics
    article: Article
    say: dict[str, str]
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
