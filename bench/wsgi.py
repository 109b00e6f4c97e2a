"""The app as gunicorn serves it for load runs: `python -m gunicorn ... bench.wsgi:app`.

Environment: BENCH_DATA_DIR (profiles.sqlite3 and the local CA's PEM files; a temporary folder
when unset) and BENCH_VERIFY ("0" turns Alexa request verification off). Requests are trusted
when signed with the local test CA that `bench.alexa_load.ensure_ca` keeps in BENCH_DATA_DIR,
so the load generator and every worker share one CA.

Adds `POST /bench/baseline`: a bare Flask JSON route, the baseline served by the same server.
"""

from __future__ import annotations

import os
import tempfile

from flask import jsonify, request

from app import create_app
from bench.alexa_load import ensure_ca
from tests.alexa_signing import CERT_URL, SKILL_ID, fake_fetch

DATA_DIR = os.environ.get("BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="cramp-bench-")
_ca = ensure_ca(DATA_DIR)

app = create_app(
    {
        "DATA_DIR": DATA_DIR,
        "ALEXA_VERIFY": os.environ.get("BENCH_VERIFY", "1") != "0",
        "ALEXA_TRUSTED_ROOTS": [_ca.root],
        "ALEXA_CERT_FETCH": fake_fetch({CERT_URL: _ca.chain_pem}),
        "ALEXA_SKILL_ID": SKILL_ID,
        "ALEXA_TIMEZONE_LOOKUP": False,
    }
)


@app.post("/bench/baseline")
def bench_baseline():
    request.get_data(cache=False)
    return jsonify(ok=True)
