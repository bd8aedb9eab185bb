"""Downloading the register (CSV, Excel) and any table through table_response."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from jco.documents.models import Document
from jco.imports.models import ImportStash
from jco.imports.parsing import clean
from jco.operations.exports import REGISTER_COLUMNS, neutralise, table_response
from jco.operations.reference_data import ensure_reference_data
from tests.conftest import _empty_all_tables
from tests.factories import make_account, make_jco


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_register_as_csv(client, auth, demo):
    auth.login("de.delegate@example.org")
    response = client.get("/jcos/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert response.headers["Content-Disposition"].startswith('attachment; filename="jco-register-')
    rows = read_csv(response)
    assert list(rows[0]) == list(REGISTER_COLUMNS)
    by_title = {f"{r['name']} {r['edition']}".strip(): r for r in rows}
    assert set(by_title) == {"Baltica", "Athena IV", "Postbox", "DEMO Lighthouse", "DEMO Harbour", "DEMO Kestrel"}
    baltica = by_title["Baltica"]
    assert baltica["lead"] == "PL - Polish Customs Administration" and baltica["co_leads"] == "OLAF"
    assert baltica["participants"].split(";") == ["PL", "FI", "EE", "LV", "LT", "SE"]
    assert baltica["agencies"] == "OLAF;Europol" and baltica["target_goods"] == "tobacco products"
    assert (baltica["kind"], baltica["state"]) == ("Regional", "Debriefing")  # the labels people read
    athena = by_title["Athena IV"]
    assert athena["council_docs"] == "6512/15;6512/1/15 REV 1;6512/1/15 ADD 1 REV 1"
    assert athena["classification"] == "RESTREINT UE"


def test_register_export_follows_the_register_filters(client, auth, demo):
    auth.login("de.delegate@example.org")
    rows = read_csv(client.get("/jcos/export.csv?state=comments&sort=name"))
    assert [r["name"] for r in rows] == ["DEMO Lighthouse", "Postbox"]
    html = client.get("/jcos?state=comments").get_data(as_text=True)
    assert re.search(r'href="/jcos/export\.csv\?state=comments[^"]*" download>Download CSV</a>', html)
    assert re.search(r'href="/jcos/export\.xlsx\?state=comments[^"]*" download>Download Excel</a>', html)


def test_register_as_excel_has_the_same_rows(client, auth, demo):
    auth.login("de.delegate@example.org")
    response = client.get("/jcos/export.xlsx?sort=name")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    excel = read_xlsx(response)
    text = read_csv(client.get("/jcos/export.csv?sort=name"))
    normalise = [{k: "" if v is None else str(v) for k, v in row.items()} for row in excel]
    assert normalise == text


def test_excel_columns_are_sized_to_their_content(client, auth, demo):
    auth.login("de.delegate@example.org")
    sheet = load_workbook(io.BytesIO(client.get("/jcos/export.xlsx?sort=name").get_data())).active
    header = [c.value for c in sheet[1]]
    widths = {name: sheet.column_dimensions[chr(ord("A") + i)].width for i, name in enumerate(header[:26])}
    longest = {name: max(len(str(c.value or "")) for c in sheet[chr(ord("A") + i)])
               for i, name in enumerate(header[:26])}
    for name, width in widths.items():
        assert min(longest[name], 58) + 2 <= width <= 60, (name, width, longest[name])


def test_export_never_holds_a_classified_title(client, auth, demo, db):
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    auth.login("lv.delegate@example.org")  # cleared, yet the export is a list of references only
    for fmt in ("csv", "xlsx"):
        body = client.get(f"/jcos/export.{fmt}").get_data()
        assert addendum.title.encode() not in body


def test_formulas_are_neutralised(client, auth, db):
    make_jco(db, "=HYPERLINK(\"http://evil.example\",\"x\")", description="x")
    make_jco(db, "@SUM(A1)")
    make_account(db, "reader@example.org", role="manager", org_code="COM")
    db.commit()
    auth.login("reader@example.org")
    names = [r["name"] for r in read_csv(client.get("/jcos/export.csv?sort=name"))]
    assert names == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(A1)"]
    sheet = load_workbook(io.BytesIO(client.get("/jcos/export.xlsx?sort=name").get_data())).active
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [
        ("=HYPERLINK(\"http://evil.example\",\"x\")", "s"), ("@SUM(A1)", "s")]


@pytest.mark.parametrize("path", ["/jcos/export.csv", "/jcos/export.xlsx"])
def test_export_needs_login(client, demo, path):
    assert client.get(path).status_code == 302


def test_unknown_export_format_is_404(client, auth, demo):
    auth.login("de.delegate@example.org")
    assert client.get("/jcos/export.pdf").status_code == 404


def test_exported_register_imports_into_an_empty_one_as_it_was(client, auth, demo_history, app, db):
    """The export has the import's columns: moving a register to another deployment keeps it."""
    auth.login("secretariat@example.org")
    exported = client.get("/jcos/export.csv?sort=name").get_data()
    before = read_csv(client.get("/jcos/export.csv?sort=name"))
    db.close()  # the requests above shared this test's session: end its transaction before emptying
    _empty_all_tables(app.extensions["jco_engine"])
    ensure_reference_data(db)
    make_account(db, "secretariat@example.org", role="secretariat", org_code="GSC")
    db.commit()
    auth.login("secretariat@example.org")
    page = client.post("/import", data={"file": (io.BytesIO(exported), "register.csv")},
                       content_type="multipart/form-data")
    assert "29 to create" in page.get_data(as_text=True)
    digest = db.scalar(select(ImportStash.sha256))
    client.post("/import/confirm", data={"sha256": digest})
    after = read_csv(client.get("/jcos/export.csv?sort=name"))
    # The operational phase's last year comes from dates the import format does not carry.
    drop = ("year_end",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in after] == [
        {k: v for k, v in r.items() if k not in drop} for r in before]


