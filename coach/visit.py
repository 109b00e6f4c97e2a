"""One visit to a kiosk: the conversation's state and profile for one person, forgotten when they
leave or after the idle time. Used by the web page, the voice loop and text mode alike; nothing of
a visit is written to disk."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .engine import Engine
from .reply import Profile, Reply, Settings

NOT_UNDERSTOOD = "AMAZON.FallbackIntent"
HOLD_INTERRUPTS = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.PauseIntent"})  # heard mid-hold


class Heard(Protocol):
    """What the words were taken for."""

    @property
    def intent(self) -> str: ...

    @property
    def confidence(self) -> float: ...


class Understanding(Protocol):
    """What turns words into an intent (the kiosk's matcher); the core only asks it."""

    def match(self, text: str) -> Heard: ...


@dataclass
class Visit:
    """The idle time counts from when the last reply has been played, not from when it was asked
    for: a reply with a timed hold plays for most of a minute, and the visitor is listening."""

    engine: Engine
    lang: str
    matcher: Understanding | None = None
    idle_seconds: float = 120.0
    screen: bool = True  # buttons and keys to point to when speech is not understood (not in voice mode)
    voice: bool = True  # voice input works here; if not, prompts say what to press
    clock: Callable[[], float] = time.monotonic
    playing: Callable[[Reply], float] | None = None  # seconds a reply takes to play; None: no time
    state: dict | None = None
    profile: Profile = field(default_factory=Profile)
    quiet_from: float = 0.0  # when the last reply has been played (may be ahead of the clock)
    turn: int = 0  # replies given so far: a surface can check that a press answers the latest one

    def _settings(self) -> Settings:
        return Settings(self.lang, self.profile, night=False, screen=self.screen, voice=self.voice)

    def _keep(self, reply: Reply) -> Reply:
        self.state, self.profile = reply.state, reply.profile
        self.turn += 1
        self.touch(reply)
        if reply.end:
            self.forget()
        return reply

    def touch(self, reply: Reply | None = None) -> None:
        """The visitor is still here: the idle time starts again, once `reply` (if any) has been played."""
        playing = self.playing(reply) if reply is not None and self.playing is not None else 0.0
        self.quiet_from = self.clock() + playing

    def start(self, idle: bool = False) -> Reply:
        """A new visit. After an idle timeout the welcome first says the screen was reset."""
        self.forget()
        return self._keep(self.engine.launch(self._settings(), after_idle=idle))

    def intent(self, name: str, section: str | None = None) -> Reply:
        """The reply to an intent (`section`: the article section named, for GoToSectionIntent). A
        new visit that begins with something not understood just gets the welcome: a passer-by's
        words are no reason to say "sorry"."""
        if self.state is None:
            welcome = self.start()
            if name == NOT_UNDERSTOOD:
                return welcome
        return self._keep(self.engine.handle(self.state, name, self._settings(), section=section))

    def utter(self, text: str) -> tuple[Heard, Reply]:
        """What the words were taken for, and the reply to that."""
        if self.matcher is None:
            raise ValueError("this visit has no matcher to understand words")
        match = self.matcher.match(text)
        return match, self.intent(match.intent, section=text)  # the words name the section, if any

    def idle(self) -> bool:
        return self.state is not None and self.clock() - self.quiet_from >= self.idle_seconds

    def forget(self) -> None:
        """Back to a new visit: the next person starts fresh (the speech rate resets too)."""
        self.state, self.profile = None, Profile()
