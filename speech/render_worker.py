"""The render process: `python -m speech.render_worker`, started and fed by speech.tts.

Reads one JSON request a line on stdin and answers one JSON line on what was stdout when it
started; from then on fd 1 goes to /dev/null, because pyttsx3 prints "Audio saved to ..." there.
Requests: {"op": "check", "voices": {lang: voice}} and
{"op": "render", "text", "voice", "lang", "wpm", "path"}. Answers: {"ok": true} or
{"error": message, "unavailable": bool} (unavailable: speech cannot work here at all).
"""

from __future__ import annotations

import json
import os
import sys

from speech import espeak_engine


def answer(request: dict) -> dict:
    try:
        if request.get("op") == "check":
            missing = espeak_engine.missing_voices(request["voices"])
            if missing:
                raise espeak_engine.EngineProblem(
                    f"espeak-ng has no voice {', '.join(missing)}: {espeak_engine.INSTALL_FIX}"
                )
        elif request.get("op") == "render":
            espeak_engine.synthesize(
                request["text"], request["voice"], request["lang"], int(request["wpm"]), request["path"]
            )
        else:
            return {"error": "unknown request", "unavailable": False}
    except espeak_engine.EngineProblem as error:
        return {"error": str(error), "unavailable": True}
    except Exception as error:  # one failed clip must not end the process
        return {"error": f"{type(error).__name__}: {error}", "unavailable": False}
    return {"ok": True}


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    for line in sys.stdin:
        replies.write(json.dumps(answer(json.loads(line))) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