def test_table_response_takes_sequences_or_mappings(app):
    columns = ["Year", "State", "Count"]
    with app.test_request_context():
        response = table_response([(2015, "Closed", 3), {"Year": 2016, "Count": -2}], columns, "by state", "csv")
        text = response.get_data(as_text=True)
        assert response.headers["Content-Disposition"] == 'attachment; filename="by-state.csv"'
        assert text == "\ufeffYear,State,Count\r\n2015,Closed,3\r\n2016,,-2\r\n"
        sheet = load_workbook(io.BytesIO(
            table_response([[date(2015, 10, 20), "+1", 1.5]], columns, "x", "xlsx").get_data())).active
        assert [c.value for c in sheet[2]][1:] == ["+1", 1.5] and sheet["A2"].value.date() == date(2015, 10, 20)
        with pytest.raises(NotFound):
            table_response([], columns, "x", "pdf")


@pytest.mark.parametrize("value, safe", [("=1+1", "'=1+1"), ("+31 20", "'+31 20"), ("-5", "'-5"), ("@x", "'@x"),
                                         ("\tx", "'\tx"), ("Baltica", "Baltica"), (-5, -5), (None, None),
                                         ("BE;=HYPERLINK(1)", "BE;'=HYPERLINK(1)"), ("a; -5 kg;@b", "a; '-5 kg;'@b"),
                                         ("cash; monetary instruments", "cash; monetary instruments")])
def test_neutralise(value, safe):
    assert neutralise(value) == safe
    if isinstance(value, str):
        assert clean(safe) == " ".join(value.split())  # the importer reads the original back


def test_every_item_of_a_list_cell_is_neutralised(client, auth, db):
    """Excel in a ';' locale splits a CSV at ';': each item of a list cell may become a cell."""
    make_jco(db, "Listop", commodities=["=cmd|'/c calc'!A1", "cigarettes"], transport_modes=["@road"])
    make_account(db, "reader@example.org", role="manager", org_code="COM")
    db.commit()
    auth.login("reader@example.org")
    text = client.get("/jcos/export.csv").get_data(as_text=True)
    row = read_csv(client.get("/jcos/export.csv"))[0]
    assert set(row["target_goods"].split(";")) == {"cigarettes", "'=cmd|'/c calc'!A1"}
    assert row["transport_modes"] == "'@road"
    for line in text.splitlines()[1:]:
        for item in re.split(r'[;,"]', line):
            assert not item.lstrip(" ").startswith(("=", "+", "@")), item


def test_importing_the_export_back_changes_nothing(client, auth, demo_history, db):
    auth.login("secretariat@example.org")
    exported = client.get("/jcos/export.xlsx").get_data()
    page = client.post("/import", data={"file": (io.BytesIO(exported), "register.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "29 rows:</strong> 0 to create, 0 to update, 29 unchanged, 0 with errors" in page
