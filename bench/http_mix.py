"""Benchmark (not a test): a mix of requests from 50 clients against gunicorn on PostgreSQL,
this checkout beside an earlier revision, in one run.

For each source tree (this checkout, and ``--baseline REV`` checked out as a git worktree): a
scratch PostgreSQL database migrated by that tree's migrations; the test province grown by 10
districts × 10 CĐCS with ``--nominations`` nominations (the generator of
tests/test_statistics.py), ``--pending`` of them submitted by the tree's own service and
waiting at their district; one reviewer per district. Then gunicorn (``-w WORKERS``, as the
README deploys it) serves that tree while ``--clients`` clients, each signed in as a district's
reviewer, send requests for ``--seconds``: 80 % reads and 20 % approvals of waiting
nominations (each client approves its own, so none is refused as stale).

Mixes: ``api`` (the default) — 40 % the inbox, 40 % a nomination, 20 % approvals, all over the
JSON API; ``pages`` — 30 % the inbox, 30 % a nomination, 20 % the dashboard page (a user's
first page), 20 % approvals.

An error is an answer of 500 or more, or no answer; an answer of 400–499 is counted apart (none
is expected). Figures: requests per second, p50/p95/p99 latency, for each tree and the ratio.

Each tree runs twice, in the order baseline, this checkout, this checkout, baseline, on a copy
of its populated database each time; its figures are both passes together.

Run: ``.venv/bin/python bench/http_mix.py [--baseline REV] [--mix api|pages] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess  # nosec B404 - our own git and gunicorn, with our own arguments
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, bench/ would shadow installed packages (bench/transitions.py).
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
DISTRICTS = 10
MIXES = {
    "api": (("inbox", 40), ("nomination", 40), ("approve", 20)),
    "pages": (("inbox", 30), ("nomination", 30), ("dashboard", 20), ("approve", 20)),
}


# --- populating one tree's database (runs in a subprocess importing that tree) ---------------


def populate(url: str, nominations: int, pending: int) -> dict[str, list[int]]:
    """The province and its nominations, with the tree's own code; the waiting ids by reviewer."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from tests.databases import migrate
    from tests.factories import build_world
    from tests.test_statistics import generated
    from workflow import nominating, service
    from workflow.db import make_engine

    migrate(url)
    engine = make_engine(url)
    waiting: dict[str, list[int]] = {}
    at = datetime(2025, 11, 3, 1, 0, tzinfo=UTC)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        generated(world, nominations - pending, districts=DISTRICTS, per_district=10)
        for d in range(DISTRICTS):
            world.add_user(f"rev_d{d:02d}", "reviewer", f"D{d:02d}")
            world.add_user(f"off_d{d:02d}", "officer", f"D{d:02d}C00")
        session.commit()
        for i in range(pending):
            officer = world.user(f"off_d{i % DISTRICTS:02d}")
            made = nominating.create_nomination(
                session, officer, campaign="C2025", award_type="BK", nominee_kind="individual",
                nominee_name=f"Đoàn viên số {i}", now=at + timedelta(seconds=i),
            )  # fmt: skip
            service.fire(session, made.id, "submit", officer, expected_version=1,
                         now=at + timedelta(seconds=i, milliseconds=500))  # fmt: skip
            waiting.setdefault(f"rev_d{i % DISTRICTS:02d}", []).append(made.id)
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()
    return waiting


# --- the clients -------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int | None, what: str) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if status is None or status >= 500:
                self.errors.append(f"{kind} {status}: {what}")
            elif status >= 400:
                self.refused.append(f"{kind} {status}: {what}")


