"""Importing a register: dry run, import in one transaction, idempotence, the page and the command."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from jco.audit.models import AuditEntry
from jco.documents.models import Document
from jco.imports.models import ImportStash
from jco.imports.parsing import COLUMNS, KNOWN_COLUMNS
from jco.imports.reading import Limits, UnreadableFile, read_table
from jco.imports.services import import_table, plan_import
from jco.operations import services as ops
from jco.operations.lifecycle import LifecycleError, Transition
from jco.operations.models import Jco, JcoEvent, Organisation, Participant
from tests.factories import make_account, make_document, make_jco

TABLES = (Jco, Participant, Document, JcoEvent, AuditEntry)


def csv_bytes(*rows: dict, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def counts(db) -> dict:
    return {t.__name__: db.scalar(select(func.count()).select_from(t)) for t in TABLES}


def run(db, content: bytes, *, dry_run: bool = False, filename: str = "test.csv"):
    report = import_table(db, read_table(content), filename=filename, dry_run=dry_run)
    if dry_run:
        db.rollback()
    else:
        db.commit()
    return report


def jco_named(db, name, edition=""):
    return db.scalar(select(Jco).where(Jco.name == name, Jco.edition == edition))


OPERATION = {"name": "TESTOP", "edition": "1", "year_start": "2014", "year_end": "2014",
             "lead": "PL - Polish Customs Administration", "participants": "PL;LT", "agencies": "OLAF",
             "target_goods": "cigarettes", "transport_modes": "road", "results_summary": "1 million cigarettes",
             "source_urls": "https://example.org/testop", "notes": "type=EU_JCO | confidence=high | op_period=3-9 Mar 2014"}


def test_the_public_file_imports_once_and_a_second_time_changes_nothing(db, shared_data_dir):
    content = (shared_data_dir / "public-jcos.csv").read_bytes()
    first = run(db, content, filename="public-jcos.csv")
    assert (first.count("create"), first.count("error")) == (26, 0)
    after_first = counts(db)
    assert after_first["Jco"] == 26
    versions = dict(db.execute(select(Jco.id, Jco.version)).all())
    second = run(db, content, filename="public-jcos.csv")
    assert [r.action for r in second.rows] == ["unchanged"] * 26
    assert all(not r.changes for r in second.rows)
    assert counts(db) == after_first
    assert dict(db.execute(select(Jco.id, Jco.version)).all()) == versions


def test_dry_run_reports_but_changes_nothing(db, shared_data_dir):
    before = counts(db)
    report = run(db, (shared_data_dir / "public-jcos.csv").read_bytes(), dry_run=True)
    assert report.count("create") == 26 and not report.applied
    baltica = report.rows[0]
    assert baltica.changes[0] == "new operation Baltica (Regional, 2015)"
    assert any(c.startswith("state: Closed (the operational phase ended in 2015") for c in baltica.changes)
    assert counts(db) == before


def test_rows_with_errors_are_left_out_and_the_others_go_in(db):
    report = run(db, csv_bytes(OPERATION, {**OPERATION, "name": "BROKEN", "participants": "FR;XX"},
                               {**OPERATION, "name": "OTHER", "lead": ""}))
    assert [r.action for r in report.rows] == ["create", "error", "create"]
    assert [str(p) for p in report.rows[1].errors] == ["row 3: participants: 'XX' is not an ISO 3166 country code"]
    assert [str(p) for p in report.rows[2].warnings] == [
        "row 4: lead: no lead given: the operation will have no lead on record"]
    assert sorted(db.scalars(select(Jco.name))) == ["Other", "Testop"]


def test_an_imported_operation_carries_the_file_facts(db):
    run(db, csv_bytes(OPERATION))
    jco = jco_named(db, "Testop")
    roles = {p.organisation.code: (p.role, p.agency) for p in jco.participants}
    assert roles == {"PL": ("lead", "Polish Customs Administration"), "LT": ("participant", ""),
                     "OLAF": ("participant", "")}
    assert [c.name for c in jco.commodities] == ["cigarettes"] and [t.name for t in jco.transport_modes] == ["road"]
    assert (jco.year, jco.actual_start, jco.actual_end) == (2014, date(2014, 3, 3), date(2014, 3, 9))
    assert jco.kind == "regional" and jco.state == "closed"
    assert jco.public_results == "1 million cigarettes" and jco.sources == "https://example.org/testop"
    event = db.scalar(select(JcoEvent).where(JcoEvent.jco_id == jco.id))
    assert event.note.startswith("Recorded by import from test.csv, row 2: the operational phase ended in 2014")
    assert "https://example.org/testop" in event.note


def test_the_same_operation_twice_in_one_file_is_an_error(db):
    report = run(db, csv_bytes(OPERATION, {**OPERATION, "name": "testop", "edition": "I"}))
    assert [r.action for r in report.rows] == ["create", "error"]
    assert "the same operation as row 2" in str(report.rows[1].errors[0])


def test_existing_operation_is_matched_and_only_filled(db):
    jco = make_jco(db, "Testop", lead="DE", participants={"FR": "participant"}, commodities=["cash"])
    db.commit()
    report = run(db, csv_bytes({**OPERATION, "edition": "I"}))
    [plan] = report.rows
    assert (plan.action, plan.jco_id) == ("update", jco.id)
    db.refresh(jco)
    assert sorted(p.organisation.code for p in jco.participants) == ["DE", "FR"]  # the register's list wins
    assert [c.name for c in jco.commodities] == ["cash"]
    assert [t.name for t in jco.transport_modes] == ["road"]  # none before: filled
    assert jco.public_results == "1 million cigarettes" and jco.actual_start == date(2014, 3, 3) and jco.year == 2014
    assert any("the file also names PL, LT, OLAF" in n for n in plan.notes)
    assert any("target goods kept" in n for n in plan.notes)
    assert db.scalar(select(func.count()).select_from(Jco)) == 1


def test_source_facts_follow_the_file_and_a_blank_cell_keeps_them(db):
    run(db, csv_bytes(OPERATION))
    report = run(db, csv_bytes({**OPERATION, "results_summary": "2 million cigarettes", "source_urls": ""}))
    assert report.rows[0].changes == ["results from public sources: updated"]
    jco = jco_named(db, "Testop")
    assert jco.public_results == "2 million cigarettes" and jco.sources == "https://example.org/testop"


def test_state_of_an_imported_operation_moves_forward_only(db):
    run(db, csv_bytes({**OPERATION, "results_summary": ""}))
    jco = jco_named(db, "Testop")
    assert jco.state == "debriefing"
    report = run(db, csv_bytes(OPERATION))
    assert "state: Debriefing → Closed" in report.rows[0].changes[-1]
    db.refresh(jco)
    assert jco.state == "closed"
    back = run(db, csv_bytes({**OPERATION, "year_start": "2030", "year_end": "2030"}))
    assert any("never moves an operation back" in n for n in back.rows[0].notes)
    db.refresh(jco)
    assert jco.state == "closed"


def test_state_followed_in_the_register_is_never_changed(db):
    jco = make_jco(db, "Testop")
    business_case = make_document(db, jco=jco)
    ops.apply_transition(db, jco, Transition.PRESENT_BUSINESS_CASE, document=business_case)
    db.commit()
    report = run(db, csv_bytes(OPERATION))
    db.refresh(jco)
    assert jco.state == "presented"
    assert any("the register follows this operation's life cycle" in n for n in report.rows[0].notes)


def test_cited_documents_are_registered_once_and_linked_when_only_one_operation_cites_them(db):
    other = make_jco(db, "Elsewhere")
    make_document(db, "777/15", jco=other)
    make_document(db, "778/15")
    db.commit()
    report = run(db, csv_bytes(
        {**OPERATION, "council_docs": "12712/15 (business case, German delegation);13305/15;777/15;778/15",
         "classification": "LIMITE"},
        {**OPERATION, "name": "SECOND", "council_docs": "13305/15 (summary of CCWP Experts meeting)"},
    ))
    jco, second = jco_named(db, "Testop"), jco_named(db, "Second")
    docs = {d.reference: d for d in db.scalars(select(Document))}
    assert docs["12712/15"].jco_id == jco.id and docs["12712/15"].doc_type == "business_case"
    assert docs["12712/15"].title == "Business case, German delegation" and docs["12712/15"].marking == "LIMITE"
    assert docs["13305/15"].jco_id is None and docs["13305/15"].title == "Summary of CCWP Experts meeting"
    assert docs["778/15"].jco_id == jco.id  # known, unlinked, cited by one operation: linked
    assert docs["777/15"].jco_id == other.id  # belongs elsewhere: left there, with a warning
    assert any("777/15 belongs to another operation" in str(w) for w in report.rows[0].warnings)
    assert second.documents == []
    assert run(db, csv_bytes({**OPERATION, "council_docs": "12712/15;13305/15;777/15;778/15"},
                             {**OPERATION, "name": "SECOND", "council_docs": "13305/15"})).count("unchanged") == 2


def test_documents_of_unknown_marking_are_registered_as_limite_with_a_warning(db):
    report = run(db, csv_bytes({**OPERATION, "council_docs": "555/16", "classification": "unknown"}))
    assert db.scalar(select(Document.marking).where(Document.reference == "555/16")) == "LIMITE"
    assert [w.column for w in report.rows[0].warnings] == ["classification"]


def test_restreint_ue_documents_keep_their_marking(db):
    run(db, csv_bytes({**OPERATION, "council_docs": "6512/1/15 REV 1 + ADD 1 REV 1", "classification": "RESTREINT UE"}))
    assert set(db.scalars(select(Document.marking))) == {"RESTREINT UE"}


def test_excel_files_import_like_csv(db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append([2014 if c in ("year_start", "year_end") else OPERATION.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    report = run(db, out.getvalue(), filename="register.xlsx")
    assert report.count("create") == 1
    assert jco_named(db, "Testop").year == 2014


def test_semicolon_separated_csv_from_excel_is_read(db):
    report = run(db, csv_bytes(OPERATION, delimiter=";"))
    assert report.count("create") == 1
    assert sorted(p.organisation.code for p in jco_named(db, "Testop").participants) == ["LT", "OLAF", "PL"]


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    ("name,edition\nÉté,1\n".encode("latin-1"), "not UTF-8"),
    (b"title,year\nx,2015\n", "one of them must be “name”"),
    (b"PK\x03\x04 broken zip", "The Excel file cannot be read"),
])
def test_unreadable_files_say_what_to_do(content, message):
    with pytest.raises(UnreadableFile, match=message):
        read_table(content)


def test_missing_and_unknown_columns_are_file_warnings():
    table = read_table(b"name,colour\nX,blue\n")
    texts = [str(p) for p in table.problems]
    assert any("columns not used by the import: colour" in t for t in texts)
    assert any(t.startswith("columns missing (read as blank): edition") for t in texts)


def test_an_ambiguous_match_is_an_error(db):
    make_jco(db, "Testop")
    make_jco(db, "TESTOP", edition="I")
    db.commit()
    report = plan_import(db, read_table(csv_bytes(OPERATION)), filename="x.csv")
    assert report.rows[0].action == "error"
    assert "matches several operations of the register (Testop, TESTOP I)" in str(report.rows[0].errors[0])


# --- the command ---------------------------------------------------------------------------------

def test_cli_dry_run_prints_the_report_and_changes_nothing(runner, db, tmp_path):
    path = tmp_path / "ops.csv"
    path.write_bytes(csv_bytes(OPERATION, {**OPERATION, "name": "BAD", "participants": "XX"}))
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 1  # a row has errors
    assert "row 2  Testop: create" in result.output
    assert "row 3  Bad: not imported" in result.output
    assert "error: participants: 'XX' is not an ISO 3166 country code" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert db.scalar(select(func.count()).select_from(Jco)) == 0


def test_cli_import_commits(runner, db, tmp_path):
    path = tmp_path / "ops.csv"
    path.write_bytes(csv_bytes(OPERATION))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 created, 0 updated, 0 unchanged, 0 with errors" in result.output
    assert db.scalar(select(Jco.name)) == "Testop"


# --- the page ------------------------------------------------------------------------------------

@pytest.fixture
def secretariat(db):
    account = make_account(db, "sec@example.org", role="secretariat", org_code="GSC")
    db.commit()
    return account


def upload(client, content: bytes, name: str = "ops.csv"):
    return client.post("/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_upload_shows_the_dry_run_then_confirm_imports_the_same_file(client, auth, db, secretariat):
    auth.login("sec@example.org")
    response = upload(client, csv_bytes(OPERATION, {**OPERATION, "name": "BAD", "participants": "XX"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "What importing ops.csv would do" in html
    assert "<caption>What the import will do, row by row" in html
    assert "new operation Testop (Regional, 2014)" in html
    assert "participants: &#39;XX&#39; is not an ISO 3166 country code" in html
    assert 'value="Import"' in html
    assert db.scalar(select(func.count()).select_from(Jco)) == 0
    digest = db.scalar(select(ImportStash.sha256))
    assert f'value="{digest}"' in html
    done = client.post("/import/confirm", data={"sha256": digest})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "Import done" in html and "1 created" in html
    db.expire_all()
    assert list(db.scalars(select(Jco.name))) == ["Testop"]
    assert db.scalar(select(func.count()).select_from(ImportStash)) == 0
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "jco.import"))
    assert entry.actor_label == "sec@example.org"


def test_confirming_a_file_that_is_gone_asks_to_upload_again(client, auth, secretariat):
    auth.login("sec@example.org")
    response = client.post("/import/confirm", data={"sha256": "0" * 64}, follow_redirects=True)
    assert "Upload it again" in response.get_data(as_text=True)


def test_an_unreadable_upload_is_reported_on_the_form(client, auth, secretariat):
    auth.login("sec@example.org")
    html = upload(client, b"title\nx\n").get_data(as_text=True)
    assert "must be “name”" in html and 'aria-invalid="true"' in html


def test_the_import_with_nothing_new_offers_no_button(client, auth, db, secretariat):
    run(db, csv_bytes(OPERATION))
    auth.login("sec@example.org")
    html = upload(client, csv_bytes(OPERATION)).get_data(as_text=True)
    assert "the register already holds everything this file says" in html and 'value="Import"' not in html


@pytest.mark.parametrize("method, path", [("get", "/import"), ("post", "/import"), ("post", "/import/confirm")])
def test_only_the_secretariat_imports(client, auth, db, method, path):
    make_account(db, "delegate@example.org", role="delegate", org_code="DE")
    db.commit()
    auth.login("delegate@example.org")
    assert getattr(client, method)(path).status_code == 403


def test_the_register_offers_the_import_to_the_secretariat_only(client, auth, db, secretariat):
    make_account(db, "delegate@example.org", role="delegate", org_code="DE")
    db.commit()
    auth.login("sec@example.org")
    assert "Import a register" in client.get("/jcos").get_data(as_text=True)
    auth.logout()
    auth.login("delegate@example.org")
    assert "Import a register" not in client.get("/jcos").get_data(as_text=True)


def test_reimporting_the_public_file_over_the_demo_changes_nothing(client, auth, demo_history, db, shared_data_dir):
    before = counts(db)
    report = run(db, (shared_data_dir / "public-jcos.csv").read_bytes(), filename="public-jcos.csv")
    assert report.count("unchanged") == 26
    assert counts(db) == before


# --- caps ----------------------------------------------------------------------------------------

def many_rows(n: int) -> bytes:
    return csv_bytes(*({**OPERATION, "name": f"OP {i}"} for i in range(n)))


def test_rows_beyond_the_cap_are_refused_before_anything_is_read():
    read_table(many_rows(5), limits=Limits(max_rows=5))
    with pytest.raises(UnreadableFile, match="more than 5 rows .*JCO_IMPORT_MAX_ROWS.*nothing was imported"):
        read_table(many_rows(6), limits=Limits(max_rows=5))


def test_the_default_cap_is_5000_rows():
    assert Limits().max_rows == 5000
    with pytest.raises(UnreadableFile, match="more than 5,000 rows"):
        read_table(b"name\n" + b"x\n" * 5001)


def xlsx_bytes(rows: list[list], padding: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if padding:  # long distinct cells: a few kilobytes zipped, megabytes unzipped
        sheet.append(["PAD", *(f"{i}" + "x" * 30_000 for i in range(padding // 30_000))])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_that_unzips_beyond_the_cap_is_refused():
    content = xlsx_bytes([["name"], ["X"]], padding=3 * 2**20)
    assert len(content) < 100_000
    with pytest.raises(UnreadableFile, match="unpacks to 3 MB, more than the 2 MB .*JCO_IMPORT_MAX_XLSX_MB"):
        read_table(content, limits=Limits(max_xlsx_bytes=2 * 2**20))
    assert [v["name"] for _, v in read_table(content).rows] == ["X", "PAD"]


@pytest.mark.parametrize("app_config", [{"JCO_IMPORT_MAX_ROWS": 3, "JCO_IMPORT_MAX_XLSX_MB": 1}])
def test_the_page_refuses_a_file_beyond_the_caps_and_keeps_nothing(client, auth, db, secretariat, app_config):
    auth.login("sec@example.org")
    before = counts(db)
    for content, name, message in (
        (many_rows(4), "big.csv", "more than 3 rows of operations"),
        (xlsx_bytes([["name"], ["X"]], padding=2 * 2**20), "big.xlsx", "more than the 1 MB one import reads"),
    ):
        html = upload(client, content, name).get_data(as_text=True)
        assert message in html and 'value="Import"' not in html
        assert db.scalar(select(func.count()).select_from(ImportStash)) == 0
    assert counts(db) == before


@pytest.mark.parametrize("app_config", [{"JCO_IMPORT_MAX_ROWS": 3}])
def test_the_cli_refuses_a_file_beyond_the_cap_and_changes_nothing(runner, db, tmp_path, app_config):
    path = tmp_path / "big.csv"
    path.write_bytes(many_rows(4))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "more than 3 rows of operations" in result.output
    assert db.scalar(select(func.count()).select_from(Jco)) == 0


# --- frameworks, bodies, dates ---------------------------------------------------------------------

WCO = {**OPERATION, "name": "DEMETER", "edition": "V", "year_start": "2019", "year_end": "2019", "lead": "WCO",
       "participants": "CN;FR", "agencies": "Interpol", "results_summary": "131 seizures of waste",
       "notes": "type=WCO_OP | confidence=high | op_period=7-18 Oct 2019; 93 customs administrations"}


def test_a_related_operation_keeps_its_framework_and_never_claims_a_ccwp_step(db):
    report = run(db, csv_bytes(OPERATION, WCO))
    assert report.count("create") == 2
    jco = jco_named(db, "Demeter", "V")
    assert (jco.framework, jco.is_ccwp, jco.kind) == ("WCO_OP", False, "third_countries")
    assert jco.state == "proposed"  # the column's default: a related operation has no life-cycle state
    assert db.scalar(select(func.count()).select_from(JcoEvent).where(JcoEvent.jco_id == jco.id)) == 0
    assert (jco.actual_start, jco.actual_end, jco.public_results) == (date(2019, 10, 7), date(2019, 10, 18),
                                                                      "131 seizures of waste")
    assert [p.organisation.code for p in jco.leads] == ["WCO"]
    assert any(c.startswith("related operation: WCO global operation (WCO_OP)") for c in report.rows[1].changes)
    assert jco_named(db, "Testop").framework == "EU_JCO"
    assert run(db, csv_bytes(OPERATION, WCO)).count("unchanged") == 2


def test_a_related_operation_refuses_life_cycle_steps(db):
    run(db, csv_bytes(WCO))
    jco = jco_named(db, "Demeter", "V")
    with pytest.raises(LifecycleError, match="WCO global operation, not a CCWP operation"):
        ops.apply_transition(db, jco, Transition.WITHDRAW, note="no")
    db.rollback()
    assert db.get(Jco, jco.id).state == "proposed"


def test_a_related_operation_takes_no_results(db):
    from jco.operations.results import ResultRow, accepts_results, add_results

    run(db, csv_bytes({**WCO, "notes": "confidence=high | op_period=7-18 Oct 2019"}))  # once a CCWP JCO
    run(db, csv_bytes(WCO))  # now a WCO operation, its state column still "closed"
    jco = jco_named(db, "Demeter", "V")
    assert jco.state == "closed" and not accepts_results(jco)
    from jco.permissions import Refused

    with pytest.raises(Refused, match="results are recorded for CCWP operations"):
        add_results(db, jco, [ResultRow("FR", "waste", 1.0, "kg")], None)


def test_operations_created_in_the_app_are_ccwp(db):
    assert make_jco(db, "Fresh").framework == "EU_JCO"


def test_a_file_may_move_an_imported_operation_to_its_framework(db):
    """An operation imported before frameworks were read (as a CCWP JCO) is corrected by the file."""
    run(db, csv_bytes({**WCO, "notes": "confidence=high | op_period=7-18 Oct 2019"}))
    jco = jco_named(db, "Demeter", "V")
    assert jco.framework == "EU_JCO" and jco.state == "closed"
    report = run(db, csv_bytes(WCO))
    assert "framework: EU_JCO → WCO_OP" in report.rows[0].changes
    db.refresh(jco)
    assert jco.framework == "WCO_OP"


@pytest.mark.parametrize("column", ["lead", "co_leads", "agencies"])
def test_an_unknown_lead_or_agency_becomes_a_new_body_with_a_warning(db, column):
    row = {**OPERATION, "name": "JANUS", "lead": "", "co_leads": "", "agencies": "",
           column: "EUBAM - Odesa office", "notes": "type=JBCO | confidence=high | x"}
    report = run(db, csv_bytes(row, {**row, "name": "JANUS", "edition": "II"}))
    assert [r.action for r in report.rows] == ["create", "create"]
    warning = f"row 2: {column}: 'EUBAM' is not a body known here: it will be added as a new body (EUBAM)"
    assert warning in [str(w) for w in report.rows[0].warnings]
    body = db.scalar(select(Organisation).where(Organisation.code == "EUBAM"))
    assert (body.name, body.kind) == ("EUBAM", "body")
    jcos = [jco_named(db, "Janus"), jco_named(db, "Janus", "II")]
    assert all({(p.organisation.code, p.agency) for p in j.participants} >= {("EUBAM", "Odesa office")} for j in jcos)
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "organisation.create")) == 1
    again = run(db, csv_bytes(row))  # the body is found by its name now
    assert again.rows[0].action == "unchanged" and not again.rows[0].warnings


def test_a_new_body_never_takes_a_country_code(db):
    run(db, csv_bytes({**OPERATION, "lead": "FX", "participants": ""}))  # FX: no longer an ISO code
    [lead] = jco_named(db, "Testop").leads
    assert lead.organisation.kind == "body" and len(lead.organisation.code) > 2


def test_no_year_but_published_results_is_over_not_proposed(db):
    report = run(db, csv_bytes({**OPERATION, "year_start": "", "year_end": "", "notes": "type=EU_JCO | x"}))
    jco = jco_named(db, "Testop")
    assert jco.state == "closed"
    assert not [w for w in report.rows[0].warnings if w.column == "year_start"]
    event = db.scalar(select(JcoEvent).where(JcoEvent.jco_id == jco.id))
    assert "its results were published, so the operation is over (the source gives no year)" in event.note
    assert event.on is None  # no date known: the page says so rather than showing the import day


@pytest.mark.parametrize("cells, day", [
    ({}, date(2014, 3, 9)),  # closed: the end of the operational phase
    ({"notes": "type=EU_JCO | x", "council_docs": "14743/1/11 REV 1 (ENFOCUSTOM 109, 9 Dec 2011)",
      "year_start": "2010", "year_end": "2011"}, date(2011, 12, 9)),  # the latest Council document
    ({"notes": "type=EU_JCO | x"}, date(2014, 12, 31)),  # the year only: its last day, said so
    ({"notes": "type=EU_JCO | x", "results_summary": ""}, date(2014, 12, 31)),
])
def test_history_entries_carry_the_event_date_not_the_import_day(db, cells, day):
    run(db, csv_bytes({**OPERATION, **cells}))
    event = db.scalar(select(JcoEvent).where(JcoEvent.jco_id == jco_named(db, "Testop").id))
    assert event.on == day
    if day.month == 12 and day.day == 31:
        assert "the source gives the year only" in event.note


def test_the_history_shows_the_event_date(client, auth, db, secretariat):
    run(db, csv_bytes(OPERATION))
    auth.login("sec@example.org")
    html = client.get(f"/jcos/{jco_named(db, 'Testop').id}").get_data(as_text=True)
    history = html[html.index('id="history-h"'):]
    assert "9 March 2014" in history


# --- the register in and out ----------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_cli_export_then_import_into_an_empty_deployment_gives_the_same_register(
        runner, app, db, tmp_path, shared_data_dir, suffix):
    from jco.operations.reference_data import ensure_reference_data
    from tests.conftest import _empty_all_tables

    run(db, (shared_data_dir / "public-jcos.csv").read_bytes(), filename="public-jcos.csv")
    run(db, csv_bytes(WCO, {**OPERATION, "name": "JANUS", "lead": "EUBAM - Odesa office", "participants": "MD;UA",
                            "notes": "type=JBCO | x | op_period=1-5 Oct 2018"}))
    path = tmp_path / f"register.{suffix}"
    result = runner.invoke(args=["export", str(path)])
    assert result.exit_code == 0 and "register" in result.output and "28 operations written" in result.output

    def register():
        db.expire_all()
        return sorted(
            (j.name, j.edition, j.framework, j.kind, j.state if j.is_ccwp else "", j.year, j.actual_start,
             j.actual_end, j.public_results, j.sources, j.source_notes,
             sorted((p.organisation.name, p.role, p.agency) for p in j.participants),
             sorted(c.name for c in j.commodities), sorted(d.reference for d in j.documents))
            for j in db.scalars(select(Jco)))

    before = register()
    assert {row[2] for row in before} == {"EU_JCO", "ASEM_JCO", "WCO_OP", "JBCO"}
    db.close()
    _empty_all_tables(app.extensions["jco_engine"])
    ensure_reference_data(db)
    db.commit()
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "28 created" in result.output
    assert register() == before


def test_cli_export_needs_a_csv_or_xlsx_name(runner, tmp_path):
    result = runner.invoke(args=["export", str(tmp_path / "register.pdf")])
    assert result.exit_code != 0 and "must end in .csv or .xlsx" in result.output


def test_a_body_named_twice_by_code_and_by_name_takes_part_once(db):
    db.add(Organisation(code="EUBAM", name="EU Border Assistance Mission", kind="body"))
    db.commit()
    report = run(db, csv_bytes({**OPERATION, "co_leads": "EUBAM - Odesa", "agencies": "EU Border Assistance Mission"}))
    assert report.count("create") == 1 and not [w for w in report.rows[0].warnings if "new body" in w.message]
    [eubam] = [p for p in jco_named(db, "Testop").participants if p.organisation.code == "EUBAM"]
    assert (eubam.role, eubam.agency) == ("co_lead", "Odesa")


def register_csv(*rows: dict) -> bytes:
    """A register file with the kind and state columns an export writes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=KNOWN_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


