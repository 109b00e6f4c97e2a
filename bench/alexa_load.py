"""Alexa endpoint under load: gunicorn on loopback, correctly signed requests, 1/8/32 clients.

The skill is compared with a bare Flask JSON route (`POST /bench/baseline`) served by the same
gunicorn, side by side, first with request verification on and then with a second gunicorn
started with BENCH_VERIFY=0. Only 127.0.0.1 is ever contacted.

The local test CA lives in PEM files in BENCH_DATA_DIR (see `ensure_ca`) so that the load
generator and every gunicorn worker share one CA: tests/alexa_signing caches its keys per process.
"""

from __future__ import annotations

import fcntl
import http.client
import itertools
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, never any other address
CORES = 2
LEVEL_SECONDS = 4.0
LEVELS = (1, 8, 32)
SLICES = 4  # the 32-client runs alternate skill and baseline slices
RESIGN_SECONDS = 60  # signatures carry a timestamp the server accepts for 150 s
MAX_RPS = 2000  # more requests a second than a run here sends: how many to sign ahead

ROOT_PEM, CHAIN_PEM, LEAF_KEY_PEM = "bench-ca-root.pem", "bench-ca-chain.pem", "bench-ca-leaf-key.pem"


# --- one local CA shared by the load generator and the gunicorn workers ---------------------------


@dataclass(frozen=True)
class BenchCA:
    root: x509.Certificate
    chain_pem: bytes
    leaf_key: rsa.RSAPrivateKey


