"""Results of a final report: typed rows or a CSV file, all-or-nothing, summed in SQL on the JCO page."""

import io
import re

import pytest
from sqlalchemy import event, func, select

from jco.audit.models import AuditEntry
from jco.documents.models import Document
from jco.operations import results
from jco.operations.lifecycle import LifecycleError
from jco.operations.models import Commodity, Jco, Result
from tests.factories import make_jco, make_result
from tests.step_helpers import jco_id, reading, snapshot, text


def _rows(*rows):
    data = {"entry-submit": "Add these results"}
    for i, (country, commodity, quantity, unit) in enumerate(rows):
        data.update({f"entry-rows-{i}-country": country, f"entry-rows-{i}-commodity": commodity,
                     f"entry-rows-{i}-quantity": quantity, f"entry-rows-{i}-unit": unit})
    return data


def _upload(content: bytes, **extra):
    return {"upload-submit": "Upload the results", "upload-file": (io.BytesIO(content), "results.csv"), **extra}


def _results(app, jco):
    with reading(app) as s:
        return s.execute(
            select(Result.organisation_id.is_not(None), Commodity.name, Result.quantity, Result.unit, Result.year,
                   Result.document_id)
            .join(Commodity, Commodity.id == Result.commodity_id).where(Result.jco_id == jco).order_by(Result.id)
        ).all()


def test_lead_enters_rows_and_the_jco_page_sums_them_by_commodity_and_country(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")  # final report presented; led by Latvia
    auth.login("lv.delegate@example.org")
    page = text(client.get(f"/jcos/{kestrel}/results"))
    assert "Results file (CSV)" in page and '<optgroup label="EU Member States">' in page
    response = client.post(f"/jcos/{kestrel}/results", data=_rows(
        ("LV", "cash", "1000", "EUR"), ("LV", "cash", "250.5", "EUR"), ("DE", "Cash ", "20", "EUR"),
        ("", "tramadol tablets", "5000", "pieces"), ("", "", "", "")))
    assert response.status_code == 302
    with reading(app) as s:
        year = s.get(Jco, kestrel).year
        assert s.scalar(select(Commodity.id).where(Commodity.name == "tramadol tablets"))  # the vocabulary grew
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "jco.results")).one()
        assert entry.after["rows_added"] == 4
    assert {r[4] for r in _results(app, kestrel)} == {year}
    html = text(client.get(f"/jcos/{kestrel}"))
    section = html[html.index('id="results-h"'):]
    assert "Seizures by commodity and country" in section
    assert "1,250.5" in section  # the two Latvian cash rows, summed
    assert "Germany" in section and "Not by country" in section


def test_a_bad_row_keeps_the_input_and_adds_nothing(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")
    auth.login("lv.delegate@example.org")
    before = snapshot(app)
    response = client.post(f"/jcos/{kestrel}/results", data=_rows(
        ("LV", "cash", "1000", "EUR"), ("DE", "cash", "-5", "EUR")))
    html = text(response)
    assert response.status_code == 200
    assert "Some rows have problems; nothing was added." in html
    assert "The quantity must be more than zero, not -5." in html
    assert '<a href="#entry-rows-1-quantity">Row 2, quantity</a>' in html
    assert 'value="1000"' in html and 'value="-5"' in html
    assert _results(app, kestrel) == [] and snapshot(app) == before


def test_csv_with_a_bad_row_reports_its_line_and_adds_nothing(client, auth, demo, app):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    before = snapshot(app)
    content = b"country,commodity,quantity,unit\nPL,cigarettes,120000,pieces\nPL,cigarettes,many,pieces\n"
    response = client.post(f"/jcos/{baltica}/results", data=_upload(content), content_type="multipart/form-data")
    html = text(response)
    assert response.status_code == 200
    assert "Line 3: ‘many’ is not a quantity" in html
    assert "nothing was added" in html
    assert _results(app, baltica) == [] and snapshot(app) == before


def test_csv_upload_tied_to_the_report_replaces_earlier_results(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")
    with reading(app) as s:
        report = s.scalar(select(Document).where(Document.jco_id == kestrel, Document.doc_type == "final_report"))
        report_id, reference = report.id, report.reference
    auth.login("secretariat@example.org")
    client.post(f"/jcos/{kestrel}/results", data=_rows(("LV", "cash", "1", "EUR")))
    content = "\ufeffcountry;commodity;quantity;unit\r\nLV;cash;12,5;EUR\r\nNO;cash;3;EUR\r\n".encode()
    response = client.post(f"/jcos/{kestrel}/results", content_type="multipart/form-data",
                           data=_upload(content, **{"upload-document_id": str(report_id), "upload-replace": "y"}))
    assert response.status_code == 302
    assert _results(app, kestrel) == [(True, "cash", 12.5, "EUR", _results(app, kestrel)[0][4], report_id),
                                      (True, "cash", 3.0, "EUR", _results(app, kestrel)[0][4], report_id)]
    with reading(app) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "jco.results")
                          .order_by(AuditEntry.id.desc())).first()
        assert entry.summary.endswith(f"2 rows from {reference}") and entry.before == {"rows": 1}


