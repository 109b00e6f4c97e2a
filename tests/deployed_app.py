"""app.py's main() trusting a local test CA instead of Amazon's: the entry point of the deployed tests.

Everything else is what `make run` runs: pre-render, gunicorn, a forked worker. The CA's files are
kept in DEPLOYED_CA_DIR (bench.alexa_load.ensure_ca) so the test process signs with the same key.
With DEPLOYED_STALL_FETCH=1, a certificate URL other than the real one stalls for 30 s, as a slow
or hostile host would.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import app  # noqa: E402
from bench.alexa_load import ensure_ca  # noqa: E402
from tests.alexa_signing import CERT_URL, SKILL_ID  # noqa: E402


def main() -> int:
    ca = ensure_ca(os.environ["DEPLOYED_CA_DIR"])
    stall = os.environ.get("DEPLOYED_STALL_FETCH") == "1"

    def fetch(url: str) -> bytes:
        if url == CERT_URL:
            return ca.chain_pem
        if stall:
            time.sleep(30)
        raise LookupError("no such certificate")

    return app.main({"ALEXA_TRUSTED_ROOTS": [ca.root], "ALEXA_CERT_FETCH": fetch, "ALEXA_SKILL_ID": SKILL_ID})


if __name__ == "__main__":
    sys.exit(main())
