"""The web kiosk: the page, and a small JSON API over the same engine. No conversation logic in JS."""

from __future__ import annotations

import io
import json
import math
import re
import secrets
import threading
import time
import wave
from collections import deque
from datetime import datetime

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, url_for

from coach.engine import Engine
from coach.night import NIGHT_END, NIGHT_START, is_night
from coach.reply import Pause, Profile, Reply, SameView, Say
from coach.visit import Visit
from content import INTENTS, Library
from settings import Settings
from speech.asr import SAMPLE_RATE, build_grammar, transcribe
from speech.audio import BadRecording, read_upload, resample
from speech.tts import Speaker, SpeechUnavailable

from .matcher import IntentMatcher
from .prerender import STATUS_LINES
from .voices import ClipIndex, open_recognizers, timeline

MAX_SESSIONS = 4096  # a visit is a few kB; 30 a minute per address fill this only from many addresses
MAX_TEXT = 200
MAX_RECORDING = 44 + 10 * 48000 * 2  # ten seconds of 48 kHz mono 16-bit WAV
CLIP_KEY = re.compile(r"^[0-9a-f]{64}$")
# A clip not rendered yet is estimated at half a second (the quiet around a clip) plus 2.5 words a
# second at rate 1; espeak-ng's clips here fit 0.44 s plus 3 words a second. An estimate that errs
# long only keeps a visit a little longer.
CLIP_QUIET, WORDS_PER_SECOND = 0.5, 2.5


class KioskFull(Exception):
    """Every place for a visit is taken by someone active."""


class SessionStore:
    """Kiosk visits in memory only. Idle and ended ones make room; an active one is never pushed out."""

    def __init__(self, make):
        self.make = make
        self._sessions: dict[str, Visit] = {}
        self._lock = threading.Lock()

    def new(self, lang: str, **options) -> tuple[str, Visit]:
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                for key in [k for k, s in self._sessions.items() if s.idle() or s.state is None]:
                    del self._sessions[key]
            if len(self._sessions) >= MAX_SESSIONS:
                raise KioskFull()
            key = secrets.token_urlsafe(16)
            session = self._sessions[key] = self.make(lang, **options)
            return key, session

    def get(self, key) -> Visit | None:
        with self._lock:
            session = self._sessions.get(key) if isinstance(key, str) else None
            if session is not None and session.idle():
                del self._sessions[key]
                return None
            return session

    def drop(self, key) -> None:
        with self._lock:
            self._sessions.pop(key, None)


class VisitLimiter:
    """At most `per_minute` new visits per client address in any 60 s, in bounded memory."""

    def __init__(self, per_minute: int, clock=time.monotonic, max_clients: int = 4096):
        self.per_minute, self.clock, self.max_clients = per_minute, clock, max_clients
        self._starts: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self.clock()
        with self._lock:
            starts = self._starts.pop(client, None) or deque()
            while starts and now - starts[0] >= 60:
                starts.popleft()
            allowed = len(starts) < self.per_minute
            if allowed:
                starts.append(now)
            self._starts[client] = starts  # re-inserted: the dict stays in order of last use
            while len(self._starts) > self.max_clients:
                self._starts.pop(next(iter(self._starts)))
            return allowed


def said_seconds(text: str, lang: str, rate: float, speaker: Speaker | None) -> float:
    """How long the page takes to say `text`: its clip's length, estimated from its words when the
    clip is not rendered yet. Without a speaker the page says nothing: no time."""
    if speaker is None:
        return 0.0
    try:
        with wave.open(str(speaker.path_for(text, lang, rate)), "rb") as clip:
            return clip.getnframes() / clip.getframerate()
    except (OSError, EOFError, wave.Error, ValueError, SpeechUnavailable):
        return CLIP_QUIET + len(text.split()) / (WORDS_PER_SECOND * rate)


def playing_seconds(reply: Reply, lang: str, speaker: Speaker | None) -> float:
    """How long the page takes to play a reply: its clips and pauses, holds written out. The page
    fetches clips ahead, so their loading adds little."""
    return sum(
        part.seconds if isinstance(part, Pause) else said_seconds(part.text, lang, reply.rate, speaker)
        for part in reply.segments
    )


