"""Composes the Cramp Coach Flask app: content, the Alexa endpoint and the kiosk."""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from pathlib import Path

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider

from coach.engine import Engine
from content import ContentError, load_library
from kiosk.prerender import speech_items
from kiosk.voices import open_speaker
from kiosk.web import create_blueprint as kiosk_blueprint
from settings import Settings, SettingsError, load_settings
from skill.persistence import StorageUnavailable
from skill.web import create_blueprint as alexa_blueprint
from speech.tts import SpeechUnavailable, close_renderer
from speech.tts import check_available as check_speech

log = logging.getLogger("crampcoach")

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
        raise StorageUnavailable(
            f"cannot write to DATA_DIR {folder} ({error.strerror or error}): make it "
            f"writable for this user, or set DATA_DIR to a folder that is"
        ) from error


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides the environment, which overrides the defaults (settings.py);
    its keys that are not settings (TESTING, the tests' Alexa doubles) go into app.config as they are."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.json = BoundedJSON(app)
    app.config.update(settings.model_dump())
    app.config.update({key: value for key, value in (config or {}).items() if key not in Settings.model_fields})
    app.extensions["settings"] = settings
    check_data_dir(settings.DATA_DIR)

    library = load_library(settings.CONTENT_DIR)
    engine = Engine(library)
    app.extensions["content"] = library
    app.extensions["engine"] = engine
    app.register_blueprint(alexa_blueprint(engine, app.config))
    speaker, speech_problem = open_speaker(settings.DATA_DIR / "speech")
    app.extensions["speaker"] = speaker
    app.register_blueprint(kiosk_blueprint(engine, library, settings, speaker, speech_problem))

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            if name == "Cache-Control" and response.mimetype.startswith("audio/"):
                continue  # rendered speech is content-addressed and may be cached
            response.headers.setdefault(name, value)
        return response

    @app.get("/health")
    def health():
        languages = {code: lang.counts() for code, lang in library.languages.items()}
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
    try:
        app = create_app(config)
    except (ContentError, SettingsError, StorageUnavailable) as error:
        print(f"Cramp Coach cannot start: {error}", file=sys.stderr)
        return 1
    settings = app.extensions["settings"]
    host, port = settings.HOST, settings.PORT
    speaker = app.extensions["speaker"]
    if speaker is not None and settings.PRERENDER:
        counts = speaker.prerender(speech_items(app.extensions["engine"], app.extensions["content"]))
        print(f"Speech ready: {counts.rendered} rendered, {counts.cached} from the cache, {counts.failed} failed")
    close_renderer()  # the worker starts its own after the fork
    base = f"http://{host}:{port}"
    print("Cramp Coach is serving:")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint != "static" and "<" not in rule.rule:
            print(f"  {base}{rule.rule}  ({', '.join(sorted((rule.methods or set()) - {'HEAD', 'OPTIONS'}))})")
    sys.stdout.flush()
    serve(app, host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
