"""The queries that read large tables are served by indexes — checked in each engine's own plan.

On small test data PostgreSQL's planner rightly prefers a sequential scan, so there the plan is
asked for with sequential scans discouraged (``enable_seqscan = off``): what is checked is that an
index able to serve the query exists and fits it, which is what keeps it fast on years of data.
SQLite's planner picks an index whenever one fits.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from jco.core.db import get_session
from jco.dashboards import queries as dashboard
from jco.devtools.synthetic import generate
from jco.operations import queries as register
from jco.operations.queries import RegisterFilters


@pytest.fixture
def data(app):
    with app.app_context():
        session = get_session()
        generate(session, operations=30, seed=5, results_per_operation=20)
        session.commit()
    return app


def plans(app, run) -> list[tuple[str, str]]:
    """(statement, plan) of every SELECT that ``run(session)`` sends."""
    with app.app_context():
        session = get_session()
        sent: list[tuple[str, object]] = []

        def before(_conn, _cursor, statement, parameters, _context, _many):
            if statement.lstrip().upper().startswith("SELECT"):
                sent.append((statement, parameters))

        engine = app.extensions["jco_engine"]
        event.listen(engine, "before_cursor_execute", before)
        try:
            run(session)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        connection = session.connection()
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET enable_seqscan = off")
        out = []
        for statement, parameters in sent:
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            out.append((statement, "\n".join(str(r[-1]) for r in rows)))
        session.rollback()
        return out


def plan_of(app, run, table: str) -> str:
    """The plan of the one statement of ``run`` that reads ``table``'s rows."""
    found = [(s, p) for s, p in plans(app, run) if re.search(rf"\b(FROM|JOIN) {table}\b", s)]
    assert found, f"no statement reads {table}"
    return found[0][1]


@pytest.mark.parametrize("withheld", [(), ("RESTREINT UE",)])
def test_the_unfiltered_dashboard_reads_the_kept_totals_not_the_results(data, withheld):
    scope = dashboard.Scope(RegisterFilters(), withheld)
    for run in (dashboard.results_by_commodity_year, dashboard.results_by_country):
        statements = [s for s, _ in plans(data, lambda s, run=run: run(s, scope))]
        assert any(re.search(r"\bFROM result_total\b", s) for s in statements)
        assert not any(re.search(r"\b(FROM|JOIN) result\b", s) for s in statements), statements


def test_dashboard_results_by_commodity_read_an_index(data):
    """Filtered by year, the results are summed from their table through one of its indexes — the
    covering one, or the operation's when the planner starts from the filtered operations (which
    PostgreSQL does or not depending on its statistics of the moment): never a scan of every row."""
    year = 2020
    plan = plan_of(data, lambda s: dashboard.results_by_commodity_year(s, dashboard.Scope(RegisterFilters(year=year))),
                   "result")
    assert re.search(r"ix_result_(year_commodity_unit|jco_id)", plan), plan
    assert "Seq Scan on result" not in plan and "SCAN result\n" not in plan + "\n", plan


@pytest.mark.parametrize("withheld", [(), ("RESTREINT UE",)])
def test_dashboard_results_by_country_read_an_index(data, withheld):
    scope = dashboard.Scope(RegisterFilters(year=2020), withheld)
    plan = plan_of(data, lambda s: dashboard.results_by_country(s, scope), "result")
    assert "ix_result_" in plan and "SCAN result\n" not in plan + "\n", plan


def test_a_jco_s_results_are_found_by_their_operation(data):
    plan = plan_of(data, lambda s: register.jco_results_summary(s, 1, []), "result")
    assert "ix_result_jco_id" in plan, plan


def test_register_lead_filter_reads_the_role_index(data):
    statements = plans(data, lambda s: register._register_page(s, RegisterFilters(lead="PL"), 50))
    assert any("ix_participant_role_org" in plan for _s, plan in statements), statements


# SQLite has no NULLS LAST in an index and sorts a few thousand rows in memory quickly.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_register_default_order_comes_from_an_index_on_postgresql(data):
    statements = plans(data, lambda s: register._register_page(s, RegisterFilters(), 50))
    page = next(plan for statement, plan in statements if "LIMIT" in statement)
    assert "ix_jco_year_desc_name" in page and "Sort" not in page.split("\n")[0], page
