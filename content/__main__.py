"""`python -m content check`: validate all content and print a summary per language."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checks import MAX_ROUTINE_WORDS
from .loader import CONTENT_DIR, read_library
from .model import LANGUAGES


def summary(lang) -> str:
    words = sum(len(p.split()) for s in lang.article.sections for p in s.paragraphs)
    return (
        f"{lang.code}: cramp_now {len(lang.routines.cramp_now.steps)} steps, "
        f"bedtime_stretch {len(lang.routines.bedtime_stretch.steps)} steps, "
        f"causes {len(lang.topics.causes.items)}, prevention {len(lang.topics.prevention.items)}, "
        f"see_doctor {len(lang.topics.see_doctor.items)}, article {len(lang.article.sections)} sections "
        f"({words} words), prompts {len(lang.say) + len(lang.ui)}, "
        f"utterances {sum(map(len, lang.utterances.values()))} in {len(lang.utterances)} intents"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m content")
    parser.add_argument("command", choices=["check"])
    parser.add_argument("--dir", type=Path, default=CONTENT_DIR, help="content folder (default: this one)")
    parser.add_argument("--lang", action="append", choices=LANGUAGES, help="check only these languages")
    args = parser.parse_args(argv)
    library, problems = read_library(args.dir, tuple(args.lang or LANGUAGES))
    if problems:
        print(f"{len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    assert library is not None  # no problems: the library loaded
    for lang in library.languages.values():
        print(summary(lang))
    print(f"sources: {len(library.sources)}; routine sentences at most {MAX_ROUTINE_WORDS} words; all good")
    return 0


if __name__ == "__main__":
    sys.exit(main())
