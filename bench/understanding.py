"""The intent matcher on the blind test split: in-scope accuracy, false accepts, time per phrase."""

from __future__ import annotations

import time
from pathlib import Path

from content import load_library
from kiosk.matcher import FALLBACK, OUT_OF_SCOPE, IntentMatcher

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "understanding"
ROUNDS = 5  # passes over the phrases for the timing


def test_split(code: str) -> list[tuple[str, str]]:
    rows = [
        line.split("\t")
        for line in (DATA / f"{code}.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return [(phrase, label) for phrase, label, split in rows if split == "test"]


def run() -> dict:
    library = load_library()
    figures: dict = {}
    for code, lang in library.languages.items():
        matcher = IntentMatcher.for_language(lang)
        rows = test_split(code)
        in_scope = [(p, label) for p, label in rows if label != OUT_OF_SCOPE]
        out_of_scope = [p for p, label in rows if label == OUT_OF_SCOPE]
        right = sum(matcher.match(p).intent == label for p, label in in_scope)
        accepted = sum(matcher.match(p).intent != FALLBACK for p in out_of_scope)
        start = time.perf_counter()
        for _ in range(ROUNDS):
            for phrase, _ in rows:
                matcher.match(phrase)
        figures[f"understood_{code}"] = round(right / len(in_scope), 3)
        figures[f"false_accepts_{code}"] = round(accepted / len(out_of_scope), 3)
        figures[f"matcher_ms_{code}"] = round((time.perf_counter() - start) / (ROUNDS * len(rows)) * 1000, 3)
    return figures
