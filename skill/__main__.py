"""`python -m skill model`: regenerate skill-package/ from the English content."""

import argparse
import sys

from content import load_library

from .interaction_model import PACKAGE_DIR, write_package


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill")
    parser.add_argument("command", choices=["model"])
    parser.parse_args(argv)
    written = write_package(load_library())
    for path in written:
        print(f"wrote {path.relative_to(PACKAGE_DIR.parent)}")
    print("skill-package/ is up to date" if not written else f"{len(written)} file(s) updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
