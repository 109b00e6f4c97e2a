"""`python -m bench`: run every benchmark, print one Markdown table, write bench/out/latest.json."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

from . import alexa_load, speech, understanding

OUT = Path(__file__).resolve().parent / "out" / "latest.json"

GOALS = {"tts_cache_hit_ms": ("<=", 5), "voice_reply_latency_ms": ("<=", 150),
         "alexa_throughput_ratio": (">=", 0.5), "alexa_p99_ms_1": ("<=", 10),
         **{f"understood_{code}": (">=", 0.95) for code in ("en", "nb", "da")},
         **{f"false_accepts_{code}": ("<=", 0.05) for code in ("en", "nb", "da")},
         **{f"matcher_ms_{code}": ("<=", 1) for code in ("en", "nb", "da")}}
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
    "alexa_throughput_ratio": "POST /alexa ÷ bare Flask JSON route, requests/s, 32 clients, gunicorn -w 2 gthread, verification on",
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
    **{f"understood_{code}": f"{code}: in-scope phrases of the blind test split given their intent" for code in ("en", "nb", "da")},
    **{f"false_accepts_{code}": f"{code}: out-of-scope phrases of the blind test split taken as a command" for code in ("en", "nb", "da")},
    **{f"matcher_ms_{code}": f"{code}: intent matcher time per phrase (mean over the test split)" for code in ("en", "nb", "da")},
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
        what = NOTES.get(name, "seconds to pre-render all speech for one language" if name.startswith("prerender_") else "")
        rows.append(f"| {name} | {value} | {goal} | {what} |")
    return "\n".join(rows)


def main() -> int:
    figures = {}
    for section in (understanding.run, speech.run, alexa_load.run):
        figures |= section()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"machine": platform.platform(), "python": sys.version.split()[0],
                               "figures": figures}, indent=2) + "\n")
    print(table(figures))
    print(f"\n(written to {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
