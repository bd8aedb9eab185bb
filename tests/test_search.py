"""Search (issue 14): what it finds, in which order, what it never shows, and how each engine
serves it — every test on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html import unescape

import pytest
from docx import Document as DocxDocument
from sqlalchemy import select
from sqlalchemy import text as text_sql

from jco.comments.models import CommentRound
from jco.comments.services import submit_comment
from jco.core.db import get_session
from jco.documents import services as documents
from jco.documents.models import Document, Marking, StoredFile
from jco.documents.placeholders import placeholder_pdf
from jco.documents.references import DocumentReference
from jco.meetings.services import add_agenda_item
from jco.operations.models import Jco
from jco.search import queries
from jco.search.models import Kind, SearchEntry
from tests.factories import make_account, make_document, make_jco, make_meeting, org
from tests.test_indexes import plans


class Upload:
    def __init__(self, content: bytes, filename: str):
        self.filename, self.stream = filename, io.BytesIO(content)


def docx_with(text: str) -> bytes:
    document = DocxDocument()
    document.add_paragraph("Draft business case")
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def world(app, built_once):
    """Operations, documents with files, a meeting and comments, each with a word of its own."""
    return built_once("search world", lambda: _build_world(app))


def _build_world(app) -> dict[str, int]:
    with app.app_context():
        s = get_session()
        ids = {}
        athena = make_jco(s, "Athena", edition="IV", lead="LV", participants={"EE": "participant"},
                          commodities=["counterfeit medicines"], description="Fake <b>pills</b> & more")
        baltica = make_jco(s, "Baltica", lead="PL", participants={"FI": "participant"},
                           commodities=["tobacco products"])
        postbox = make_jco(s, "Postbox", lead="DE", commodities=["counterfeit goods"])
        ids.update(athena=athena.id, baltica=baltica.id, postbox=postbox.id)
        case = make_document(s, "12712/15", jco=postbox, title="Business case for Joint Customs Operation Postbox")
        documents.attach_file(s, case, Upload(placeholder_pdf("12712/15", "parcels from online marketplaces"),
                                              "case.pdf"))
        revision = make_document(s, "12712/1/15 REV 1", jco=postbox, title="Revised business case for Postbox")
        documents.attach_file(s, revision, Upload(docx_with("express couriers and quokkas"), "rev.docx"))
        secret = make_document(s, "6512/15 ADD 1", jco=athena, marking=Marking.RESTREINT_UE,
                               title="Secret annex on narwhal routes")
        ids.update(case=case.id, revision=revision.id, secret=secret.id)
        meeting = make_meeting(s, start_date=date(2015, 10, 20), place="Brussels")
        add_agenda_item(s, meeting, title="Debriefing of JCO Baltica", jco=baltica)
        ids["meeting"] = meeting.id
        round_ = CommentRound(jco_id=postbox.id, document_id=case.id, deadline=date.today() + timedelta(days=9))
        s.add(round_)
        s.flush()
        for code, body in (("FR", "France asks about axolotl shipments by sturgeon."),
                           ("PL", "Poland agrees with <i>wombat</i> sturgeon checks.")):
            author = make_account(s, f"{code.lower()}@search.test", org_code=code)
            submit_comment(s, round_, organisation_id=org(s, code).id, author=author, body=body)
        ids["round"] = round_.id
        make_account(s, "de@search.test", org_code="DE")  # the lead's delegate reads every comment
        make_account(s, "it@search.test", org_code="IT")  # takes no part, uncleared
        make_account(s, "gsc@search.test", role="secretariat", org_code="GSC", clearance=Marking.RESTREINT_UE)
        make_account(s, "lv@search.test", org_code="LV", clearance=Marking.RESTREINT_UE)
        s.commit()
    return ids


def found(client, query: str, email: str) -> str:
    client.post("/login", data={"email": email, "password": "jco-demo"})
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, kind: str) -> str:
    match = re.search(rf'<section aria-labelledby="results-{kind}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def shown(html: str) -> str:
    """The text of every result (the query's own echo in the title and the box left out)."""
    return text(" ".join(re.findall(r"<section aria-labelledby=\"results-.*?</section>", html, re.S)))


# --- what it finds -------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["Athena IV", "athena 4", "ATHENA iv", "athena"])
def test_operations_by_name_with_edition_in_either_numbering(client, world, query):
    operations = section(found(client, query, "it@search.test"), "jco")
    assert f'href="/jcos/{world["athena"]}"' in operations


def test_athena_5_is_not_athena_4(client, world):
    assert section(found(client, "athena 5", "it@search.test"), "jco") == ""


@pytest.mark.parametrize("query, expected", [("tobacco", "baltica"), ("Poland", "baltica"), ("PL", "baltica"),
                                             ("Estonia", "athena"), ("counterfeit medicines", "athena")])
def test_operations_by_goods_lead_and_participants(client, world, query, expected):
    operations = section(found(client, query, "it@search.test"), "jco")
    assert f'href="/jcos/{world[expected]}"' in operations


@pytest.mark.parametrize("query", ["12712/15", "ST 12712 2015 INIT", "12712/1/15 REV 1", "ST 12712 2015 REV 1"])
def test_documents_by_reference_in_any_form_the_parser_reads(client, world, query):
    DocumentReference.parse(query)  # every form here is one the reference parser reads
    documents_ = section(found(client, query, "it@search.test"), "document")
    links = re.findall(r'href="/documents/(\d+)"', documents_)
    assert {int(i) for i in links} >= {world["case"], world["revision"]}
    exact = world["revision"] if "REV" in query else world["case"]
    assert int(links[0]) == exact  # the document asked for first, then its family


@pytest.mark.parametrize("query, key", [("online marketplaces", "case"), ("quokkas", "revision"),
                                        ("express couriers", "revision"), ("revised business case", "revision")])
def test_documents_by_title_and_by_the_text_of_their_pdf_or_docx(client, world, query, key):
    documents_ = section(found(client, query, "it@search.test"), "document")
    assert f'href="/documents/{world[key]}"' in documents_
    assert "<mark>" in documents_


@pytest.mark.parametrize("query", ["20 October 2015", "2015-10-20", "debriefing baltica", "October 2015"])
def test_meetings_by_date_and_agenda_item(client, world, query):
    assert f'href="/meetings/{world["meeting"]}"' in section(found(client, query, "it@search.test"), "meeting")


def test_a_french_reader_finds_a_meeting_by_its_french_date_and_reads_the_date_in_french(client, world):
    client.post("/login", data={"email": "it@search.test", "password": "jco-demo"})
    html = client.get("/search", query_string={"q": "20 octobre 2015", "lang": "fr"}).get_data(as_text=True)
    meetings = section(html, "meeting")
    assert f'href="/meetings/{world["meeting"]}"' in meetings
    assert "20 octobre 2015" in text(meetings) and "2015-10-20" not in meetings


def test_results_are_grouped_by_kind_and_ranked(client, world, db):
    html = found(client, "Postbox", "gsc@search.test")
    kinds = re.findall(r'<section aria-labelledby="results-(\w+)"', html)
    assert kinds == ["jco", "document"]
    hits = queries.search(db, db.scalar(select_account("gsc@search.test")), "business case postbox")
    titles = [str(h.title) for g in hits.groups for h in g.hits]
    # Every word in the title ranks above a title that has only some of them in its text.
    assert "Postbox" in titles[0]


def select_account(email):
    from jco.accounts.models import Account
    return select(Account).where(Account.email == email)


def test_snippets_escape_first_then_mark_the_words(client, world):
    html = found(client, "pills", "it@search.test")
    operations = section(html, "jco")
    assert "Fake &lt;b&gt;<mark>pills</mark>&lt;/b&gt; &amp; more" in operations
    assert "<b>pills" not in html


def test_a_hostile_query_is_text(client, world):
    html = found(client, '"<script>alert(1)</script> OR * NEAR(', "it@search.test")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("query", ["", "   ", "!!!", "*"])
def test_nothing_to_look_for_finds_nothing(client, world, query):
    html = found(client, query, "it@search.test")
    assert "<section" not in html


# --- what no one may find --------------------------------------------------------------------------

def test_a_classified_title_gives_an_uncleared_reader_no_result_no_snippet_no_count(client, world):
    html = found(client, "narwhal", "it@search.test")
    assert "narwhal" not in shown(html)
    assert "0 results" in text(html) and "<section" not in html


def test_a_cleared_reader_finds_the_classified_title(client, world):
    html = found(client, "narwhal", "lv@search.test")
    assert f'href="/documents/{world["secret"]}"' in html and "<mark>narwhal</mark>" in html


def test_the_reference_of_a_classified_document_shows_only_that_it_exists(client, world):
    html = found(client, "6512/15 ADD 1", "it@search.test")
    documents_ = section(html, "document")
    assert f'href="/documents/{world["secret"]}"' in documents_
    assert "title withheld" in documents_ and "narwhal" not in documents_


def test_a_withheld_file_s_text_is_never_indexed(app, client, world):
    with app.app_context():
        s = get_session()
        top = make_document(s, "6600/15", marking=Marking.CONFIDENTIEL_UE, title="Confidential assessment")
        kept = documents.attach_file(s, top, Upload(placeholder_pdf("6600/15", "platypus corridor"), "c.pdf"))
        s.commit()
        assert kept is False and top.file_withheld
    assert "<section" not in found(client, "platypus", "gsc@search.test")


def test_the_text_of_a_classified_file_reaches_only_cleared_readers(app, client, world):
    app.config["JCO_MAX_STORED_MARKING"] = Marking.RESTREINT_UE.value
    with app.app_context():
        s = get_session()
        document = s.get(Document, world["secret"])
        assert documents.attach_file(s, document, Upload(placeholder_pdf("6512/15 ADD 1", "okapi seizures"), "a.pdf"))
        s.commit()
    assert "<section" not in found(client, "okapi", "it@search.test")
    client.post("/logout")
    assert f'href="/documents/{world["secret"]}"' in found(client, "okapi", "lv@search.test")


@pytest.mark.parametrize("email, sees_france, sees_poland", [
    ("fr@search.test", True, False),     # its own comment only
    ("pl@search.test", False, True),
    ("it@search.test", False, False),    # another delegation: nothing
    ("de@search.test", True, True),      # the lead reads every comment
    ("gsc@search.test", True, True),     # so does the Secretariat
])
def test_comments_only_for_those_allowed_to_read_them(client, world, email, sees_france, sees_poland):
    for word, expected in (("axolotl", sees_france), ("wombat", sees_poland)):
        html = found(client, word, email)
        client.post("/logout")
        comments = section(html, "comment")
        assert bool(comments) is expected, (email, word)
        assert (word in shown(html)) is expected
        if expected:
            assert f'href="/rounds/{world["round"]}"' in comments
        else:
            assert "0 results" in text(html)


def test_another_delegation_s_comment_changes_no_count(client, world):
    # Both comments say "sturgeon": France's reader counts and sees France's alone.
    html = found(client, "sturgeon", "fr@search.test")
    assert "Comments (1)" in text(html) and "1 result for" in text(html)
    assert "axolotl" in shown(html) and "wombat" not in html and "Poland" not in shown(html)
    client.post("/logout")
    assert "Comments (2)" in text(found(client, "sturgeon", "gsc@search.test"))


def test_search_needs_an_account(client, world):
    response = client.get("/search?q=athena")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- kept current in the same transaction ----------------------------------------------------------

def _ref_ids(session, kind: Kind, query: str) -> set[int]:
    return set(session.scalars(queries.matching_ids(kind, query)))


def test_the_index_changes_with_the_data_and_rolls_back_with_it(app, world):
    with app.app_context():
        s = get_session()
        jco = s.get(Jco, world["baltica"])
        jco.name = "Capybara"
        s.add(jco)
        s.flush()
        assert _ref_ids(s, Kind.JCO, "capybara") == {world["baltica"]}
        assert _ref_ids(s, Kind.JCO, "baltica") == set()
        s.rollback()
        assert _ref_ids(s, Kind.JCO, "capybara") == set()
        assert _ref_ids(s, Kind.JCO, "baltica") == {world["baltica"]}


def test_participants_goods_agenda_items_and_deletions_reach_the_index(app, world):
    from jco.operations import services as ops
    from jco.operations.models import Role

    with app.app_context():
        s = get_session()
        postbox = s.get(Jco, world["postbox"])
        ops.set_participants(s, postbox, [ops.ParticipantRow(organisation_id=org(s, "DE").id, role=Role.LEAD),
                                          ops.ParticipantRow(organisation_id=org(s, "MT").id, role=Role.PARTICIPANT)])
        s.flush()
        assert world["postbox"] in _ref_ids(s, Kind.JCO, "Malta")
        document = s.get(Document, world["revision"])
        document.title = "Revised business case, second thoughts"
        s.add(document)
        s.flush()
        assert _ref_ids(s, Kind.DOCUMENT, "second thoughts") == {world["revision"]}
        meeting = make_meeting(s, start_date=date(2016, 3, 1))
        item = add_agenda_item(s, meeting, title="Tour de table on gerbils")
        s.flush()
        assert _ref_ids(s, Kind.MEETING, "gerbils") == {meeting.id}
        s.delete(item)
        s.flush()
        assert _ref_ids(s, Kind.MEETING, "gerbils") == set()
        s.rollback()


def test_the_register_name_filter_uses_the_same_matching(client, world):
    client.post("/login", data={"email": "it@search.test", "password": "jco-demo"})
    for query, expected, absent in (("athena 4", "Athena IV", "Baltica"), ("Athena IV", "Athena IV", "Postbox"),
                                    ("tobacco", "Baltica", "Athena IV")):
        html = client.get("/jcos", query_string={"q": query}).get_data(as_text=True)
        rows = re.findall(r'<th scope="row"><a href="/jcos/\d+">([^<]+)</a>', html)
        assert expected in rows and absent not in rows, (query, rows)


def test_reindex_reads_files_held_before_search_existed(app, runner, world):
    with app.app_context():
        s = get_session()
        s.execute(StoredFile.__table__.update().values(text=""))
        s.execute(SearchEntry.__table__.delete())
        s.commit()
        assert _ref_ids(s, Kind.DOCUMENT, "quokkas") == set()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Search index rebuilt" in result.output, result.output
    with app.app_context():
        s = get_session()
        assert _ref_ids(s, Kind.DOCUMENT, "quokkas") == {world["revision"]}
        assert _ref_ids(s, Kind.JCO, "athena 4") == {world["athena"]}


def test_the_search_box_is_in_every_page_s_header(client, world):
    client.post("/login", data={"email": "it@search.test", "password": "jco-demo"})
    for path in ("/jcos", "/meetings", f"/jcos/{world['athena']}", "/search?q=x"):
        html = client.get(path).get_data(as_text=True)
        header = html[html.index("<header"):html.index("</header>")]
        assert 'role="search"' in header and '<label for="site-search-q"' in header, path


# --- each engine's index serves the query ----------------------------------------------------------

def test_each_engine_reads_its_full_text_index(app, world):
    # Enough entries of each kind that reading every one of a kind would cost more than the index:
    # PostgreSQL's planner then chooses as it would on years of data.
    with app.app_context():
        s = get_session()
        filler = [{"kind": kind, "ref_id": 100_000 + n, "title": "", "body": "", "terms": f"filler words {n}"}
                  for kind in Kind for n in range(6000)]
        s.execute(SearchEntry.__table__.insert(), filler)
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text_sql("ANALYZE search_entry"))
        s.commit()

    def run(session):
        list(session.scalars(queries.matching_ids(Kind.JCO, "athena 4")))
        queries.search(session, session.scalar(select_account("gsc@search.test")), "business case")

    statements = [(s, p) for s, p in plans(app, run) if "search_entry" in s]
    assert statements
    postgres = app.config["DATABASE_URL"].startswith("postgresql")
    for statement, plan in statements:
        if postgres:
            # Operations and meetings are found through the GIN index; documents and comments may
            # rightly be reached from the (fewer) rows the reader may see, by the entry's key.
            if " JOIN " not in statement:
                assert "ix_search_entry_terms" in plan, plan
            assert "Seq Scan on search_entry" not in plan, plan
        else:
            assert "VIRTUAL TABLE INDEX" in plan and "search_fts" in plan, plan


