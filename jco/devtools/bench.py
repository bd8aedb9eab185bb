"""``make bench``: how fast the pages answer on a large synthetic register, per database engine.

For each engine it builds (or reuses) a synthetic database — a SQLite file under ``bench-data/``
and the PostgreSQL database ``jco_bench`` — serves the app with gunicorn (2 workers, on a free
port of 127.0.0.1), logs in, and sends a bounded number of requests from a few keep-alive client
threads to: a trivial route of the same app (``/healthz``), the register, a JCO page, the
dashboard and the calendar feed (each skipped with a message when this build has no such page),
then the register, the dashboard and the JCO page once more, one request at a time, each just
after a real write to one operation (:class:`Changes`: what a user waits for on the first view
after an edit, see ``jco.core.cache`` and ``jco.deadlines.store``). Last comes the mixed load (``jco.devtools.mixed_load``, locust): many
simulated users at once, nine requests in ten reading pages and the API, one in ten writing a
result row through the API; afterwards every write it was told succeeded is looked for in the
database.
It prints requests per second, median and 95th-percentile latency, and each route's throughput
as a share of the trivial route's, then checks the goals: dashboard p95 < 150 ms, register at
least 20 % and the JCO page at least 25 % of the trivial route's throughput, the JCO page's
first view after a change p95 < 100 ms, and a mixed load without an error response, with p95
< 300 ms and every write found.

Everything stays on localhost; every request count and duration is bounded.

    python -m jco.devtools.bench                                  # 5,000 operations, 1,000,000 results
    python -m jco.devtools.bench --operations 500 --results 50000 # a quick run
    python -m jco.devtools.bench --engines sqlite --rebuild
    python -m jco.devtools.bench --mixed-users 3 --mixed-seconds 3  # a short mixed load
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

import jco.models  # noqa: F401  (every table, so that the mappers configure)
from jco.accounts.models import Account
from jco.comments.models import Comment
from jco.core import migrate
from jco.core.cache import bump
from jco.documents.models import Document
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.models import Commodity, Jco, Result

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("JCO_BENCH_DIR") or ROOT / "bench-data")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/jco_bench"
BENCH_EMAIL = "bench@example.org"
# A throw-away account in a throw-away database that only this machine's loopback can reach.
BENCH_PASSWORD = "bench-password-not-secret"
GOAL_DASHBOARD_P95_MS = 150
GOAL_REGISTER_SHARE = 0.20
GOAL_JCO_SHARE = 0.25
GOAL_JCO_COLD_P95_MS = 100
GOAL_MIXED_P95_MS = 300
COLD_REQUESTS = 12
# The commodity of the rows the mixed load writes: they stay (the audit log keeps their trace
# anyway), and are left out when deciding whether a database still holds the synthetic data set.
BENCH_COMMODITY = "bench seizures"
MIXED_TOKENS = 4


@dataclass
class Measure:
    label: str
    path: str
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    skipped: str = ""
    # Measured one request at a time, each just after a change to the data (so no cached figure).
    after_change: bool = False
    # The mixed load's figures, as locust counted them (its latencies stay in the other process).
    mixed: dict = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return self.mixed.get("requests", 0) if self.mixed else len(self.latencies)

    @property
    def rps(self) -> float:
        if self.mixed:
            return self.mixed["rps"]
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if self.mixed:
            return self.mixed.get(f"p{p:g}_ms", 0.0)
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


# --- the databases ----------------------------------------------------------------------------------

def _expected(engine, operations: int, results: int) -> bool:
    """True when the database already holds exactly this synthetic data set, at the current schema."""
    try:
        if migrate.current_revision(engine) != migrate.head_revision():
            return False
        with engine.connect() as connection:
            synthetic = connection.scalar(select(func.count()).select_from(Jco).where(Jco.name.like("SYN-%")))
            rows = connection.scalar(select(func.count()).select_from(Result).join(Commodity, Commodity.id == Result.commodity_id)
                                     .where(Commodity.name != BENCH_COMMODITY))
            account = connection.scalar(text("SELECT count(*) FROM account WHERE email = :e"), {"e": BENCH_EMAIL})
        return synthetic == operations and rows == results and account == 1
    except SQLAlchemyError:  # an unreadable or half-built database is simply rebuilt
        return False


def _build(url: str, operations: int, results: int, seed: int) -> None:
    from jco import create_app
    from jco.accounts.services import create_account
    from jco.core.db import get_session
    from jco.devtools.synthetic import generate
    from jco.operations.models import Organisation
    from jco.operations.reference_data import ensure_reference_data

    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
    with app.app_context():
        session = get_session()
        ensure_reference_data(session)
        summary = generate(session, operations=operations, seed=seed, results_total=results,
                           say=lambda line: print(line, flush=True))
        gsc = session.scalar(select(Organisation.id).where(Organisation.code == "GSC"))
        create_account(session, email=BENCH_EMAIL, password=BENCH_PASSWORD, role="secretariat",
                       organisation_id=gsc, clearance="RESTREINT UE", name="Benchmark")
        session.commit()
        print(f"  built: {summary}", flush=True)
    engine = app.extensions["jco_engine"]
    # Fresh statistics, as a database in service would have: the planner needs them.
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
            connection.commit()
    engine.dispose()


def prepare_sqlite(operations: int, results: int, seed: int, rebuild: bool) -> str:
    DATA_DIR.mkdir(exist_ok=True)
    path = DATA_DIR / f"bench-{operations}-{results}-s{seed}.sqlite3"
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    ready = path.exists() and not rebuild and _expected(engine, operations, results)
    engine.dispose()
    if ready:
        print(f"  reusing {path}", flush=True)
        return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"  building {path}", flush=True)
    _build(url, operations, results, seed)
    return url


def prepare_postgres(url: str, operations: int, results: int, seed: int, rebuild: bool) -> str:
    target = make_url(url)
    name = target.database
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    if exists and not rebuild:
        engine = create_engine(url)
        ready = _expected(engine, operations, results)
        engine.dispose()
        if ready:
            admin.dispose()
            print(f"  reusing database {name}", flush=True)
            return url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    print(f"  building database {name}", flush=True)
    _build(url, operations, results, seed)
    return url


# --- the server and the client ------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the app on a free loopback port; stopped (only it) when the block ends."""

    def __init__(self, database_url: str, workers: int):
        self.port = _free_port()
        self.database_url = database_url
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": secrets.token_hex(32),
               "JCO_SECURE_COOKIES": "false"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "jco:create_app()"],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped while starting")
            try:
                status, _, _ = request(self.port, "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def request(port: int, path: str, *, method: str = "GET", cookie: str = "", body: bytes | None = None,
            connection: http.client.HTTPConnection | None = None, decode: bool = False):
    """One request; the body is read whole (and unzipped only when ``decode``: the load does not)."""
    own = connection is None
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept-Encoding": "gzip", "Host": f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if decode and response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return response.status, response.getheaders(), data
    finally:
        if own:
            conn.close()


