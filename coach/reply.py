"""What the engine returns, and the per-user profile it reads and updates.

Nothing here knows about Alexa, Flask or audio: each surface turns a Reply into its own medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
class Profile:
    """What is remembered per user: nothing else is stored."""

    rate: float = 1.0
    disclaimer_heard: bool = False
    bookmark: str | None = None  # article section id

    @classmethod
    def from_dict(cls, data) -> "Profile":
        """Tolerates missing or malformed stored data: anything odd falls back to the default."""
        data = data if isinstance(data, dict) else {}
        rate = data.get("rate")
        rate = float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else 1.0
        rate = min(RATE_MAX, max(RATE_MIN, rate)) if rate == rate else 1.0  # NaN → default
        bookmark = data.get("bookmark")
        return cls(rate=round(rate, 2), disclaimer_heard=data.get("disclaimer_heard") is True,
                   bookmark=bookmark if isinstance(bookmark, str) and bookmark else None)

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def with_(self, **changes) -> "Profile":
        return replace(self, **changes)


@dataclass(frozen=True)
class Settings:
    lang: str
    profile: Profile = field(default_factory=Profile)
    night: bool = False
    screen: bool = False  # the surface has buttons and keys (the kiosk), not only a voice


@dataclass
class Reply:
    segments: list[Segment]
    display: str
    reprompt: str | None
    end: bool
    state: dict
    profile: Profile
    view: dict
    night: bool = False

    @property
    def rate(self) -> float:
        return round(self.profile.rate * (NIGHT_RATE if self.night else 1.0), 2)

    @property
    def text(self) -> str:
        """The spoken words as plain text, pauses left out."""
        return " ".join(s.text for s in self.segments if isinstance(s, Say))

    def spoken(self) -> list[str]:
        return [s.text for s in self.segments if isinstance(s, Say)]
