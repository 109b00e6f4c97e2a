"""Benchmarks: `make bench` (python -m bench) prints one Markdown table and writes bench/out/latest.json."""