@pytest.mark.parametrize("kind, state", [
    ("EU-wide", "Report presented"),  # what an export writes
    ("eu_wide", "report_presented"),  # the codes
    ("  eu-WIDE ", " REPORT_presented "),  # any case, spaces around, - or _
    ("À l'échelle de l'UE", "Rapport présenté"),  # French labels
    ("a l’echelle de l’ue", "rapport presente"),  # without accents, typographic apostrophes
    ("EU-wide", "Final report presented"),  # the operation page's longer label
])
def test_kind_and_state_are_read_from_labels_or_codes(db, kind, state):
    report = run(db, register_csv({**OPERATION, "kind": kind, "state": state}))
    assert report.rows[0].action == "create", [str(e) for e in report.rows[0].errors]
    jco = db.scalar(select(Jco).where(Jco.name == "Testop"))
    assert (jco.kind, jco.state) == ("eu_wide", "report_presented")


@pytest.mark.parametrize("column, value, message", [
    ("kind", "Continental", "row 2: kind: 'Continental' is not a kind of operation: write one of Regional, "
                            "EU-wide, With third countries, Not stated (or its code)"),
    ("state", "Half adopted", "row 2: state: 'Half adopted' is not a state of the life cycle: write it as the "
                              "register shows it (e.g. Report presented) or its code"),
])
def test_an_unknown_label_is_a_row_error_and_changes_nothing(db, column, value, message):
    before = counts(db)
    report = run(db, register_csv({**OPERATION, column: value}))
    assert report.rows[0].action == "error"
    assert [str(e) for e in report.rows[0].errors] == [message]
    assert counts(db) == before


