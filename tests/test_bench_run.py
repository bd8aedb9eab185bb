"""`make bench` end to end on a tiny data set, per engine: it builds, serves with gunicorn, measures
every route and prints the goals — so the command the README's figures come from keeps working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parent.parent
ROUTES = ("trivial", "register", "JCO page", "dashboard", "calendar feed", "register, cold", "dashboard, cold",
          "JCO page, cold", "mixed load")


def test_bench_measures_every_route(database_url, tmp_path):
    engine = "postgres" if database_url.startswith("postgresql") else "sqlite"
    args = [sys.executable, "-m", "jco.devtools.bench", "--operations", "12", "--results", "240", "--engines", engine,
            "--requests", "6", "--seconds", "3", "--mixed-users", "3", "--mixed-seconds", "2"]
    pg_name = None
    if engine == "postgres":
        pg_name = f"jco_bench_test_{uuid.uuid4().hex[:10]}"
        args += ["--postgres-url", make_url(POSTGRES_URL).set(database=pg_name).render_as_string(hide_password=False)]
    try:
        run = subprocess.run(args, cwd=ROOT, env={**os.environ, "JCO_BENCH_DIR": str(tmp_path)},
                             capture_output=True, text=True, timeout=300)
    finally:
        if pg_name:
            admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    for goal in ("goal register ≥ 20% of trivial throughput:", "goal dashboard p95 < 150 ms:",
                 "goal JCO page ≥ 25% of trivial throughput:", "goal JCO page, cold p95 < 100 ms:",
                 "goal dashboard, cold p95 < 150 ms:",
                 "goal mixed load without error, p95 < 300 ms, every write stored:"):
        assert goal in out, out
    assert "skipped" not in out and "failed)" not in out, out
    figures = json.loads((tmp_path / "last-run.json").read_text())["engines"][engine]
    assert set(figures) == set(ROUTES)
    for label, measured in figures.items():
        assert measured["requests"] > 0 and measured["p95_ms"] > 0 and not measured["skipped"], (label, measured)
        assert measured["errors"] == 0, (label, measured)
    # Reads and writes at once, none refused, and each write the server confirmed is in the database.
    mixed = figures["mixed load"]
    assert set(mixed["statuses"]) <= {"200", "201", "302"}, mixed  # 302: a form that worked
    assert mixed["writes_sent"] > 0 and mixed["writes_found"] == mixed["writes_sent"], mixed
    for kind, found in mixed["writes_found_by_kind"].items():
        assert mixed["writes"].get(kind, 0) == found, (kind, mixed)
