"""Speech for the kiosk: a reply as a timeline of audio clips and pauses, and the models per language."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from coach.reply import Hold, Pause, Reply
from settings import Settings
from speech.asr import ModelUnavailable, load_model
from speech.tts import Speaker, SpeechUnavailable

log = logging.getLogger(__name__)


class ClipIndex:
    """Remembers which text a clip key stands for, so audio is rendered only when asked for."""

    def __init__(self, size: int = 4096):
        self._items: OrderedDict[str, tuple[str, str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def add(self, key: str, item: tuple[str, str, float]) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, key: str) -> tuple[str, str, float] | None:
        with self._lock:
            return self._items.get(key)


def timeline(reply: Reply, lang: str, speaker: Speaker | None, clips: ClipIndex) -> list[dict]:
    """What the page plays, in order: {"say": text, "clip": key or None}, {"pause": seconds}, and
    {"hold": {"seconds", "rep", "reps", "cues": [{"at", "say", "clip", "pause"}, ...]}}, from which
    the page both plays a timed hold and shows its countdown."""

    def said(text: str) -> dict:
        key = None
        if speaker is not None:
            try:
                key = speaker.path_for(text, lang, reply.rate).stem
                clips.add(key, (text, lang, reply.rate))
            except (SpeechUnavailable, ValueError):
                key = None
        return {"say": text, "clip": key}

    items: list[dict] = []
    for part in reply.parts():
        if isinstance(part, Pause):
            items.append({"pause": part.seconds})
        elif isinstance(part, Hold):
            cues = [{"at": cue.at, **said(cue.text), "pause": cue.pause} for cue in part.cues]
            items.append({"hold": {"seconds": part.seconds, "rep": part.rep, "reps": part.reps, "cues": cues}})
        else:
            items.append(said(part.text))
    return items


def open_speaker(cache_dir: Path) -> tuple[Speaker | None, str | None]:
    """A speaker, or None and the reason (the kiosk then shows text only)."""
    try:
        from speech.tts import check_available

        check_available()
        return Speaker(cache_dir), None
    except SpeechUnavailable as error:
        log.warning("speech output is off: %s", error)
        return None, str(error)


def open_recognizers(settings: Settings, languages) -> dict[str, object]:
    """The Vosk model per language where one can be had; a missing model is logged, not fatal."""
    models = {}
    for lang in languages:
        path = settings.vosk_model(lang) or None  # else load_model looks in settings.VOSK_MODEL_PATH
        try:
            models[lang] = load_model(lang, path, allow_download=settings.VOSK_DOWNLOAD, settings=settings)
        except ModelUnavailable as error:
            log.info("voice input off for %s: %s", lang, error)
    return models