class Client:
    """One user on one keep-alive connection: a bearer token for the API, a session cookie
    for the pages."""

    def __init__(self, port: int, username: str, password: str, own: list[int]) -> None:
        self.port, self.own, self.seen = port, own, list(own)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = self.cookie = ""  # neither until signed in
        status, body, _ = self.request(
            "POST", "/api/v1/tokens", {"username": username, "password": password}
        )
        if status != 201:
            raise SystemExit(f"{username} could not sign in to the API: {status} {body[:200]!r}")
        self.token = json.loads(body)["token"]
        _, page, headers = self.request("GET", "/login")
        self.keep_cookie(headers)
        csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        form = {"username": username, "password": password, "csrf_token": csrf[1].decode()}  # type: ignore[index]
        status, _, headers = self.request("POST", "/login", form=form)
        self.keep_cookie(headers)
        if status != 302:
            raise SystemExit(f"{username} could not sign in to the pages: {status}")
        self.versions = dict.fromkeys(own, 2)  # submitted: version 2

    def keep_cookie(self, headers: http.client.HTTPMessage) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        api: bool = False,
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        headers = {}
        payload = None
        if body is not None:
            payload, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            payload = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookie:
            headers["Cookie"] = self.cookie
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            answer = self.conn.getresponse()
            return answer.status, answer.read(), answer.headers
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise

    def one(self, kind: str, rng: random.Random, tally: Tally) -> None:
        if kind == "approve" and not self.own:
            kind = "nomination"  # this client has approved all of its own
        if kind == "inbox":
            call: tuple[str, str, Any, bool] = ("GET", "/api/v1/inbox", None, True)
        elif kind == "nomination":
            call = ("GET", f"/api/v1/nominations/{rng.choice(self.seen)}", None, True)
        elif kind == "dashboard":
            call = ("GET", "/dashboard", None, False)
        else:
            nomination = self.own.pop()
            body = {"event": "approve", "version": self.versions[nomination]}
            call = ("POST", f"/api/v1/nominations/{nomination}/events", body, True)
        start = time.perf_counter()
        try:
            status: int | None
            status, answer, _ = self.request(call[0], call[1], call[2], api=call[3])
        except (OSError, http.client.HTTPException) as exc:
            status, answer = None, str(exc).encode()
        tally.add(kind, time.perf_counter() - start, status, answer[:200].decode(errors="replace"))


