"""Where a conversation is. Plain data, so it fits in Alexa session attributes or kiosk memory."""

from __future__ import annotations

from dataclasses import dataclass, replace

from content import Language

MODES = ("ask", "menu", "routine", "topic", "article", "resume_offer")
ROUTINES = ("cramp_now", "bedtime_stretch")
TOPICS = ("causes", "prevention", "see_doctor")
MAX_MISSES = 2  # after this many "not understood" in a row, point to another way


@dataclass(frozen=True)
class State:
    mode: str = "menu"
    routine: str = "cramp_now"
    step: int = 0  # first step of the part of the routine now being said
    repeats: int = 0  # how often the stretch was repeated because the cramp did not ease
    paused: bool = False
    topic: str = "causes"
    item: int = -1  # -1 is the topic's summary
    section: int = 0
    misses: int = 0  # "not understood" answers in a row
    symptoms: bool = False  # symptom content was said: a routine, a topic or the article
    doctor: bool = False  # since then, when to contact a doctor was said too

    def fresh(self, **fields) -> State:
        """A new place in the conversation that keeps what was said about symptoms and the doctor."""
        return State(symptoms=self.symptoms, doctor=self.doctor, **fields)

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def with_(self, **changes) -> State:
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, data, lang: Language) -> State:
        """Reads state that came back from a client; anything out of range gives a fresh menu state."""
        if not isinstance(data, dict):
            return cls()
        try:
            state = cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})
        except TypeError:
            return cls()
        return state if _valid(state, lang) else cls()


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid(state: State, lang: Language) -> bool:
    if state.mode not in MODES or state.routine not in ROUTINES or state.topic not in TOPICS:
        return False
    if not all(_int(v) for v in (state.step, state.repeats, state.item, state.section, state.misses)):
        return False
    if not all(isinstance(v, bool) for v in (state.paused, state.symptoms, state.doctor)):
        return False
    routine = lang.routine(state.routine)
    topic = lang.topic(state.topic)
    return (
        0 <= state.step < len(routine.steps)
        and 0 <= state.repeats <= routine.max_repeats
        and -1 <= state.item < len(topic.items)
        and 0 <= state.section < len(lang.article.sections)
        and 0 <= state.misses <= MAX_MISSES
    )