def test_the_search_page_sends_a_fixed_number_of_statements(app, client, world):
    from tests.factories import count_statements

    client.post("/login", data={"email": "gsc@search.test", "password": "jco-demo"})
    client.get("/account")  # the first page after logging in writes the server-side session once
    engine = app.extensions["jco_engine"]
    with count_statements(engine) as before:
        assert client.get("/search?q=postbox").status_code == 200
    with app.app_context():
        s = get_session()
        for n in range(5):
            make_document(s, f"{13000 + n}/15", jco=s.get(Jco, world["postbox"]), title=f"Postbox annex {n}")
        s.commit()
    with count_statements(engine) as after:
        assert client.get("/search?q=postbox").status_code == 200
    assert len(after) == len(before) <= 25, after


def test_the_migration_indexes_what_was_recorded_before_it(app, world):
    """Migration 0011 reads the files already held and builds every entry (then the app keeps them)."""
    from alembic import command

    from jco.core import migrate

    engine = app.extensions["jco_engine"]
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010_lifecycle")  # the revision before 0011
    migrate.upgrade(engine)
    with app.app_context():
        s = get_session()
        assert _ref_ids(s, Kind.DOCUMENT, "quokkas") == {world["revision"]}
        assert _ref_ids(s, Kind.DOCUMENT, "online marketplaces") == {world["case"]}
        assert _ref_ids(s, Kind.JCO, "athena 4") == {world["athena"]}
        assert _ref_ids(s, Kind.COMMENT, "wombat")


def test_hits_are_ranked_by_how_well_they_match(app, client, world):
    with app.app_context():
        s = get_session()
        weak = make_document(s, "14000/15", title="Annual report on customs cooperation")
        documents.attach_file(s, weak, Upload(placeholder_pdf("14000/15", "a long text " * 40 + "quetzal once"),
                                              "w.pdf"))
        strong = make_document(s, "14001/15", title="Quetzal: the quetzal trade in quetzal feathers")
        s.commit()
        weak_id, strong_id = weak.id, strong.id
    links = re.findall(r'href="/documents/(\d+)"', section(found(client, "quetzal", "it@search.test"), "document"))
    assert [int(i) for i in links] == [strong_id, weak_id]