def test_a_file_that_is_not_utf8_is_refused_with_advice(client, auth, demo, app):
    baltica = jco_id(app, "Baltica")
    auth.login("pl.delegate@example.org")
    content = "country,commodity,quantity,unit\nPL,papierosy (łódź),1,pieces\n".encode("cp1250")
    html = text(client.post(f"/jcos/{baltica}/results", data=_upload(content), content_type="multipart/form-data"))
    assert "save it as “CSV UTF-8”" in html
    assert _results(app, baltica) == []


def test_results_wait_for_the_end_of_the_operational_phase(app, demo):
    with reading(app) as s:
        jco = make_jco(s, "Early")
        with pytest.raises(LifecycleError, match="from the debriefing on"):
            results.add_results(s, jco, [results.ResultRow("DE", "cash", 1.0, "EUR")], None)


def test_results_from_a_classified_document_are_withheld_from_uncleared_readers(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    with reading(app) as s:
        addendum = s.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
        make_result(s, s.get(Jco, athena), "heroin", 17.25, "kg", country="LV", document=addendum)
        results.add_results(s, s.get(Jco, athena), [results.ResultRow("LV", "khat", 3.0, "kg")], None)
        s.commit()
    auth.login("de.delegate@example.org")
    html = text(client.get(f"/jcos/{athena}"))
    assert "khat" in html and "heroin" not in html and "17.25" not in html
    assert "1 result row from classified documents is not shown" in html
    auth.logout()
    auth.login("lv.delegate@example.org")  # RESTREINT UE clearance
    html = text(client.get(f"/jcos/{athena}"))
    assert "heroin" in html and "17.25" in html and "not shown" not in html


def test_the_report_select_offers_only_documents_this_system_may_hold(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    auth.login("lv.delegate@example.org")
    html = text(client.get(f"/jcos/{athena}/results"))
    assert ">6512/1/15 REV 1 (LIMITE)</option>" in html
    assert "ADD 1 REV 1" not in html  # RESTREINT UE is above what the deployment stores (LIMITE)


def test_jco_page_queries_do_not_grow_with_the_number_of_results(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")
    auth.login("lv.delegate@example.org")
    engine = app.extensions["jco_engine"]
    # The first page after logging in also touches the server-side session once: not the page's cost.
    assert client.get(f"/jcos/{kestrel}").status_code == 200

    def count_queries():
        statements = []

        def before(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", before)
        try:
            assert client.get(f"/jcos/{kestrel}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", before)
        return len(statements)

    with reading(app) as s:
        results.add_results(s, s.get(Jco, kestrel), [results.ResultRow("LV", "cash", 1.0, "EUR")], None)
        s.commit()
    few = count_queries()
    with reading(app) as s:
        rows = [results.ResultRow(code, f"goods {n}", n + 1.0, "kg") for n in range(60) for code in ("LV", "DE")]
        results.add_results(s, s.get(Jco, kestrel), rows, None)
        s.commit()
        assert s.scalar(select(func.count()).select_from(Result)) == 121
    assert count_queries() == few


# --- quantities as people write them (issue 14) ----------------------------------------------------

def test_typed_quantities_with_thousands_separators_are_read(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")
    auth.login("lv.delegate@example.org")
    response = client.post(f"/jcos/{kestrel}/results", data=_rows(
        ("LV", "cigarettes", "4,100,000", "pieces"), ("DE", "cigarettes", "4\u202f100\u202f000", "pieces"),
        ("PL", "cigarettes", "4 100 000", "pieces"), ("", "cash", "4.5", "EUR")))
    assert response.status_code == 302
    assert [row[2] for row in _results(app, kestrel)] == [4100000, 4100000, 4100000, 4.5]


@pytest.mark.parametrize(("quantity", "words"), [
    ("4,1", "Write decimals with a point: 4.1, not ‘4,1’."),
    ("4,100", "‘4,100’ can be read two ways: write 4100 for the whole number or 4.1 for the decimal."),
])
def test_an_ambiguous_quantity_is_refused_and_says_how_to_write_it(client, auth, demo, app, quantity, words):
    kestrel = jco_id(app, "DEMO Kestrel")
    auth.login("lv.delegate@example.org")
    before = snapshot(app)
    html = text(client.post(f"/jcos/{kestrel}/results", data=_rows(("LV", "cash", quantity, "EUR"))))
    assert words in html and f'value="{quantity}"' in html
    assert snapshot(app) == before


def test_the_one_final_report_on_record_is_chosen_already(client, auth, demo, app):
    kestrel = jco_id(app, "DEMO Kestrel")
    with reading(app) as s:
        reports = [d.id for d in s.scalars(select(Document).where(Document.jco_id == kestrel,
                                                                  Document.doc_type == "final_report"))]
    assert len(reports) == 1  # the demo's Kestrel has its one report, unmarked
    auth.login("lv.delegate@example.org")
    page = text(client.get(f"/jcos/{kestrel}/results"))
    assert re.findall(r'<option selected value="(\d+)"', page) == [str(reports[0])] * 2  # typed rows and file
    # a sent form keeps its own choice: "not tied to a document" stays chosen when a row is wrong
    html = text(client.post(f"/jcos/{kestrel}/results", data={**_rows(("LV", "cash", "x", "EUR")),
                                                              "entry-document_id": "0"}))
    assert '<option selected value="0">' in html