def drive(
    port: int, waiting: dict[str, list[int]], clients: int, seconds: float, mix: str
) -> tuple[Tally, float]:
    """``clients`` threads, each a district's reviewer with its own waiting nominations."""
    from tests.factories import PASSWORD

    kinds, weights = zip(*MIXES[mix], strict=True)
    reviewers = sorted(waiting)
    signed_in = [reviewers[i % len(reviewers)] for i in range(clients)]  # round robin
    shares: list[tuple[str, list[int]]] = []
    for i, name in enumerate(signed_in):
        # The reviewer's waiting nominations dealt out among the clients signed in as them.
        mine, sharing = signed_in[:i].count(name), signed_in.count(name)
        shares.append((name, waiting[name][mine::sharing]))
    users = [Client(port, name, PASSWORD, own) for name, own in shares]
    tally, stop = Tally(), threading.Event()

    def loop(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            client.one(rng.choices(kinds, weights)[0], rng, tally)

    threads = [threading.Thread(target=loop, args=(c, i)) for i, c in enumerate(users)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - start


# --- one tree: database, server, clients -----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before it answered")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 60 s")


def populate_tree(tree: Path, label: str, args: argparse.Namespace) -> tuple[str, Any]:
    """A database populated with ``tree``'s code, kept as the template every pass copies (a
    pass approves what waits); the waiting ids by reviewer."""
    from tests.databases import create_pg_database

    database = create_pg_database()
    instance = tempfile.mkdtemp(prefix=f"mix_{label}_")  # the app's keys, out of the tree
    print(f"[{label}] populating {args.nominations:,} nominations "
          f"({args.pending:,} waiting) …", flush=True)  # fmt: skip
    try:
        made = subprocess.run(  # noqa: S603  # nosec B603 - this script, our arguments
            [python_of(), str(Path(__file__).resolve()), "--populate", database,
             "--nominations", str(args.nominations), "--pending", str(args.pending)],
            cwd=tree, env=environment(tree, database, instance), check=True,
            capture_output=True, text=True,
        )  # fmt: skip
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    return database, json.loads(made.stdout.strip().splitlines()[-1])


def python_of() -> str:
    return str(ROOT / ".venv" / "bin" / "python")


def environment(tree: Path, database: str, instance: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "DATABASE_URL": database,
            "INSTANCE_PATH": instance}  # fmt: skip


def drop_database(url: str) -> None:
    from tests.databases import drop_pg_database

    drop_pg_database(url)


def run_pass(
    tree: Path, label: str, template: str, waiting: Any, args: argparse.Namespace
) -> tuple[Tally, float]:
    """Serve a copy of the tree's database with the tree's app, and drive it."""
    from tests.databases import create_pg_database

    database = create_pg_database(template)  # a pass approves what waits: a fresh copy each
    instance = tempfile.mkdtemp(prefix=f"mix_{label}_")
    try:
        port = free_port()
        server = subprocess.Popen(  # noqa: S603  # nosec B603 - gunicorn, our arguments
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(args.workers),
             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
            cwd=tree, env=environment(tree, database, instance),
        )  # fmt: skip
        try:
            wait_for(port, server)
            print(f"[{label}] {args.clients} clients for {args.seconds:.0f} s …", flush=True)
            return drive(port, waiting, args.clients, args.seconds, args.mix)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    finally:
        drop_database(database)
        shutil.rmtree(instance, ignore_errors=True)


def summary(label: str, passes: list[tuple[Tally, float]]) -> dict[str, Any]:
    """One tree's passes together: all their requests over all their seconds."""
    latencies: dict[str, list[float]] = {}
    for tally, _elapsed in passes:
        for kind, times in tally.latencies.items():
            latencies.setdefault(kind, []).extend(times)
    every = sorted(t for times in latencies.values() for t in times)
    return {
        "label": label,
        "requests": len(every),
        "per_second": len(every) / sum(elapsed for _tally, elapsed in passes),
        "passes": [sum(map(len, t.latencies.values())) / elapsed for t, elapsed in passes],
        "p50": quantile(every, 0.50),
        "p95": quantile(every, 0.95),
        "p99": quantile(every, 0.99),
        "kinds": {
            k: {"count": len(v), "p95": quantile(sorted(v), 0.95)}
            for k, v in sorted(latencies.items())
        },
        "errors": [e for tally, _elapsed in passes for e in tally.errors],
        "refused": [r for tally, _elapsed in passes for r in tally.refused],
    }


def quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else 0.0


def worktree(revision: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="mix_baseline_")) / "tree"
    subprocess.run(  # noqa: S603  # nosec B603 B607 - git, our arguments
        ["git", "worktree", "add", "--detach", str(folder), revision],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return folder


def show(result: dict[str, Any]) -> None:
    each = ", ".join(f"{rate:.0f}" for rate in result["passes"])
    print(f"{result['label']}: {result['requests']:,} requests, {result['per_second']:.0f} /s "
          f"(passes {each} /s); "
          f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, p99 {result['p99']:.0f} ms; "
          f"errors {len(result['errors'])}, refused {len(result['refused'])}")  # fmt: skip
    for kind, figures in result["kinds"].items():
        print(f"    {kind:<11} {figures['count']:>7,}  p95 {figures['p95']:.0f} ms")
    for line in (result["errors"] + result["refused"])[:5]:
        print(f"    ! {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a git revision measured beside this checkout")
    parser.add_argument("--mix", choices=sorted(MIXES), default="api")
    parser.add_argument("--nominations", type=int, default=100_000)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--populate", help=argparse.SUPPRESS)  # the subprocess's part
    args = parser.parse_args()
    if args.populate:
        sys.path.insert(0, os.getcwd())  # the tree being measured
        print(json.dumps(populate(args.populate, args.nominations, args.pending)))
        return 0
    sys.path.insert(0, str(ROOT))
    trees = [(ROOT, "this checkout")]
    baseline = worktree(args.baseline) if args.baseline else None
    if baseline is not None:
        trees.insert(0, (baseline, args.baseline))
    templates: dict[str, tuple[str, Any]] = {}
    try:
        for tree, label in trees:
            templates[label] = populate_tree(tree, label, args)
        # Baseline, this checkout, this checkout, baseline: whichever runs later gained about
        # a tenth in an A/A run (the same code under both labels), which the order cancels.
        passes: dict[str, list[tuple[Tally, float]]] = {label: [] for _tree, label in trees}
        for tree, label in trees + trees[::-1]:
            passes[label].append(run_pass(tree, label, *templates[label], args))
        results = [summary(label, passes[label]) for _tree, label in trees]
    finally:
        for database, _waiting in templates.values():
            drop_database(database)
        if baseline is not None:
            subprocess.run(  # noqa: S603  # nosec B603 B607 - git, our arguments
                ["git", "worktree", "remove", "--force", str(baseline)],  # noqa: S607
                cwd=ROOT, check=False, capture_output=True,
            )  # fmt: skip
    print(f"HTTP mix '{args.mix}', PostgreSQL, {args.clients} clients, {args.workers} gunicorn "
          f"workers, two passes of {args.seconds:.0f} s each; {args.nominations:,} nominations, "
          f"{args.pending:,} waiting")  # fmt: skip
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    for result in results:
        show(result)
    if len(results) == 2:
        print(f"ratio: {results[1]['per_second'] / results[0]['per_second']:.2f}× the requests "
              f"per second of {args.baseline}; target ≥ 2×, 0 errors")  # fmt: skip
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