def test_the_register_download_imports_again_unchanged(client, auth, db, secretariat):
    """Export with labels, import the same file: every row matches an operation and nothing changes."""
    run(db, register_csv({**OPERATION, "kind": "regional", "state": "report_presented"},
                         {**WCO, "kind": "third_countries"}))
    auth.login("sec@example.org")
    exported = client.get("/jcos/export.csv?framework=all").get_data()
    header, *lines = exported.decode("utf-8-sig").splitlines()
    assert any(",Regional,Report presented," in line for line in lines)
    assert any(",With third countries,," in line for line in lines)
    before = counts(db)
    report = run(db, exported)
    assert not any(r.errors for r in report.rows), [str(e) for r in report.rows for e in r.errors]
    assert report.count("create") == 0 and counts(db) == before


def test_a_dry_run_in_french_reads_french_and_the_history_keeps_english_notes(client, auth, db, secretariat):
    auth.login("sec@example.org")
    old = {**OPERATION, "notes": "type=EU_JCO", "results_summary": ""}  # 2014, no results: debriefing
    response = client.post("/import?lang=fr", data={"file": (io.BytesIO(csv_bytes(old, {**old, "name": "BAD",
                                                                                    "participants": "XX"})),
                                                             "ops.csv")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Ce que ferait l'importation de ops.csv" in html
    assert "<strong>Erreur :</strong> participants : « XX » n&#39;est pas un code de pays ISO 3166" in html
    assert "la phase opérationnelle s&#39;est terminée en 2014" in html
    digest = db.scalar(select(ImportStash.sha256))
    done = client.post("/import/confirm?lang=fr", data={"sha256": digest})
    assert "Importation terminée : ops.csv" in done.get_data(as_text=True)
    db.expire_all()
    notes = [n for n in db.scalars(select(JcoEvent.note)) if n]
    assert notes and all(n.startswith("Recorded by import from ops.csv, row 2: the operational phase ended in 2014")
                         for n in notes)
