"""`python -m coach graph`: walk every reachable conversation state in each language and print a summary."""

from __future__ import annotations

import argparse
import sys

from content import LANGUAGES, load_library

from .engine import Engine
from .graph import table, walk


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coach")
    parser.add_argument("command", choices=["graph"])
    parser.add_argument("--lang", action="append", choices=LANGUAGES, help="only these languages")
    parser.add_argument("--all", action="store_true", help="list every breach, not the first ten per language")
    args = parser.parse_args(argv)
    engine = Engine(load_library())
    summaries = [walk(engine, code) for code in args.lang or LANGUAGES]
    print(table(summaries))
    for summary in summaries:
        shown = summary.breaches if args.all else summary.breaches[:10]
        for breach in shown:
            print(f"{summary.lang}: {breach}")
        if len(shown) < len(summary.breaches):
            print(f"{summary.lang}: … and {len(summary.breaches) - len(shown)} more (--all lists them)")
    return 1 if any(s.breaches for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
