"""Sustained load on gunicorn (bench.wsgi) over loopback: no errors, flat memory, every bookmark kept.

8 clients send correctly signed "next" requests inside the article, so every answer makes the
server write a bookmark to SQLite. LOAD_SECONDS (default 10) sets the length of the measured run;
the run stops by itself. Signatures are renewed in the background for runs longer than a minute.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time

from bench import alexa_load
from content import load_library

SECONDS = float(os.environ.get("LOAD_SECONDS", "10"))
WARMUP_SECONDS = 2.0
CLIENTS = 8
USERS_PER_CLIENT = 40
MAX_GROWTH, MAX_GROWTH_KB = 0.20, 15 * 1024


class MemoryWatch:
    """Samples the summed VmRSS of the gunicorn workers every 0.2 s, and which workers there are."""

    def __init__(self, server: alexa_load.Gunicorn):
        self.server = server
        self.samples: list[tuple[float, int]] = []
        self.pids: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        start = time.monotonic()
        while not self._stop.wait(0.2):
            pids = self.server.worker_pids()
            try:
                total = sum(alexa_load.rss_kb(pid) for pid in pids)
            except OSError:
                continue
            self.pids.update(pids)
            self.samples.append((time.monotonic() - start, total))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def quarters(self, seconds: float) -> tuple[float, float]:
        first = [kb for t, kb in self.samples if t <= seconds / 4]
        last = [kb for t, kb in self.samples if t >= seconds * 3 / 4]
        assert first and last, f"too few memory samples: {self.samples}"
        return sum(first) / len(first), sum(last) / len(last)


def test_sustained_signed_load(tmp_path):
    sections = [section.id for section in load_library()["en"].article.sections]
    # "Next" from section k reads k + 1; while that is not the last section it becomes the bookmark.
    readable = len(sections) - 2
    assert readable >= 2
    ca = alexa_load.ensure_ca(tmp_path)

    # Each user belongs to one client, so a user's requests are sequential and the last answer wins.
    specs, own = [], [[] for _ in range(CLIENTS)]
    for round_ in range(readable):
        for user in range(CLIENTS * USERS_PER_CLIENT):
            k = (round_ + user) % readable
            own[user % CLIENTS].append(len(specs))
            specs.append(("article", f"load-{user}", k, (f"amzn1.ask.account.load-{user}", sections[k + 1])))
    pool = alexa_load.SignedPool(specs, ca)
    pool.stock_up(max(1, round(SECONDS * 250 / len(specs))) + 1)

    position = [0] * CLIENTS
    written: list[dict] = [{} for _ in range(CLIENTS)]

    def next_item(client):
        index = own[client][position[client] % len(own[client])]
        position[client] += 1
        return pool.item(index)

    def on_answer(client, item, status, _data):
        if status == 200:
            user, bookmark = item.tag
            written[client][user] = bookmark

    server = alexa_load.Gunicorn(tmp_path, verify=True)
    try:
        server.wait_ready()
        warm = alexa_load.drive(server.port, CLIENTS, WARMUP_SECONDS, next_item, on_answer, pool=pool)
        workers = set(server.worker_pids())
        with MemoryWatch(server) as memory:
            result = alexa_load.drive(server.port, CLIENTS, SECONDS, next_item, on_answer, pool=pool)
        assert server.process.poll() is None, server.log_tail()
    finally:
        code = server.stop()

    assert warm.errors == 0 and result.errors == 0, (warm.problems + result.problems, server.log_tail())
    assert result.seconds < SECONDS + 30  # it stopped by itself
    assert len(result.latencies) >= 50 * SECONDS, f"only {len(result.latencies)} answers in {SECONDS} s"
    assert code == 0, server.log_tail()

    assert memory.pids == workers, "a worker was restarted during the run"
    first, last = memory.quarters(result.seconds)
    assert last - first <= max(MAX_GROWTH * first, MAX_GROWTH_KB), (
        f"worker memory grew from {first / 1024:.1f} MB to {last / 1024:.1f} MB"
    )

    expected = {
        hashlib.sha256(user.encode()).hexdigest(): bookmark
        for bookmarks in written
        for user, bookmark in bookmarks.items()
    }
    assert len(expected) == CLIENTS * USERS_PER_CLIENT
    with sqlite3.connect(tmp_path / "profiles.sqlite3") as db:
        stored = {
            user: json.loads(data).get("bookmark") for user, data in db.execute("SELECT user, data FROM profiles")
        }
    missing = {key: bookmark for key, bookmark in expected.items() if stored.get(key) != bookmark}
    assert not missing, f"{len(missing)} of {len(expected)} bookmarks not stored, e.g. {next(iter(missing.items()))}"
