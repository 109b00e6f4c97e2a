"""One kiosk visit: the engine's state and profile for one person, forgotten when they leave.

The voice loop, text mode and the web page all hold a KioskSession; nothing about a visit is
written to disk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from skill.engine import Engine
from skill.reply import Profile, Reply, Say, Settings

from .matcher import IntentMatcher, Match


@dataclass
class KioskSession:
    engine: Engine
    lang: str
    matcher: IntentMatcher
    idle_seconds: float = 120.0
    screen: bool = True  # buttons and keys to point to when speech is not understood (not in voice mode)
    clock: callable = time.monotonic
    state: dict | None = None
    profile: Profile = field(default_factory=Profile)
    last_active: float = 0.0

    def _settings(self) -> Settings:
        return Settings(self.lang, self.profile, night=False, screen=self.screen)

    def _keep(self, reply: Reply) -> Reply:
        self.state, self.profile = reply.state, reply.profile
        self.last_active = self.clock()
        if reply.end:
            self.forget()
        return reply

    def start(self, idle: bool = False) -> Reply:
        """A new visit. After an idle timeout the welcome first says the screen was reset."""
        self.forget()
        reply = self.engine.launch(self._settings())
        if idle:
            reply.segments.insert(0, Say(self.engine.language(self.lang).say["idle_reset"]))
        return self._keep(reply)

    def intent(self, name: str) -> Reply:
        if self.state is None:
            self.start()
        return self._keep(self.engine.handle(self.state, name, self._settings()))

    def utter(self, text: str) -> tuple[Match, Reply]:
        match = self.matcher.match(text)
        return match, self.intent(match.intent)

    def idle(self) -> bool:
        return self.state is not None and self.clock() - self.last_active >= self.idle_seconds

    def forget(self) -> None:
        """Back to a new visit: the next person starts fresh (the speech rate resets too)."""
        self.state, self.profile = None, Profile()