def login(port: int) -> str:
    status, headers, page = request(port, "/login", decode=True)
    cookie = "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise RuntimeError(f"cannot read the login form (HTTP {status})")
    body = urlencode({"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token[1].decode()}).encode()
    status, headers, _ = request(port, "/login", method="POST", cookie=cookie, body=body)
    cookies = [v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie"]
    if status != 302 or not cookies:
        raise RuntimeError(f"login failed (HTTP {status})")
    return "; ".join(cookies)


def load(port: int, measure: Measure, cookie: str, *, concurrency: int, max_requests: int, max_seconds: float) -> None:
    """Up to ``max_requests`` requests (and at most ``max_seconds``) from keep-alive client threads."""
    lock = threading.Lock()
    issued = 0
    stop_at = time.monotonic() + max_seconds

    def worker():
        nonlocal issued
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if issued >= max_requests or time.monotonic() >= stop_at:
                    break
                issued += 1
            started = time.perf_counter()
            try:
                status, _, _ = request(port, measure.path, cookie=cookie, connection=conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    measure.latencies.append(elapsed)
                else:
                    measure.errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    measure.seconds = time.perf_counter() - began


class Changes:
    """Real writes, through the app's own services and session, as users make them: in turn a
    result row on an operation that takes results (the totals move), a comment round's deadline
    moved by a day (the deadlines move), and a participant's role switched between participant and
    observer (the counts of who takes part move). Each touches one operation, a different one each
    time; the round's deadline and the role go back and forth, so a run leaves the data set as it
    found it but for the result rows, whose commodity (``BENCH_COMMODITY``) sets them apart."""

    KINDS = ("result", "round deadline", "participant role")

    def __init__(self, url: str) -> None:
        from jco import create_app
        from jco.comments.models import CommentRound
        from jco.core.db import get_session
        from jco.operations.lifecycle import OPEN_STATES, RESULTS_STATES
        from jco.operations.models import Participant, Role

        self.app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
        self.done = 0
        with self.app.app_context():
            session = get_session()
            open_states = [s.value for s in OPEN_STATES]
            self.results = list(session.scalars(select(Jco.id).where(Jco.state.in_([s.value for s in RESULTS_STATES]))
                                                .order_by(Jco.id).limit(50)))
            self.rounds = list(session.scalars(select(CommentRound.id).join(Jco, Jco.id == CommentRound.jco_id)
                                               .where(Jco.state.in_(open_states)).order_by(CommentRound.id).limit(50)))
            self.participants = list(session.scalars(
                select(Participant.id).join(Jco, Jco.id == Participant.jco_id)
                .where(Jco.state.in_(open_states), Participant.role.in_([Role.PARTICIPANT.value, Role.OBSERVER.value]))
                .order_by(Participant.id).limit(50)))
            if session.scalar(select(Commodity.id).where(Commodity.name == BENCH_COMMODITY)) is None:
                session.add(Commodity(name=BENCH_COMMODITY))
                session.commit()

    def make(self) -> str:
        """One write (committed); says which kind."""
        from datetime import timedelta

        from jco.comments.models import CommentRound
        from jco.core.db import get_session
        from jco.operations.models import Participant, Role
        from jco.operations.results import ResultRow, add_results

        n, self.done = self.done, self.done + 1
        kind = self.KINDS[n % len(self.KINDS)]
        with self.app.app_context():
            session = get_session()
            if kind == "result" and self.results:
                jco = session.get(Jco, self.results[n % len(self.results)])
                add_results(session, jco, [ResultRow(None, BENCH_COMMODITY, 1.0, "kg")], None)
            elif kind == "round deadline" and self.rounds:
                round_ = session.get(CommentRound, self.rounds[n % len(self.rounds)])
                round_.deadline += timedelta(days=1 if (n // len(self.KINDS)) % 2 == 0 else -1)
            elif self.participants:
                participant = session.get(Participant, self.participants[n % len(self.participants)])
                participant.role = (Role.OBSERVER if participant.role == Role.PARTICIPANT else Role.PARTICIPANT).value
            else:  # an empty data set: count a change all the same
                bump(session)
            session.commit()
        return kind

    def close(self) -> None:
        self.app.extensions["jco_engine"].dispose()


def load_after_changes(port: int, measure: Measure, cookie: str, changes: Changes, *, max_requests: int) -> None:
    """Each request right after a real write (:class:`Changes`), as a user waits after an edit."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    began = time.perf_counter()
    spent = 0.0
    try:
        for _ in range(max_requests):
            changes.make()
            started = time.perf_counter()
            status, _, _ = request(port, measure.path, cookie=cookie, connection=conn)
            elapsed = time.perf_counter() - started
            spent += elapsed
            if status == 200:
                measure.latencies.append(elapsed)
            else:
                measure.errors += 1
    finally:
        conn.close()
    measure.seconds = spent or (time.perf_counter() - began)


def _sample_jco(url: str) -> int | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        # A closed operation with a final report: the fullest kind of JCO page.
        jco_id = connection.scalar(
            select(Jco.id).where(Jco.state == "closed", Jco.id.in_(select(Result.jco_id))).order_by(Jco.id).limit(1)
        ) or connection.scalar(select(Jco.id).order_by(Jco.id).limit(1))
    engine.dispose()
    return jco_id


# --- the mixed load ------------------------------------------------------------------------------

def _bench_delegates(session, users: int) -> list[tuple[Account, list[int]]]:
    """One delegate account per simulated user, each of another country (made once, kept), with
    the rounds of open operations its delegation has not commented on yet: each of its comments is
    then a new row, and no two users ever write the same delegation's comment."""
    from jco.accounts.services import create_account
    from jco.comments.models import Comment, CommentRound
    from jco.operations.lifecycle import OPEN_STATES
    from jco.operations.models import Organisation, OrgKind

    countries = list(session.scalars(select(Organisation).where(Organisation.kind == OrgKind.COUNTRY)
                                     .order_by(Organisation.code).limit(users)))
    delegates = []
    for country in countries:
        email = f"bench.delegate.{country.code.lower()}@example.org"
        account = session.scalar(select(Account).where(Account.email == email)) or create_account(
            session, email=email, password=BENCH_PASSWORD, role="delegate", organisation_id=country.id,
            clearance="RESTREINT UE", name=f"Benchmark delegate {country.code}")
        commented = select(Comment.round_id).where(Comment.organisation_id == country.id)
        rounds = list(session.scalars(
            select(CommentRound.id).join(Jco, Jco.id == CommentRound.jco_id)
            .join(Document, Document.id == CommentRound.document_id)
            .where(Jco.state.in_([s.value for s in OPEN_STATES]), CommentRound.id.not_in(commented),
                   Document.marking.in_(["", "LIMITE", "RESTREINT UE"]))
            .order_by(CommentRound.id).limit(200)))
        delegates.append((account, rounds))
    return delegates


def _mixed_setup(url: str, users: int) -> dict:
    """The mixed load's plan: API tokens of the bench account, the JCOs to read, those that take
    results from it, meetings to put items on, the first free number for its documents, and the
    delegates (with their tokens and rounds) who send comments."""
    from jco import create_app
    from jco.api.auth import create_token
    from jco.core.db import get_session
    from jco.operations.lifecycle import RESULTS_STATES

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
    with app.app_context():
        session = get_session()
        account = session.scalar(select(Account).where(Account.email == BENCH_EMAIL))
        tokens = [create_token(session, account, f"bench mixed load {i + 1}")[1] for i in range(MIXED_TOKENS)]
        delegates = [{"token": create_token(session, delegate, "bench mixed load")[1], "rounds": rounds}
                     for delegate, rounds in _bench_delegates(session, users)]
        # The rows' commodity exists before the users start: several first writes naming a new
        # commodity at the same instant race for its unique name, and all but one get a 409.
        if session.scalar(select(Commodity.id).where(Commodity.name == BENCH_COMMODITY)) is None:
            session.add(Commodity(name=BENCH_COMMODITY))
        session.commit()
        jco_ids = list(session.scalars(select(Jco.id).order_by(Jco.id).limit(60)))
        results_ids = list(session.scalars(
            select(Jco.id).where(Jco.state.in_([s.value for s in RESULTS_STATES])).order_by(Jco.id).limit(20)))
        meeting_ids = list(session.scalars(select(Meeting.id).order_by(Meeting.id.desc()).limit(20)))
        # Synthetic references are numbered from 100000: below that, numbers past every document
        # id ever given are free, whatever earlier runs registered.
        first_number = 10001 + (session.scalar(select(func.max(Document.id))) or 0)
    app.extensions["jco_engine"].dispose()
    return {"tokens": tokens, "jco_ids": jco_ids, "results_jco_ids": results_ids, "meeting_ids": meeting_ids,
            "document_numbers_from": first_number, "delegates": delegates}


def _revoke_bench_tokens(url: str) -> None:
    from jco import create_app
    from jco.api.auth import active_tokens, revoke_token
    from jco.core.db import get_session

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
    with app.app_context():
        session = get_session()
        for account in session.scalars(select(Account).where(
                (Account.email == BENCH_EMAIL) | Account.email.like("bench.delegate.%"))):
            for token in active_tokens(session, account):
                if token.name.startswith("bench mixed load"):
                    revoke_token(session, token, account)
        session.commit()
    app.extensions["jco_engine"].dispose()


def _bench_writes(url: str) -> dict[str, int]:
    """The rows the mixed load's writes leave, by kind (see ``jco.devtools.mixed_load``)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            "results": connection.scalar(select(func.count()).select_from(Result)
                                         .join(Commodity, Commodity.id == Result.commodity_id)
                                         .where(Commodity.name == BENCH_COMMODITY)),
            "agenda items": connection.scalar(select(func.count()).select_from(AgendaItem)
                                              .where(AgendaItem.title.like("Bench item %"))),
            "documents": connection.scalar(select(func.count()).select_from(Document)
                                           .where(Document.title.like("Bench note %"))),
            "comments": connection.scalar(select(func.count()).select_from(Comment)
                                          .where(Comment.body.like("Bench comment %"))),
        }
    engine.dispose()
    return {kind: count or 0 for kind, count in counts.items()}


def mixed_load(port: int, measure: Measure, cookie: str, url: str, *, users: int, seconds: float) -> None:
    """locust's users against the server for ``seconds``, then the writes looked for in the database."""
    plan = _mixed_setup(url, users)
    if not plan["jco_ids"] or not plan["results_jco_ids"] or not plan["meeting_ids"]:
        _revoke_bench_tokens(url)
        measure.skipped = "no JCO to read or to record results for, or no meeting"
        return
    status, _, page = request(port, f"/meetings/{plan['meeting_ids'][0]}", cookie=cookie, decode=True)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if status != 200 or token is None:
        _revoke_bench_tokens(url)
        measure.skipped = f"no form on a meeting's page (HTTP {status})"
        return
    before = _bench_writes(url)
    plan.update(host=f"http://127.0.0.1:{port}", users=users, seconds=seconds, cookie=cookie, csrf=token[1].decode())
    try:
        run = subprocess.run([sys.executable, "-m", "jco.devtools.mixed_load"], input=json.dumps(plan), cwd=ROOT,
                             capture_output=True, text=True, timeout=seconds + 120)
    finally:
        _revoke_bench_tokens(url)
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        measure.skipped = f"the mixed load stopped (exit {run.returncode}): {run.stderr.strip()[-400:]}"
        return
    figures = json.loads(lines[-1])
    after = _bench_writes(url)
    figures["writes_found_by_kind"] = {kind: after[kind] - before[kind] for kind in after}
    figures["writes_sent"] = sum(figures["writes"].values())
    figures["writes_found"] = sum(figures["writes_found_by_kind"].values())
    measure.mixed = figures
    measure.errors = figures["failures"]
    measure.seconds = seconds


def bench_engine(label: str, url: str, args) -> list[Measure]:
    jco_id = _sample_jco(url)
    routes = [
        Measure("trivial", "/healthz"),
        Measure("register", "/jcos"),
        Measure("JCO page", f"/jcos/{jco_id}"),
        Measure("dashboard", "/dashboard"),
        Measure("calendar feed", "/calendar.ics"),
        Measure("register, cold", "/jcos", after_change=True),
        Measure("dashboard, cold", "/dashboard", after_change=True),
        Measure("JCO page, cold", f"/jcos/{jco_id}", after_change=True),
        Measure("mixed load", f"{args.mixed_users} users, {args.mixed_seconds:g} s"),
    ]
    changes = Changes(url)
    with Server(url, args.workers) as server:
        cookie = login(server.port)
        for measure in routes:
            if measure.label == "mixed load":
                mixed_load(server.port, measure, cookie, url, users=args.mixed_users, seconds=args.mixed_seconds)
                continue
            status, _, _ = request(server.port, measure.path, cookie=cookie)
            if status == 404:
                measure.skipped = f"{measure.path} does not exist in this build"
                continue
            if status != 200:
                measure.skipped = f"{measure.path} answered HTTP {status}"
                continue
            if measure.after_change:
                load_after_changes(server.port, measure, cookie, changes, max_requests=min(args.requests, COLD_REQUESTS))
                continue
            warm = Measure(measure.label, measure.path)  # both workers compile and cache first
            load(server.port, warm, cookie, concurrency=args.concurrency, max_requests=4 * args.workers,
                 max_seconds=args.seconds)
            load(server.port, measure, cookie, concurrency=args.concurrency, max_requests=args.requests,
                 max_seconds=args.seconds)
    changes.close()
    report(label, routes)
    return routes


def report(label: str, routes: list[Measure]) -> None:
    trivial = routes[0].rps or 1.0
    # Other processes on the machine slow every route alike; the load says how quiet it was.
    load_1m = os.getloadavg()[0]
    print(f"\n{label} — {os.cpu_count()} CPUs, load average {load_1m:.1f}")
    print(f"  {'route':<15} {'path':<16} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs trivial':>10}")
    for m in routes:
        if m.skipped:
            print(f"  {m.label:<15} skipped: {m.skipped}")
            continue
        errors = f"  ({m.errors} failed)" if m.errors else ""
        versus = f"{'one by one':>10}" if m.after_change else f"{'many users':>10}" if m.mixed else \
            f"{m.rps / trivial:>9.0%}"
        print(f"  {m.label:<15} {m.path[:16]:<16} {m.requests:>8} {m.rps:>8.1f} {m.percentile(50):>8.1f} "
              f"{m.percentile(95):>8.1f} {versus}{errors}")
    by = {m.label: m for m in routes}
    register, dashboard = by["register"], by["dashboard"]
    for measure, goal in ((register, GOAL_REGISTER_SHARE), (by["JCO page"], GOAL_JCO_SHARE)):
        if not measure.skipped:
            share = measure.rps / trivial
            verdict = "met" if share >= goal else "NOT met"
            print(f"  goal {measure.label} ≥ {goal:.0%} of trivial throughput: {share:.0%} — {verdict}")
    for label, goal_ms in (("dashboard, cold", GOAL_DASHBOARD_P95_MS), ("JCO page, cold", GOAL_JCO_COLD_P95_MS)):
        cold = by[label]
        if not cold.skipped:
            p95 = cold.percentile(95)
            verdict = "met" if p95 < goal_ms else "NOT met"
            print(f"  goal {label} p95 < {goal_ms} ms: {p95:.0f} ms — {verdict}")
    mixed = by["mixed load"]
    if mixed.skipped:
        print(f"  goal mixed load: not measured ({mixed.skipped})")
    else:
        figures = mixed.mixed
        met = (figures["failures"] == 0 and figures["p95_ms"] < GOAL_MIXED_P95_MS
               and all(figures["writes"].get(kind, 0) == found for kind, found in figures["writes_found_by_kind"].items()))
        print(f"  goal mixed load without error, p95 < {GOAL_MIXED_P95_MS} ms, every write stored: "
              f"{figures['failures']} errors, p95 {figures['p95_ms']:.0f} ms, "
              f"{figures['writes_found']} of {figures['writes_sent']} writes found — {'met' if met else 'NOT met'}")
        for route, measured in sorted(figures["routes"].items()):
            print(f"    {route:<34} {measured['requests']:>6} requests  p50 {measured['p50_ms']:>7.0f} ms  "
                  f"p95 {measured['p95_ms']:>7.0f} ms" + (f"  ({measured['failures']} failed)"
                                                           if measured["failures"] else ""))
        print(f"    writes the server confirmed: {figures['writes']}; found in the database: "
              f"{figures['writes_found_by_kind']}")
        if figures["errors"]:
            print(f"    errors: {figures['errors']}")
    if dashboard.skipped:
        print(f"  goal dashboard p95 < {GOAL_DASHBOARD_P95_MS} ms: not measured ({dashboard.skipped})")
    else:
        p95 = dashboard.percentile(95)
        verdict = "met" if p95 < GOAL_DASHBOARD_P95_MS else "NOT met"
        print(f"  goal dashboard p95 < {GOAL_DASHBOARD_P95_MS} ms: {p95:.0f} ms — {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jco.devtools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=5000)
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("JCO_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--requests", type=int, default=400, help="at most this many measured requests per route")
    parser.add_argument("--seconds", type=float, default=15.0, help="at most this long per route")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rebuild", action="store_true", help="build the databases again even if they match")
    parser.add_argument("--mixed-users", type=int, default=20, help="simulated users of the mixed load")
    parser.add_argument("--mixed-seconds", type=float, default=60.0, help="how long the mixed load runs")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    started = time.monotonic()
    summary = {}
    for engine in engines:
        print(f"== {engine}: {args.operations:,} operations, {args.results:,} results", flush=True)
        try:
            if engine == "sqlite":
                url = prepare_sqlite(args.operations, args.results, args.seed, args.rebuild)
                label = f"SQLite ({args.operations:,} operations, {args.results:,} results)"
            else:
                url = prepare_postgres(args.postgres_url, args.operations, args.results, args.seed, args.rebuild)
                label = f"PostgreSQL ({args.operations:,} operations, {args.results:,} results)"
        except Exception as error:  # noqa: BLE001 - say why an engine was left out, then go on
            print(f"  {engine} left out: {error}", flush=True)
            continue
        routes = bench_engine(label, url, args)
        summary[engine] = {m.label: {"path": m.path, "requests": m.requests, "rps": round(m.rps, 1),
                                     "p50_ms": round(m.percentile(50), 1), "p95_ms": round(m.percentile(95), 1),
                                     "errors": m.errors, "skipped": m.skipped,
                                     **({key: m.mixed[key] for key in ("statuses", "writes", "writes_found_by_kind", "writes_sent",
                                                                       "writes_found", "routes")}
                                        if m.mixed else {})} for m in routes}
    DATA_DIR.mkdir(exist_ok=True)
    (DATA_DIR / "last-run.json").write_text(json.dumps(
        {"operations": args.operations, "results": args.results, "cpus": os.cpu_count(),
         "load_average": round(os.getloadavg()[0], 1), "engines": summary}, indent=2))
    print(f"\nWhole run: {time.monotonic() - started:.0f} s (figures also in {DATA_DIR / 'last-run.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
