"""`python -m bench`: run every benchmark, print one Markdown table, write bench/out/latest.json."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

from . import alexa_load, speech, understanding, voice_end, web_sound

OUT = Path(__file__).resolve().parent / "out" / "latest.json"

GOALS = {
    "tts_cache_hit_ms": ("<=", 5),
    "voice_reply_latency_ms": ("<=", 150),
    "alexa_throughput_ratio": (">=", 0.7),
    "alexa_p99_ms_1": ("<=", 10),
    "voice_end_to_reply_ms": ("<=", 400),
    "web_first_sound_ms": ("<=", 150),
    **{f"understood_{code}": (">=", 0.95) for code in ("en", "nb", "da")},
    **{f"false_accepts_{code}": ("<=", 0.05) for code in ("en", "nb", "da")},
    **{f"matcher_ms_{code}": ("<=", 1) for code in ("en", "nb", "da")},
}
NOTES = {
    "content_load_ms": "load and validate all content (3 languages)",
    "asr_rtf_grammar": "Vosk processing ÷ audio time, Korean model, with a grammar",
    "asr_rtf_free": "the same audio, no grammar",
    "asr_grammar_speedup": "free ÷ grammar, measured side by side",
    "tts_cold_ms": "pyttsx3/espeak-ng, one sentence, not cached",
    "tts_cache_speedup": "cold ÷ cached, the same sentences",
    "tts_cache_hit_ms": "the same sentence from the disk cache",
    "voice_reply_latency_ms": "end of utterance → reply audio ready (median, cache warm)",
    "voice_reply_latency_max_ms": "the same, worst of 21",
    "alexa_throughput_ratio": "POST /alexa ÷ bare Flask JSON route, requests/s, 32 clients, "
    "gunicorn -w 2 gthread, verification on",
    "alexa_p99_ms_1": "POST /alexa p99 latency, 1 client, verification on (launch, routine step, article section mix)",
    "alexa_p50_ms_32": "POST /alexa p50 latency, 32 clients, verification on",
    "alexa_p99_ms_32": "POST /alexa p99 latency, 32 clients, verification on",
    "alexa_rps_32": "POST /alexa requests/s, 32 clients, verification on",
    "baseline_rps_32": "bare Flask JSON route requests/s, 32 clients, same server, same run",
    "alexa_throughput_ratio_noverify": "the same ratio, second gunicorn with BENCH_VERIFY=0",
    "alexa_p99_ms_1_noverify": "p99, 1 client, verification off",
    "alexa_p50_ms_1": "POST /alexa p50 latency, 1 client, verification on",
    "alexa_p50_ms_1_noverify": "p50, 1 client, verification off",
    "baseline_p99_ms_1": "bare Flask JSON route p99, 1 client, in slices alternating with the skill",
    "baseline_p99_ms_1_noverify": "the same, beside the verification-off run",
    "alexa_p50_ms_32_noverify": "p50, 32 clients, verification off",
    "alexa_p99_ms_32_noverify": "p99, 32 clients, verification off",
    "loadgen_cpu_share": "load generator CPU ÷ (wall × 2 cores) in the 32-client runs (it shares the cores)",
    **{
        f"understood_{code}": f"{code}: in-scope phrases of the blind test split given their intent"
        for code in ("en", "nb", "da")
    },
    **{
        f"false_accepts_{code}": f"{code}: out-of-scope phrases of the blind test split taken as a command"
        for code in ("en", "nb", "da")
    },
    **{
        f"matcher_ms_{code}": f"{code}: intent matcher time per phrase (mean over the test split)"
        for code in ("en", "nb", "da")
    },
    "voice_end_to_reply_ms": "last sound of a spoken word → reply audio ready, "
    "real Vosk fed 20 ms chunks in real time, median",
    "voice_end_to_reply_p95_ms": "the same, 95th percentile",
    "voice_words_right": "words recognized right in those recordings (Korean model, espeak-ng, room noise)",
    "voice_end_to_reply_ms_vosk_endpoint": "the same recordings with Vosk's own endpointing only (before)",
    "voice_end_to_reply_p95_ms_vosk_endpoint": "the same, 95th percentile (before)",
    "voice_words_right_vosk_endpoint": "words recognized right with Vosk's own endpointing only (before)",
    "web_first_sound_ms": "Chromium, click on 'I have a cramp now' → first audio playing, "
    "server as make run starts it, median",
    "web_first_sound_p95_ms": "the same, 95th percentile",
    "web_first_sound_key_ms": "the same pressed with Enter, median",
    "web_first_sound_key_p95_ms": "the same with Enter, 95th percentile",
    "web_first_sound_after_slower_ms": "after 'Slower' (clips rendered on demand), median",
    "web_first_sound_after_slower_first_ms": "after 'Slower', the slowest first press of a language",
    "serve_rss_mb": "memory of the serving worker, all three languages loaded, no Vosk model",
    "serve_rss_mb_with_vosk": "the same with one Vosk model (the Korean one) loaded",
    "cold_start_s": "app.py started → first 200 on /health, speech cache warm",
    "cold_start_empty_cache_s": "the same with an empty speech cache (everything pre-rendered first)",
    "errors": "non-200 answers or failed exchanges in all Alexa load runs (must be 0)",
}


def table(figures: dict) -> str:
    rows = ["| figure | value | goal | what |", "| --- | ---: | --- | --- |"]
    for name, value in figures.items():
        goal = ""
        if name in GOALS:
            op, limit = GOALS[name]
            met = value <= limit if op == "<=" else value >= limit
            goal = f"{op} {limit} {'✓' if met else '✗'}"
        what = NOTES.get(
            name, "seconds to pre-render all speech for one language" if name.startswith("prerender_") else ""
        )
        rows.append(f"| {name} | {value} | {goal} | {what} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--short", action="store_true", help="fewer rounds: every figure, quickly, less exact")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the JSON goes (default {OUT})")
    args = parser.parse_args(argv)
    figures = understanding.run()
    with tempfile.TemporaryDirectory(prefix="cramp-bench-") as tmp:
        figures |= speech.run()
        figures |= voice_end.run(Path(tmp), args.short)
        figures |= web_sound.run(Path(tmp), args.short)
    figures |= alexa_load.run(args.short)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"machine": platform.platform(), "python": sys.version.split()[0], "short": args.short, "figures": figures},
            indent=2,
        )
        + "\n"
    )
    print(table(figures))
    print(f"\n(written to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