def page_timescale(value: str | None) -> float:
    """The page's ?timescale= (README, The kiosk), sent as a header when a visit starts: the page
    plays every reply in that share of its time. Anything outside 0 to 1 is real time."""
    try:
        scale = float(value or 1)
    except ValueError:
        return 1.0
    return scale if math.isfinite(scale) and 0 < scale <= 1 else 1.0


def spoken(text: str, profile: Profile) -> Reply:
    """A kiosk label as a reply that only says it."""
    return Reply(
        segments=[Say(text)], display=text, reprompt=None, end=False, state={}, profile=profile, view=SameView()
    )


def _json_body(*fields: tuple[str, type]) -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "the body must be a JSON object")
    for name, kind in fields:
        if not isinstance(data.get(name), kind):
            abort(400, f"'{name}' is missing or of the wrong type")
    return data


def create_blueprint(
    engine: Engine, library: Library, settings: Settings, speaker, speech_problem: str | None
) -> Blueprint:
    blueprint = Blueprint(
        "kiosk", __name__, template_folder="templates", static_folder="static", static_url_path="/kiosk/static"
    )
    languages = tuple(library.languages)
    default_lang = settings.KIOSK_LANG if settings.KIOSK_LANG in languages else languages[0]
    idle_seconds = settings.KIOSK_IDLE_SECONDS
    limiter = VisitLimiter(settings.KIOSK_VISITS_PER_MINUTE)
    matchers = {code: IntentMatcher.for_language(lang) for code, lang in library.languages.items()}
    models = open_recognizers(settings, languages)
    grammars = {code: build_grammar(library[code].phrases(), model) for code, model in models.items()}
    clips = ClipIndex()

    def make_visit(lang: str, timescale: float = 1.0) -> Visit:
        """A visit whose idle time counts from the end of each reply as the page plays it."""

        def playing(reply: Reply) -> float:
            return timescale * playing_seconds(reply, lang, speaker)

        return Visit(engine, lang, matchers[lang], idle_seconds, playing=playing, voice=lang in models)

    store = SessionStore(make_visit)

    def answer(key: str, session: Visit, reply, match=None):
        body = {
            "session": key,
            "lang": session.lang,
            "text": reply.text,
            "display": reply.display,
            "view": reply.view.to_dict(),
            "reprompt": reply.reprompt,
            "end": reply.end,
            "rate": reply.rate,
            "timeline": timeline(reply, session.lang, speaker, clips),
            "turn": session.turn,
        }
        if match is not None:
            body["heard"], body["intent"], body["confidence"] = match.heard, match.intent, match.confidence
        if reply.end:
            store.drop(key)
        return jsonify(body)

    def session_from(data) -> tuple[str, Visit]:
        """The visit a request is for. With `turn`, the request answers that reply of the visit: one
        that answers an earlier reply (its answer was lost on the way) is refused, not misapplied."""
        turn = data.get("turn")
        if turn is not None and (not isinstance(turn, int) or isinstance(turn, bool)):
            abort(400, "'turn' must be a whole number")
        session = store.get(data.get("session"))
        if session is None:
            abort(409, "this visit has ended; start again")
        if turn is not None and turn != session.turn:
            abort(409, "this press answers an earlier reply; start again")
        return data["session"], session

    @blueprint.get("/")
    def root():
        return redirect(url_for("kiosk.page"))

    @blueprint.get("/kiosk")
    def page():
        labels = {code: lang.ui for code, lang in library.languages.items()}
        status_clips = {
            code: {
                key: timeline(spoken(lang.ui[key], Profile()), code, speaker, clips)[0]["clip"] for key in STATUS_LINES
            }
            for code, lang in library.languages.items()
        }
        # The clinic's colours (KIOSK_THEME). "auto" is decided here by the server's clock, so that the
        # page opens in them; the page keeps them up to date by its own clock, with the same hours.
        theme = settings.KIOSK_THEME
        night = theme == "night" or (theme == "auto" and is_night(datetime.now()))
        return render_template(
            "kiosk.html",
            lang=default_lang,
            ui=library[default_lang].ui,
            labels=json.dumps(labels, ensure_ascii=False),
            status_clips=json.dumps(status_clips),
            languages=languages,
            voice_input=sorted(models),
            idle_seconds=idle_seconds,
            speech_output=speaker is not None,
            theme=theme,
            theme_now="night" if night else "day",
            night_hours=f"{NIGHT_START} {NIGHT_END}",
        )

    @blueprint.post("/api/kiosk/start")
    def start():
        data = _json_body(("lang", str))
        if data["lang"] not in languages:
            abort(400, "unknown language")
        if not limiter.allow(request.remote_addr or ""):
            return jsonify(error=library[data["lang"]].ui["too_many_visits"]), 429
        try:
            key, session = store.new(data["lang"], timescale=page_timescale(request.headers.get("X-Kiosk-Timescale")))
        except KioskFull:
            return jsonify(error=library[data["lang"]].ui["too_many_visits"]), 429
        reply = session.start(idle=data.get("reason") == "idle")
        return answer(key, session, reply)

    @blueprint.post("/api/kiosk/intent")
    def intent():
        data = _json_body(("session", str), ("intent", str))
        if data["intent"] not in INTENTS:
            abort(400, "unknown intent")
        section = data.get("section")  # a section button: which section
        if section is not None and (not isinstance(section, str) or len(section) > 100):
            abort(400, "section must be a short text")
        key, session = session_from(data)
        return answer(key, session, session.intent(data["intent"], section=section))

    @blueprint.post("/api/kiosk/say")
    def say():
        data = _json_body(("session", str), ("text", str))
        if len(data["text"]) > MAX_TEXT:
            abort(400, f"text is longer than {MAX_TEXT} characters")
        key, session = session_from(data)
        match, reply = session.utter(data["text"])
        return answer(key, session, reply, match)

    @blueprint.post("/api/listen")
    def listen():
        key, session = session_from(
            {"session": request.args.get("session"), "turn": request.args.get("turn", type=int)}
        )
        model = models.get(session.lang)
        if model is None:
            abort(404, "voice input is not available for this language")
        request.max_content_length = MAX_RECORDING
        try:
            pcm, rate = read_upload(io.BytesIO(request.get_data(cache=False)))
        except BadRecording as error:
            abort(400, str(error))
        texts = transcribe(model, resample(pcm, rate, SAMPLE_RATE), grammars.get(session.lang))
        match, reply = session.utter(" ".join(texts))  # the audio itself is never stored
        return answer(key, session, reply, match)

    @blueprint.post("/api/kiosk/label")
    def speak_label():
        """A kiosk label (such as the key help) as speech in the visit's language and rate."""
        data = _json_body(("session", str), ("key", str))
        key, session = session_from(data)
        text = library[session.lang].ui.get(data["key"])
        if text is None:
            abort(400, "unknown label")
        reply = spoken(text, session.profile)
        session.touch(reply)  # the visitor asked for it: they are here, and listening
        return jsonify(timeline=timeline(reply, session.lang, speaker, clips), text=text)

    @blueprint.post("/api/kiosk/touch")
    def touch():
        """The visitor is still here (they answered the page's "ends soon" notice, or the page is
        back after the server was away): the idle time starts again. 409 when the visit is gone."""
        key, session = session_from(_json_body(("session", str)))
        session.touch()
        return jsonify(session=key, turn=session.turn)

    @blueprint.get("/api/kiosk/audio/<key>.wav")
    def audio(key: str):
        item = clips.get(key) if CLIP_KEY.match(key) else None
        if item is None or speaker is None:
            abort(404)
        try:
            path = speaker.render(*item)
        except Exception:  # a failed synthesis leaves the text on screen; the page plays nothing
            abort(503, "speech could not be rendered")
        return send_file(path, mimetype="audio/wav", max_age=86400)

    @blueprint.get("/api/kiosk/status")
    def status():
        return jsonify(
            languages=languages,
            voice_input=sorted(models),
            speech_output=speaker is not None,
            speech_problem=speech_problem,
            idle_seconds=idle_seconds,
        )

    return blueprint
