"""The dashboard's kept result totals (jco.dashboards.totals) always equal a full recomputation from
the results, after random sequences of writes — both engines."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, select, update

from jco.dashboards import totals
from jco.dashboards.queries import Scope, results_by_commodity_year, results_by_country
from jco.documents.models import DocType, Marking
from jco.operations.lifecycle import State
from jco.operations.models import Commodity, Organisation, Result, ResultSource
from jco.operations.queries import RegisterFilters
from jco.operations.results import ResultRow, add_results
from tests.factories import make_document, make_jco

COUNTRIES = ["PL", "LV", "DE", "FR", None]
GOODS = [("cigarettes", "pieces"), ("cash", "EUR"), ("cocaine", "kg"), ("cigarettes", "kg")]


def _same(db) -> None:
    conn = db.connection()
    kept, recomputed = totals.kept(conn), totals.recomputed(conn)
    assert kept.keys() == recomputed.keys()
    for key, (rows, quantity) in recomputed.items():
        assert kept[key][0] == rows, key
        assert kept[key][1] == pytest.approx(quantity), key


def _rows(rng: random.Random, n: int) -> list[ResultRow]:
    rows = []
    for _ in range(n):
        goods, unit = rng.choice(GOODS)
        rows.append(ResultRow(country=rng.choice(COUNTRIES), commodity=goods, quantity=round(rng.uniform(0, 1e6), 1),
                              unit=unit))
    return rows


@pytest.fixture
def reporting(db):
    """Three CCWP operations at the debriefing, each with a LIMITE final report."""
    jcos, reports = [], []
    for year in (2015, 2016, 2017):
        jco = make_jco(db, planned_start=None)
        jco.state, jco.year = State.DEBRIEFING.value, year
        db.flush()
        jcos.append(jco)
        reports.append(make_document(db, jco=jco, doc_type=DocType.FINAL_REPORT, marking=Marking.LIMITE))
    if db.scalar(select(Commodity.id).where(Commodity.name == "gold")) is None:
        db.add(Commodity(name="gold"))
    db.flush()
    return jcos, reports


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_totals_follow_random_writes(db, reporting, seed):
    rng = random.Random(seed)
    jcos, reports = reporting
    _same(db)
    for _step in range(25):
        jco = rng.choice(jcos)
        report = rng.choice([r for r in reports if r.jco_id == jco.id] + [None])
        action = rng.choice(["add", "replace", "delete_one", "edit_one", "marking", "jco_year", "state", "document",
                             "public", "bulk_delete"])
        if action in ("add", "replace"):
            if report is not None and report.marking == Marking.RESTREINT_UE:
                report = None  # this deployment may not hold its results (rows recorded earlier stay)
            add_results(db, jco, _rows(rng, rng.randint(1, 6)), None, document=report, replace=action == "replace")
        elif action == "delete_one":
            victim = db.scalar(select(Result).where(Result.jco_id == jco.id).limit(1))
            if victim is not None:
                db.delete(victim)
        elif action == "edit_one":
            victim = db.scalar(select(Result).where(Result.jco_id == jco.id).limit(1))
            if victim is not None:
                victim.quantity = rng.uniform(0, 10)
                victim.organisation_id = db.scalar(select(Organisation.id).where(Organisation.code == "LT"))
                victim.commodity_id = db.scalar(select(Commodity.id).where(Commodity.name == "gold"))
        elif action == "marking":
            document = rng.choice(reports)
            document.marking = rng.choice([Marking.LIMITE.value, Marking.RESTREINT_UE.value, Marking.NONE.value])
        elif action == "jco_year":
            jco.year = rng.randint(2010, 2020)
        elif action == "state":
            jco.state = rng.choice([State.DEBRIEFING.value, State.REPORT_PRESENTED.value])
        elif action == "document":
            reports.append(make_document(db, jco=jco, doc_type=DocType.FINAL_REPORT,
                                         marking=rng.choice([Marking.LIMITE, Marking.RESTREINT_UE])))
        elif action == "public":
            goods, unit = rng.choice(GOODS)
            db.add(Result(jco_id=jco.id, commodity_id=db.scalar(select(Commodity.id).where(Commodity.name == "gold")),
                          quantity=rng.uniform(1, 100), unit=unit, year=jco.year, source=ResultSource.PUBLIC.value))
        elif action == "bulk_delete":
            db.execute(delete(Result).where(Result.jco_id == jco.id, Result.quantity < 500_000))
        db.flush()
        _same(db)


def test_totals_roll_back_with_the_change(db, reporting, app):
    jcos, reports = reporting
    add_results(db, jcos[0], _rows(random.Random(4), 5), None, document=reports[0])
    db.commit()
    before = totals.kept(db.connection())
    add_results(db, jcos[0], _rows(random.Random(5), 5), None, document=reports[0], replace=True)
    db.rollback()
    assert totals.kept(db.connection()) == before
    _same(db)


def test_a_bulk_update_of_results_is_refused(db, reporting):
    with pytest.raises(NotImplementedError):
        db.execute(update(Result).values(quantity=1))


def test_rebuild_after_writes_around_the_orm(db, reporting):
    jcos, reports = reporting
    add_results(db, jcos[1], _rows(random.Random(6), 4), None, document=reports[1])
    db.connection().execute(Result.__table__.delete())  # around the ORM: the totals lag …
    assert totals.kept(db.connection()) != totals.recomputed(db.connection())
    totals.rebuild(db.connection())  # … until rebuilt
    _same(db)


@pytest.mark.parametrize("withheld", [(), (Marking.RESTREINT_UE.value,)])
def test_dashboard_reads_the_totals_as_the_results_give_them(db, reporting, withheld):
    """The unfiltered charts (kept totals) and a filtered view of every CCWP operation (summed from
    the results) agree, for every clearance."""
    jcos, reports = reporting
    rng = random.Random(7)
    for jco, report in zip(jcos, reports, strict=True):
        add_results(db, jco, _rows(rng, 8), None, document=report)
    reports[2].marking = Marking.RESTREINT_UE.value
    db.add(Result(jco_id=jcos[0].id, commodity_id=db.scalar(select(Commodity.id).where(Commodity.name == "gold")), quantity=3, unit="kg",
                  year=2015, source=ResultSource.PUBLIC.value))
    db.flush()
    plain = Scope(RegisterFilters(), withheld)
    every = [Scope(RegisterFilters(year=year), withheld) for year in (2015, 2016, 2017)]
    def rounded(rows):  # sums in another order differ in the last bits of a float
        return sorted((r.year, r.commodity, r.unit, r.source, r.seizures, round(r.quantity, 3)) for r in rows)

    by_year = rounded(row for scope in every for row in results_by_commodity_year(db, scope))
    assert rounded(results_by_commodity_year(db, plain)) == by_year
    countries = {r.code: (r.seizures, r.public) for r in results_by_country(db, plain)}
    summed: dict = {}
    for scope in every:
        for r in results_by_country(db, scope):
            seizures, public = summed.get(r.code, (0, 0))
            summed[r.code] = (seizures + r.seizures, public + r.public)
    assert countries == summed
    assert any(public for _, public in countries.values())


# --------------------------------------------------------------------- results from public sources

def test_published_quantities_are_read_plainly():
    from jco.imports.parsing import published_quantities

    assert published_quantities("13 million cigarettes seized: 4.1M by Polish customs; 3.2M cigarettes at "
                                "Kuznica") == [("cigarettes", 13_000_000, "pieces")]
    assert published_quantities("77,811,800 cigarettes and 44,062 kg water pipe tobacco; 10 t tobacco") == [
        ("cigarettes", 77_811_800, "pieces"), ("water pipe tobacco", 44_062, "kg"), ("tobacco", 10_000, "kg")]
    assert published_quantities("3,093 seizures Europe-wide, about one in three in Belgium") == []
    assert published_quantities("") == []


def test_the_import_records_public_results_once_and_the_dashboard_labels_them(db, client, auth, app):
    import csv
    import io

    from jco.imports.parsing import COLUMNS
    from jco.imports.reading import read_table
    from jco.imports.services import import_table
    from tests.factories import make_account

    row = {"name": "TESTOP", "edition": "1", "year_start": "2014", "year_end": "2014",
           "lead": "PL - Polish Customs Administration", "participants": "PL;LT", "target_goods": "cigarettes",
           "results_summary": "About 1.2 million cigarettes and 668 kg cocaine seized",
           "notes": "type=EU_JCO | confidence=high"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    content = out.getvalue().encode()
    import_table(db, read_table(content), filename="t.csv")
    db.commit()
    public = db.execute(select(Result.quantity, Result.unit, Result.source, Result.document_id)).all()
    assert sorted(public) == [(668.0, "kg", "public", None), (1_200_000.0, "pieces", "public", None)]
    ids = set(db.scalars(select(Result.id)))
    import_table(db, read_table(content), filename="t.csv")  # the same file again: nothing changes
    db.commit()
    assert set(db.scalars(select(Result.id))) == ids
    _same(db)

    make_account(db, "mgr@example.org", role="manager")
    db.commit()
    auth.login("mgr@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "2014, from public sources" in html
    assert "from public sources" in html and "not from a final report recorded here" in html
    table = client.get("/dashboard/results-by-commodity.csv").get_data(as_text=True)
    assert "cigarettes (from public sources),pieces,1,1200000" in table


# ------------------------------------------------------------------------------------ the timeline

def test_the_timeline_is_zoomed_on_the_open_operations_and_wider_on_request(client, auth, demo_history):
    import json
    import re

    auth.login("manager@example.org")
    html = client.get("/dashboard").get_data(as_text=True)
    figure = json.loads(re.search(r'data-target="timeline-chart">(.*?)</script>', html, re.S)[1])
    first, last = figure["layout"]["xaxis"]["range"]
    table = client.get("/dashboard/timeline.csv").get_data(as_text=True).splitlines()[1:]
    starts = sorted(line.split(",")[-3] for line in table)
    assert first > starts[0]  # the oldest phases (closed operations) are outside the zoom
    assert "timeline=all" in html and "Show all years" in html
    wide = client.get("/dashboard?timeline=all").get_data(as_text=True)
    figure = json.loads(re.search(r'data-target="timeline-chart">(.*?)</script>', wide, re.S)[1])
    assert "range" not in figure["layout"]["xaxis"]
    assert "Zoom on the open operations" in wide and 'name="timeline" value="all"' in wide
