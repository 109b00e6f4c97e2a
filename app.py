"""Composes the Cramp Coach Flask app: content, the Alexa endpoint and the kiosk."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider

from content import ContentError, load_library
from content.loader import CONTENT_DIR
from coach.engine import Engine
from kiosk.prerender import speech_items
from kiosk.voices import open_speaker
from kiosk.web import create_blueprint as kiosk_blueprint
from skill.persistence import StorageUnavailable
from skill.web import create_blueprint as alexa_blueprint
from speech.tts import SpeechUnavailable, close_renderer
from speech.tts import check_available as check_speech

ROOT = Path(__file__).resolve().parent
log = logging.getLogger("crampcoach")

# Every setting, its default, and how an environment variable of the same name is read.
DEFAULTS = {
    "DATA_DIR": str(ROOT / "data"),
    "CONTENT_DIR": str(CONTENT_DIR),
    "MAX_CONTENT_LENGTH": 64 * 1024,   # larger bodies get 413
    "ALEXA_VERIFY": True,              # only ALEXA_VERIFY=0 turns request verification off
    "ALEXA_SKILL_ID": "",              # when set, requests for other skills are rejected
    "ALEXA_TIMEZONE_LOOKUP": True,     # ask Alexa for the device's time zone (night mode)
    "PERSISTENCE": "sqlite",           # or "dynamodb" for several instances
    "DYNAMODB_TABLE": "cramp-coach",
    "DYNAMODB_ENDPOINT": "",
    "AWS_REGION": "eu-west-1",
    "KIOSK_LANG": "en",                # the kiosk page opens in this language
    "KIOSK_IDLE_SECONDS": 120,         # a visit is forgotten after this long without input
    "KIOSK_VISITS_PER_MINUTE": 30,     # new visits one client address may start in a minute
    "VOSK_MODEL_PATH": "",             # a Vosk model folder for every language...
    "VOSK_MODEL_EN": "",               # ...or one per language
    "VOSK_MODEL_NB": "",
    "VOSK_MODEL_DA": "",
    "VOSK_DOWNLOAD": False,            # let vosk download a model by language when online
}


def _flag(value: str) -> bool:
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


_CONVERT = {"MAX_CONTENT_LENGTH": int, "ALEXA_VERIFY": _flag, "ALEXA_TIMEZONE_LOOKUP": _flag,
            "KIOSK_IDLE_SECONDS": float, "KIOSK_VISITS_PER_MINUTE": int, "VOSK_DOWNLOAD": _flag}


def settings_from_env(environ=os.environ) -> dict:
    return {key: _CONVERT.get(key, str)(environ[key]) for key in DEFAULTS if key in environ}


SECURITY_HEADERS = {
    # Only this machine's own assets; audio clips and recordings stay on the page.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
    "Cache-Control": "no-store",
}


class BoundedJSON(DefaultJSONProvider):
    """JSON nested too deeply for the parser is bad input (a 400), not a RecursionError (a 500)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON is nested too deeply") from error


def check_data_dir(folder: Path) -> None:
    """Raise StorageUnavailable, in one line with the fix, unless `folder` can be made and written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise StorageUnavailable(f"cannot write to DATA_DIR {folder} ({error.strerror or error}): make it "
                                 f"writable for this user, or set DATA_DIR to a folder that is") from error


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides the environment, which overrides the defaults."""
    app = Flask(__name__)
    app.json = BoundedJSON(app)
    app.config.update(DEFAULTS)
    app.config.update(settings_from_env())
    app.config.update(config or {})
    check_data_dir(Path(app.config["DATA_DIR"]))

    library = load_library(Path(app.config["CONTENT_DIR"]))
    engine = Engine(library)
    app.extensions["content"] = library
    app.extensions["engine"] = engine
    app.register_blueprint(alexa_blueprint(engine, app.config))
    speaker, speech_problem = open_speaker(Path(app.config["DATA_DIR"]) / "speech")
    app.extensions["speaker"] = speaker
    app.register_blueprint(kiosk_blueprint(engine, library, app.config, speaker, speech_problem))

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            if name == "Cache-Control" and response.mimetype.startswith("audio/"):
                continue  # rendered speech is content-addressed and may be cached
            response.headers.setdefault(name, value)
        return response

    @app.get("/health")
    def health():
        languages = {
            code: {
                "cramp_now_steps": len(lang.routines.cramp_now.steps),
                "bedtime_stretch_steps": len(lang.routines.bedtime_stretch.steps),
                "causes": len(lang.topics.causes.items),
                "prevention": len(lang.topics.prevention.items),
                "see_doctor": len(lang.topics.see_doctor.items),
                "article_sections": len(lang.article.sections),
                "utterances": sum(map(len, lang.utterances.values())),
            }
            for code, lang in library.languages.items()
        }
        return jsonify(status="ok", languages=languages, sources=len(library.sources))

    return app


def _warm_speech(worker) -> None:
    """Start the worker's own speech render process in the background, so its first new clip is quick."""
    if worker.wsgi.extensions.get("speaker") is not None:
        threading.Thread(target=_check_speech_quietly, daemon=True).start()


def _check_speech_quietly() -> None:
    try:
        check_speech()
    except SpeechUnavailable as error:
        log.warning("speech output may fail: %s", error)


def serve(app: Flask, host: str, port: int) -> None:
    """Serve with gunicorn: one process (kiosk sessions live in memory), several threads."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 8)
            self.cfg.set("accesslog", None)
            self.cfg.set("post_worker_init", _warm_speech)

        def load(self):
            return app

    Server().run()


def main(config: dict | None = None) -> int:
    """What `make run` runs: build the app, pre-render speech, then serve it with gunicorn.

    `config` overrides settings as in create_app (the end-to-end tests pass a local test CA).
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080"))
    try:
        app = create_app(config)
    except (ContentError, StorageUnavailable) as error:
        print(f"Cramp Coach cannot start: {error}", file=sys.stderr)
        return 1
    speaker = app.extensions["speaker"]
    if speaker is not None and _flag(os.environ.get("PRERENDER", "1")):
        counts = speaker.prerender(speech_items(app.extensions["engine"], app.extensions["content"]))
        print(f"Speech ready: {counts.rendered} rendered, {counts.cached} from the cache, {counts.failed} failed")
    close_renderer()  # the worker starts its own after the fork
    base = f"http://{host}:{port}"
    print("Cramp Coach is serving:")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint != "static" and "<" not in rule.rule:
            print(f"  {base}{rule.rule}  ({', '.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))})")
    sys.stdout.flush()
    serve(app, host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
