"""What the engine returns, and the per-user profile it reads and updates.

Nothing here knows about Alexa, Flask or audio: each surface turns a Reply into its own medium.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import ClassVar, Literal

RATE_MIN, RATE_MAX, RATE_STEP = 0.6, 1.4, 0.1
NIGHT_RATE = 0.9  # night mode speaks a little slower, on top of the user's own rate


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Pause:
    seconds: float


Segment = Say | Pause


@dataclass(frozen=True)
class Cue:
    """Words said during a timed hold, `at` seconds after it began, then `pause` seconds of quiet."""

    at: float
    text: str
    pause: float


@dataclass(frozen=True)
class Hold:
    """One timed hold as data: how long, which round of how many, and when each cue is said.
    Alexa's breaks, the kiosk's clips and pauses, and the kiosk's countdown all come from this."""

    seconds: int
    rep: int
    reps: int
    cues: tuple[Cue, ...]

    def segments(self) -> list[Segment]:
        """The hold as speech and pauses, for surfaces that only play sound."""
        segments: list[Segment] = []
        for cue in self.cues:
            segments.append(Say(cue.text))
            if cue.pause:
                segments.append(Pause(cue.pause))
        return segments


# What a screen shows, one type per screen. `screen` names it in the kiosk's JSON.


@dataclass(frozen=True)
class View:
    screen: ClassVar[str]

    def to_dict(self) -> dict:
        return {"screen": self.screen, **asdict(self)}


@dataclass(frozen=True)
class SameView(View):
    """The reply keeps what is on screen (help, "not understood", a rate change)."""

    screen = "same"


@dataclass(frozen=True)
class HomeView(View):
    screen = "home"
    question: Literal["cramp_now"] | None = None


@dataclass(frozen=True)
class GoodbyeView(View):
    screen = "goodbye"


@dataclass(frozen=True)
class StepView:
    id: str
    kind: str
    show: str  # the short line on screen
    say: str  # everything the step says, for the screen to show in full (the doctor advice)
    figure: str | None


@dataclass(frozen=True)
class RoutineView(View):
    """The part of a routine being said: its steps, numbered from `index` out of `total`."""

    screen = "routine"
    routine: str
    title: str
    intro: str
    index: int
    total: int
    steps: tuple[StepView, ...]
    question: Literal["easing"] | None
    done: bool


@dataclass(frozen=True)
class PausedView(View):
    screen = "routine"
    routine: str
    title: str
    paused: Literal[True] = field(default=True, init=False)


@dataclass(frozen=True)
class TopicView(View):
    """A topic's summary (`item` -1) or one of its items."""

    screen = "topic"
    topic: str
    title: str
    item: int
    items: tuple[str, ...]
    heading: str
    body: tuple[str, ...]


@dataclass(frozen=True)
class ArticleView(View):
    screen = "article"
    title: str
    section: int
    sections: tuple[str, ...]
    heading: str
    paragraphs: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ResumeOfferView(View):
    """Asks whether to go on reading the article at the bookmarked section."""

    screen = "article"
    section: int
    sections: tuple[str, ...]
    heading: str
    question: Literal["resume"] = field(default="resume", init=False)


@dataclass(frozen=True)
class Profile:
    """What is remembered per user: nothing else is stored."""

    rate: float = 1.0
    disclaimer_heard: bool = False
    bookmark: str | None = None  # article section id

    @classmethod
    def from_dict(cls, data) -> Profile:
        """Tolerates missing or malformed stored data: anything odd falls back to the default."""
        data = data if isinstance(data, dict) else {}
        rate = data.get("rate")
        rate = float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else 1.0
        rate = min(RATE_MAX, max(RATE_MIN, rate)) if rate == rate else 1.0  # NaN → default
        bookmark = data.get("bookmark")
        return cls(
            rate=round(rate, 2),
            disclaimer_heard=data.get("disclaimer_heard") is True,
            bookmark=bookmark if isinstance(bookmark, str) and bookmark else None,
        )

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def with_(self, **changes) -> Profile:
        return replace(self, **changes)


@dataclass(frozen=True)
class Settings:
    lang: str
    profile: Profile = field(default_factory=Profile)
    night: bool = False
    screen: bool = False  # the surface has buttons and keys (the kiosk), not only a voice
    voice: bool = True  # the listener can give commands by voice; if not, prompts say what to press


@dataclass
class Reply:
    segments: list[Segment]  # all that is said and the quiet between, in order, holds written out
    display: str
    reprompt: str | None
    end: bool
    state: dict
    profile: Profile
    view: View
    night: bool = False
    holds: tuple[Hold, ...] = ()  # the timed holds among the segments, in order, as data

    @property
    def rate(self) -> float:
        return round(self.profile.rate * (NIGHT_RATE if self.night else 1.0), 2)

    @property
    def text(self) -> str:
        """The spoken words as plain text, pauses left out."""
        return " ".join(s.text for s in self.segments if isinstance(s, Say))

    def spoken(self) -> list[str]:
        return [s.text for s in self.segments if isinstance(s, Say)]

    def parts(self) -> list[Segment | Hold]:
        """The segments with each hold's own run of cues and pauses given as its Hold, for surfaces
        that time or show a hold. `segments` stays the flat list that voice-only playback reads and
        that a surface may add to (Alexa says when a setting could not be saved)."""
        parts: list[Segment | Hold] = []
        holds, index = list(self.holds), 0
        while index < len(self.segments):
            run = holds[0].segments() if holds else []
            if run and self.segments[index : index + len(run)] == run:
                parts.append(holds.pop(0))
                index += len(run)
            else:
                parts.append(self.segments[index])
                index += 1
        assert not holds, "a hold's segments are missing from the reply"
        return parts
