"""`python -m kiosk text|voice --lang {en,nb,da}`: the kiosk without a browser.

text   reads utterances from standard input, one a line (--jsonl for one JSON object per line)
voice  listens on the microphone (or --input FILE.wav) and speaks (or writes --output DIR)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from coach.engine import Engine
from coach.visit import Visit
from content import LANGUAGES, ContentError, load_library
from settings import Settings, SettingsError, load_settings

from .matcher import IntentMatcher


def _speaker(settings: Settings, required: bool):
    from speech.tts import Speaker, SpeechUnavailable, check_available

    try:
        check_available()
    except SpeechUnavailable as error:
        if required:
            raise
        print(f"(speech output is off: {error})", file=sys.stderr)
        return None
    return Speaker(settings.DATA_DIR / "speech")


def run_text(session: Visit, lines, out, jsonl: bool, sink=None, speaker=None) -> None:
    from .voice import VoiceLoop

    loop = VoiceLoop(session, None, speaker, sink, say=lambda _: None) if sink else None
    if not jsonl:
        reply = session.start()
        print(reply.text, file=out)
        if loop:
            loop.speak(reply, "Launch")
    for line in lines:
        heard = line.strip()
        if not heard:
            continue
        match, reply = session.utter(heard)
        if jsonl:
            print(
                json.dumps(
                    {
                        "heard": heard,
                        "intent": match.intent,
                        "confidence": match.confidence,
                        "say": reply.text,
                        "end": reply.end,
                    },
                    ensure_ascii=False,
                ),
                file=out,
                flush=True,
            )
        else:
            print(f"> {heard}  [{match.intent} {match.confidence:.2f}]\n{reply.text}", file=out, flush=True)
        if loop:
            loop.speak(reply, match.intent)


def run_voice(session: Visit, library, args, settings: Settings) -> None:
    from speech.asr import Stream, build_grammar, load_model

    from .voice import FileSink, Microphone, SpeakerSink, VoiceLoop, file_chunks

    speaker = _speaker(settings, required=True)
    model = load_model(
        args.lang,
        args.model or settings.vosk_model(args.lang) or None,
        allow_download=args.download or settings.VOSK_DOWNLOAD,
        settings=settings,
    )
    grammar = build_grammar(library[args.lang].phrases(), model)  # None for large models
    microphone = None if args.input else Microphone()
    sink = FileSink(args.output) if args.output else SpeakerSink(microphone or Microphone())
    show = print if args.verbose else (lambda _: None)  # what was heard is shown only when asked for
    loop = VoiceLoop(session, lambda: Stream(model, grammar), speaker, sink, say=show)
    print(f'Listening ({args.lang}). Say "stop" to end a hold; Ctrl+C quits.', file=sys.stderr)
    loop.run(file_chunks(args.input) if args.input else Microphone() if microphone is None else microphone)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["text", "voice"])
    parser.add_argument("--lang", choices=LANGUAGES, default="en")
    parser.add_argument("--jsonl", action="store_true", help="text mode: one JSON object per input line")
    parser.add_argument("--output", type=Path, help="write each spoken reply as a WAV file in this folder")
    parser.add_argument("--input", type=Path, help="voice mode: read this WAV file instead of the microphone")
    parser.add_argument(
        "--model", help="voice mode: a Vosk model folder (default: VOSK_MODEL_<LANG>, else VOSK_MODEL_PATH)"
    )
    parser.add_argument("--download", action="store_true", help="voice mode: let vosk download a model by language")
    parser.add_argument("--verbose", action="store_true", help="voice mode: print what was heard and said")
    parser.add_argument("--idle", type=float, help="seconds before a visit is forgotten (default: KIOSK_IDLE_SECONDS)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from speech.asr import ModelUnavailable
    from speech.tts import SpeechUnavailable

    from .voice import AudioUnavailable

    try:
        settings = load_settings()
        library = load_library(settings.CONTENT_DIR)
        idle = settings.KIOSK_IDLE_SECONDS if args.idle is None else args.idle
        session = Visit(
            Engine(library), args.lang, IntentMatcher.for_language(library[args.lang]), idle, screen=False
        )  # no buttons to point to in a terminal or by voice
        if args.mode == "text":
            speaker = _speaker(settings, required=True) if args.output else None
            sink = None
            if args.output:
                from .voice import FileSink

                sink = FileSink(args.output)
            run_text(session, sys.stdin, sys.stdout, args.jsonl, sink, speaker)
        else:
            run_voice(session, library, args, settings)
    except (ContentError, SettingsError, SpeechUnavailable, ModelUnavailable, AudioUnavailable) as error:
        print(f"The kiosk cannot start: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
