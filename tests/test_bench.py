"""`make bench` in its short mode gives every figure (no time is asserted here: bench/ measures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import GOALS, NOTES

ROOT = Path(__file__).resolve().parent.parent


def test_short_bench_produces_every_figure(tmp_path):
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--short", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())["figures"]
    expected = set(NOTES) | set(GOALS) | {f"prerender_{code}_s" for code in ("en", "nb", "da")}
    assert not expected - set(figures), f"missing: {sorted(expected - set(figures))}"
    assert figures["errors"] == 0
    odd = {name: value for name, value in figures.items() if not isinstance(value, (int, float)) or value != value}
    assert not odd, f"not a number: {odd}"
    for name in GOALS:
        assert f"| {name} |" in result.stdout
