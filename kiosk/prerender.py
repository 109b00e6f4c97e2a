"""Everything the kiosk can say at the normal rate, so `make run` can render it all once."""

from __future__ import annotations

from coach.engine import Engine, part_starts
from coach.reply import Profile, Say, Settings
from content import Library

# [ui] lines the page says by itself, also while the server is away or between visits (it fetches
# their clips ahead): the status lines, and the key help.
STATUS_LINES = ("offline", "online", "visit_ended", "visit_lost", "idle_warning", "help_keys")

NAVIGATION = (
    "AMAZON.HelpIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "SlowerIntent",
    "ReadArticleIntent",
)


def _states(lang) -> list[dict]:
    states: list[dict] = [{"mode": "ask"}, {"mode": "menu"}]
    for name in ("cramp_now", "bedtime_stretch"):
        states += [{"mode": "routine", "routine": name, "step": s} for s in part_starts(lang.routine(name).steps)]
    for name in ("causes", "prevention", "see_doctor"):
        states += [{"mode": "topic", "topic": name, "item": i} for i in range(-1, len(lang.topic(name).items))]
    states += [{"mode": "article", "section": i} for i in range(len(lang.article.sections))]
    return states


def speech_items(engine: Engine, library: Library, rate: float = 1.0) -> list[tuple[str, str, float]]:
    """(text, lang, rate) for every clip a visit at this rate can play, in a stable order."""
    items: dict[tuple[str, str, float], None] = {}
    for code, lang in library.languages.items():
        replies = []
        for voice in (True, False):  # a kiosk with voice input in this language, and one without
            settings = Settings(code, Profile(rate=rate), screen=True, voice=voice)
            replies.append(engine.launch(settings, after_idle=True))
            for state in _states(lang):
                for intent in ("AMAZON.RepeatIntent", "AMAZON.NextIntent", *NAVIGATION):
                    replies.append(engine.handle(state, intent, settings))
        for reply in replies:
            for segment in reply.segments:
                if isinstance(segment, Say):
                    items[(segment.text, code, reply.rate)] = None
        for key in STATUS_LINES:  # the page fetches these ahead, to say them while the server is away
            items[(lang.ui[key], code, rate)] = None
    return list(items)