def ensure_ca(folder: Path | str) -> BenchCA:
    """Write the local test CA (root cert, leaf+root chain, leaf key) into `folder` once, then load it.

    A file lock makes concurrent callers (two gunicorn workers booting) agree on one CA.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "bench-ca.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((folder / name).exists() for name in (ROOT_PEM, CHAIN_PEM, LEAF_KEY_PEM)):
            from tests import alexa_signing

            ca, key = alexa_signing.make_ca(), alexa_signing.leaf_key()
            for name, data in (
                (
                    LEAF_KEY_PEM,
                    key.private_bytes(
                        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                    ),
                ),
                (CHAIN_PEM, alexa_signing.default_chain_pem()),
                (ROOT_PEM, ca.cert.public_bytes(serialization.Encoding.PEM)),
            ):
                temp = folder / (name + ".tmp")
                temp.write_bytes(data)
                temp.replace(folder / name)
    return load_ca(folder)


def load_ca(folder: Path | str) -> BenchCA:
    folder = Path(folder)
    key = serialization.load_pem_private_key((folder / LEAF_KEY_PEM).read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return BenchCA(
        root=x509.load_pem_x509_certificate((folder / ROOT_PEM).read_bytes()),
        chain_pem=(folder / CHAIN_PEM).read_bytes(),
        leaf_key=key,
    )


# --- request bodies, signed ahead of time -------------------------------------------------------


def alexa_body(kind: str, user: str, number: int, section: int = 1) -> bytes:
    """One Alexa request: "launch", "routine" (CrampNowIntent) or "article" (Next in an article section)."""
    from tests import alexa_signing

    request: dict
    attributes: dict
    if kind == "launch":
        request, attributes, new = {"type": "LaunchRequest"}, {}, True
    elif kind == "routine":
        request = {"type": "IntentRequest", "intent": {"name": "CrampNowIntent", "confirmationStatus": "NONE"}}
        attributes, new = {}, True
    elif kind == "article":
        request = {"type": "IntentRequest", "intent": {"name": "AMAZON.NextIntent", "confirmationStatus": "NONE"}}
        attributes, new = {"state": {"mode": "article", "section": section}}, False
    else:
        raise ValueError(kind)
    request["requestId"] = f"amzn1.echo-api.request.bench-{number}"
    envelope = alexa_signing.envelope(request)
    envelope["session"].update(new=new, attributes=attributes, sessionId=f"amzn1.echo-api.session.bench-{user}")
    for place in (envelope["session"], envelope["context"]["System"]):
        place["user"]["userId"] = f"amzn1.ask.account.{user}"
    return json.dumps(envelope).encode()


@dataclass
class Item:
    path: str
    body: bytes
    headers: dict
    tag: object = None


class SignedPool:
    """Requests built from specs (kind, user, section, tag). Every request sent is a fresh copy with a
    request id of its own, because the server rejects a replayed one.

    `stock_up(n)` signs n copies of every spec ahead of a measured run, so that signing does not load
    the machine while it is measured; `item(i)` takes the next copy of spec i, or signs one on the spot
    when the stock has run out or has aged (the server accepts a timestamp for 150 s).
    """

    def __init__(self, specs: list[tuple], ca: BenchCA):
        self.specs, self.ca = specs, ca
        self._numbers = itertools.count()
        self._stock: list[deque[Item]] = [deque() for _ in specs]
        self.signed_at = time.monotonic()

    def _sign(self, index: int) -> Item:
        from tests import alexa_signing

        kind, user, section, tag = self.specs[index]
        body = alexa_body(kind, user, next(self._numbers), section)
        return Item("/alexa", body, alexa_signing.signed_headers(body, self.ca.leaf_key), tag)

    def stock_up(self, copies: int) -> None:
        """Sign `copies` more of every spec now, ahead of the run that sends them."""
        for index, stock in enumerate(self._stock):
            stock.extend(self._sign(index) for _ in range(copies))

    def item(self, index: int) -> Item:
        try:
            return self._stock[index].popleft()
        except IndexError:
            return self._sign(index)

    def refresh(self) -> None:
        """Drop the signed stock (its timestamps are ageing); later items are signed when taken."""
        for stock in self._stock:
            stock.clear()
        self.signed_at = time.monotonic()


# --- gunicorn on loopback ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """The direct children of `pid` (the gunicorn workers of a master)."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found.update(int(p) for p in text.split())
        return sorted(found)
    except OSError:
        pass
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return sorted(found)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Gunicorn:
    """`python -m gunicorn -w 2 -k gthread --threads 8 bench.wsgi:app` on 127.0.0.1, stopped by `stop()`."""

    def __init__(self, data_dir: Path | str, verify: bool = True, workers: int = 2, threads: int = 8):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.log_path = self.data_dir / f"gunicorn-{self.port}.log"
        env = dict(
            os.environ,
            BENCH_DATA_DIR=str(self.data_dir),
            BENCH_VERIFY="1" if verify else "0",
            PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        )
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open for the server's whole life
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-k",
                "gthread",
                "--threads",
                str(threads),
                "-b",
                f"{HOST}:{self.port}",
                "bench.wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.workers = workers

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every worker is up and /health answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            booted = self.log_path.read_text(errors="replace").count("Booting worker")
            if booted >= self.workers and len(children(self.pid)) >= self.workers:
                try:
                    connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                    connection.request("GET", "/health")
                    if connection.getresponse().status == 200:
                        connection.close()
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not become ready in {timeout} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def stop(self, timeout: float = 30) -> int | None:
        """Graceful stop (SIGTERM), then SIGKILL if it hangs. Safe to call twice."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


# --- the load generator ------------------------------------------------------------------------


@dataclass
class Result:
    clients: int
    seconds: float = 0.0  # wall time of the run
    cpu: float = 0.0  # CPU seconds the generator process used meanwhile
    latencies: list = field(default_factory=list)
    errors: int = 0  # non-200 answers and failed exchanges
    problems: list = field(default_factory=list)  # a few examples

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def drive(
    port: int,
    clients: int,
    seconds: float,
    next_item: Callable[[int], Item],
    on_answer: Callable[[int, Item, int, bytes], None] | None = None,
    pool: SignedPool | None = None,
) -> Result:
    """`clients` threads, each with its own keep-alive connection, sending `next_item(client)` back to
    back for `seconds`, then stopping by themselves. Re-signs `pool` in the background when it ages."""
    result = Result(clients)
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    deadline = [0.0]
    done = threading.Event()

    def client(index: int) -> None:
        latencies: list[float] = []
        errors, problems = 0, list[str]()
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        start_line.wait()
        while time.perf_counter() < deadline[0]:
            item = next_item(index)
            began = time.perf_counter()
            try:
                connection.request("POST", item.path, body=item.body, headers=item.headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                errors += 1
                if len(problems) < 3:
                    problems.append(f"{item.path}: {type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            took = time.perf_counter() - began
            if response.status == 200:
                latencies.append(took)
            else:
                errors += 1
                if len(problems) < 3:
                    problems.append(f"{item.path}: {response.status} {data[:200]!r}")
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
            if on_answer:
                on_answer(index, item, response.status, data)
        connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.problems.extend(problems[: max(0, 5 - len(result.problems))])

    def resigner(pool: SignedPool) -> None:
        while not done.wait(1.0):
            if time.monotonic() - pool.signed_at > RESIGN_SECONDS:
                pool.refresh()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    helper = threading.Thread(target=resigner, args=(pool,), daemon=True) if pool is not None else None
    if helper:
        helper.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    deadline[0] = wall0 + seconds
    start_line.wait()
    for thread in threads:
        thread.join(seconds + 60)
    result.seconds = time.perf_counter() - wall0
    result.cpu = time.process_time() - cpu0
    done.set()
    if helper:
        helper.join()
    return result


def merge(total: Result, part: Result) -> Result:
    total.seconds += part.seconds
    total.cpu += part.cpu
    total.latencies += part.latencies
    total.errors += part.errors
    total.problems += part.problems[: max(0, 5 - len(total.problems))]
    return total


def cycle(count: int, item: Callable[[int], Item]) -> Callable[[int], Item]:
    """All clients share one round robin over `count` requests, `item(i)` giving request i."""
    counter = itertools.count()
    return lambda _client: item(next(counter) % count)


def mix_specs(users: int, run: str) -> list[tuple]:
    """The realistic mix: per user a launch, a routine step and an article section, users interleaved."""
    return [
        (kind, f"bench-{run}-{user}", 1, None) for user in range(users) for kind in ("launch", "routine", "article")
    ]


def measure(
    data_dir: Path, verify: bool, ca: BenchCA, level_seconds: float = LEVEL_SECONDS
) -> tuple[dict[str, Result], Result]:
    """One gunicorn: a warm-up, the skill at 1, 8 and 32 clients, then the baseline at 32 clients."""
    server = Gunicorn(data_dir, verify=verify)
    try:
        server.wait_ready()
        run = "v" if verify else "nv"
        pool = SignedPool(mix_specs(300, run), ca)
        skill = cycle(len(pool.specs), pool.item)

        def drive_skill(clients: int, seconds: float) -> Result:
            pool.stock_up(math.ceil(seconds * MAX_RPS / len(pool.specs)))  # signed before, not during, the run
            return drive(server.port, clients, seconds, skill, pool=pool)

        baseline_items = [
            Item("/bench/baseline", pool.item(i).body, {"Content-Type": "application/json"}) for i in range(64)
        ]
        baseline = cycle(len(baseline_items), baseline_items.__getitem__)
        warm = drive_skill(8, 1.5)
        drive(server.port, 8, 0.5, baseline)
        results = {"warmup": warm}

        def side_by_side(clients: int) -> tuple[Result, Result]:
            """Skill and baseline in alternating slices, so that a burst of other work on the
            machine weighs on both alike."""
            mine, theirs = Result(clients), Result(clients)
            for _ in range(SLICES):
                merge(mine, drive_skill(clients, level_seconds / SLICES))
                merge(theirs, drive(server.port, clients, level_seconds / SLICES, baseline))
            return mine, theirs

        results["1"], results["baseline_1"] = side_by_side(1)
        for clients in LEVELS[1:-1]:
            results[str(clients)] = drive_skill(clients, level_seconds)
        results[str(LEVELS[-1])], base = side_by_side(LEVELS[-1])
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn died during the run:\n{server.log_tail()}")
        return results, base
    finally:
        server.stop()


def run(short: bool = False) -> dict:
    figures: dict = {}
    errors, cpu, wall = 0, 0.0, 0.0
    problems = []
    with tempfile.TemporaryDirectory(prefix="cramp-load-") as tmp:
        ca = ensure_ca(tmp)
        for verify in (True, False):
            suffix = "" if verify else "_noverify"
            results, base = measure(Path(tmp), verify, ca, LEVEL_SECONDS / 4 if short else LEVEL_SECONDS)
            one, many = results["1"], results["32"]
            figures[f"alexa_throughput_ratio{suffix}"] = round(many.rps / base.rps, 3)
            figures[f"alexa_p99_ms_1{suffix}"] = round(one.percentile_ms(0.99), 2)
            figures[f"alexa_p50_ms_1{suffix}"] = round(one.percentile_ms(0.50), 2)
            figures[f"baseline_p99_ms_1{suffix}"] = round(results["baseline_1"].percentile_ms(0.99), 2)
            figures[f"alexa_p50_ms_32{suffix}"] = round(many.percentile_ms(0.50), 2)
            figures[f"alexa_p99_ms_32{suffix}"] = round(many.percentile_ms(0.99), 2)
            if verify:
                figures["alexa_rps_32"] = round(many.rps, 1)
                figures["baseline_rps_32"] = round(base.rps, 1)
            for result in (*results.values(), base):
                errors += result.errors
                problems += result.problems
            for result in (many, base):
                cpu, wall = cpu + result.cpu, wall + result.seconds
    figures["loadgen_cpu_share"] = round(cpu / (wall * CORES), 3)
    figures["errors"] = errors
    if problems:
        print("alexa_load: some requests failed, e.g.:", *problems[:5], sep="\n  ", file=sys.stderr)
    return figures


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name}: {value}")
