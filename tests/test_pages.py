"""The first pages: register, JCO page, document page, meetings — on both engines."""

import re

import pytest
from sqlalchemy import select

from jco.documents.models import Document
from jco.meetings.models import Meeting
from jco.operations.models import Jco
from tests.factories import make_account, make_jco

PAGES = ["/jcos", "/jcos/1", "/documents/1", "/meetings", "/meetings/1", "/account"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_login(client, demo, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"


def test_login_page_contract(client):
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label for="email">Email</label>', html)
    assert re.search(r'<label for="password">Password</label>', html)
    assert 'value="Log in"' in html


def test_wrong_email_and_wrong_password_get_the_same_answer(client, demo):
    a = client.post("/login", data={"email": "nobody@example.org", "password": "jco-demo"})
    b = client.post("/login", data={"email": "de.delegate@example.org", "password": "wrong"})
    assert a.status_code == b.status_code == 200
    assert "The email or the password is not right." in a.get_data(as_text=True)
    assert "The email or the password is not right." in b.get_data(as_text=True)


def _ids(db):
    return {(j.name, j.edition): j.id for j in db.scalars(select(Jco))}


def test_register_lists_and_filters(client, auth, demo, db):
    auth.login("de.delegate@example.org")
    html = client.get("/jcos").get_data(as_text=True)
    for title in ("Baltica", "Athena IV", "Postbox", "DEMO Lighthouse"):
        assert title in html
    html = client.get("/jcos?state=comments").get_data(as_text=True)
    assert "Postbox" in html and "Baltica" not in html
    html = client.get("/jcos?lead=PL").get_data(as_text=True)
    assert "Baltica" in html and "Postbox" not in html
    goods = db.scalar(select(Jco).where(Jco.name == "Baltica")).commodities[0].id
    html = client.get(f"/jcos?goods={goods}").get_data(as_text=True)
    assert "Baltica" in html and "Athena IV" not in html
    html = client.get("/jcos?state=nonsense&page=abc&sort=evil").get_data(as_text=True)
    assert "Baltica" in html  # bad filter values are ignored, not a 500


# The register's name filter uses the search page's word matching (issue 14): SQL wildcards are never
# wildcards (issue 11: "%" matched every operation), and words still find what they name.
@pytest.mark.parametrize("q, found", [("%", []), ("_", []), ("\\", []), ("s%c", []), ("ke_e", []),
                                      ("100", ["Ops 100% clean"]), ("snake", ["Snake_eyes", "Snakeeyes"]), ("eyes", ["Snake_eyes"]),
                                      ("slash", ["Back\\slash"])])
def test_register_search_takes_wildcards_literally(client, auth, db, q, found):
    for name in ("Ops 100% clean", "Snake_eyes", "Snakeeyes", "Back\\slash", "Plain"):
        make_jco(db, name)
    make_account(db, "reader@example.org", role="manager", org_code="COM")
    db.commit()
    auth.login("reader@example.org")
    html = client.get("/jcos", query_string={"q": q}).get_data(as_text=True)
    shown = [name for name in ("Ops 100% clean", "Snake_eyes", "Snakeeyes", "Back\\slash", "Plain")
             if f">{name}<" in html]
    assert shown == found


def test_register_paginates_and_sorts(client, auth, demo, app):
    app.config["JCO_PAGE_SIZE"] = 2
    auth.login("de.delegate@example.org")
    first = client.get("/jcos?sort=name").get_data(as_text=True)
    assert "page 1 of 3" in first and 'rel="next"' in first
    names = re.findall(r'<th scope="row"><a href="/jcos/\d+">([^<]+)</a>', first)
    assert names == ["Athena IV", "Baltica"]
    third = client.get("/jcos?sort=name&page=3").get_data(as_text=True)
    assert re.findall(r'<th scope="row"><a href="/jcos/\d+">([^<]+)</a>', third) == ["DEMO Lighthouse", "Postbox"]


def test_the_kept_register_follows_every_change_and_leaves_each_reader_their_actions(client, auth, demo, db, app):
    """The register's filters, count, table and pager are rendered once and kept (jco.web.fragments):
    a new operation, a filter, the page size and the language each give a page of their own, and
    what the reader may do (create, import) is still decided for each reader."""
    auth.login("manager@example.org")  # reads everything, creates and imports nothing
    first = client.get("/jcos").get_data(as_text=True)
    assert "Baltica" in first and "Import a register" not in first and "New operation" not in first
    assert client.get("/jcos").get_data(as_text=True) == first  # served again while nothing changed
    make_jco(db, "Kept Register Check")
    db.commit()
    assert "Kept Register Check" in client.get("/jcos").get_data(as_text=True)
    assert "Baltica" not in client.get("/jcos?q=Kept").get_data(as_text=True)
    french = client.get("/jcos?lang=fr").get_data(as_text=True)
    assert "Trier par" in french and "Sort by" not in french
    client.get("/jcos?lang=en")
    app.config["JCO_PAGE_SIZE"] = 2
    assert 'rel="next"' in client.get("/jcos").get_data(as_text=True)
    auth.logout()
    auth.login("secretariat@example.org")  # the same version, filters and page size: the kept table
    html = client.get("/jcos").get_data(as_text=True)
    assert "Import a register" in html and "New operation" in html and 'rel="next"' in html


def test_jco_page_shows_participants_documents_meetings_history(client, auth, demo, db):
    auth.login("lv.delegate@example.org")
    athena = _ids(db)[("Athena", "IV")]
    html = client.get(f"/jcos/{athena}").get_data(as_text=True)
    assert "JCO Athena IV" in html
    assert "Latvia" in html
    # documents grouped by family, in reference order
    assert html.index("6512/15<") < html.index("6512/1/15 REV 1<") < html.index("6512/1/15 ADD 1 REV 1<")
    assert "Mutual Assistance Committee" in html and "20 October 2015" in html
    assert "Report adopted" in html
    assert "RESTREINT UE" in html and "marking-banner" in html


def test_classified_title_withheld_from_uncleared_account(client, auth, demo, db):
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    athena = addendum.jco_id
    auth.login("de.delegate@example.org")  # no clearance
    for path in (f"/jcos/{athena}", f"/documents/{addendum.id}", "/meetings"):
        html = client.get(path).get_data(as_text=True)
        assert addendum.title not in html
    html = client.get(f"/documents/{addendum.id}").get_data(as_text=True)
    assert "title withheld" in html and "RESTREINT UE" in html


def test_cleared_account_sees_classified_title(client, auth, demo, db):
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    auth.login("lv.delegate@example.org")
    assert addendum.title in client.get(f"/documents/{addendum.id}").get_data(as_text=True)


def test_the_jco_page_kept_for_one_reader_is_not_served_to_another(client, auth, demo, db):
    """Parts of the JCO page are rendered once per data version (jco.web.fragments): the cleared
    reader's copy, titles included, must never reach an uncleared reader of the same version, nor
    the French page an English reader."""
    addendum = db.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
    path = f"/jcos/{addendum.jco_id}"
    auth.login("lv.delegate@example.org")  # cleared, and Athena's lead
    assert addendum.title in client.get(path).get_data(as_text=True)
    assert '<h2 id="history-h">Historique</h2>' in client.get(path + "?lang=fr").get_data(as_text=True)
    client.get(path + "?lang=en")
    auth.logout()
    auth.login("de.delegate@example.org")  # no clearance
    html = client.get(path).get_data(as_text=True)
    assert addendum.title not in html and "title withheld" in html
    assert '<h2 id="history-h">History</h2>' in html


def test_document_page_shows_header_facts(client, auth, demo, db):
    note = db.scalar(select(Document).where(Document.reference == "13305/15"))
    auth.login("fr.delegate@example.org")
    html = client.get(f"/documents/{note.id}").get_data(as_text=True)
    assert "Brussels, 4 November 2015" in html
    assert "JAI 779, ENFOCUSTOM 108 (2015)" in html
    assert "OR. en" in html


def test_meeting_page_lists_agenda_with_outcomes(client, auth, demo, db):
    october = db.scalar(select(Meeting).where(Meeting.notice_reference == "CM 4063/15"))
    auth.login("fr.delegate@example.org")
    html = client.get(f"/meetings/{october.id}").get_data(as_text=True)
    assert "CCWP Experts" in html and "20 October 2015" in html and "CM 4063/15" in html
    assert html.count('<li id="item-') == 6
    assert "JCO Postbox" in html and "Presented" in html


def test_meetings_list_splits_upcoming_and_past(client, auth, demo):
    auth.login("fr.delegate@example.org")
    html = client.get("/meetings").get_data(as_text=True)
    assert html.index("Upcoming") < html.index("Past")
    assert "Mutual Assistance Committee" in html


def test_unknown_ids_are_404(client, auth, demo):
    auth.login("fr.delegate@example.org")
    for path in ("/jcos/99999", "/documents/99999", "/meetings/99999"):
        assert client.get(path).status_code == 404


def test_navigation_on_every_page(client, auth, demo):
    auth.login("fr.delegate@example.org")
    for path in ("/jcos", "/meetings", "/account"):
        html = client.get(path).get_data(as_text=True)
        assert '>Register</a>' in html and '>Meetings</a>' in html


def test_register_framework_filter(client, auth, db):
    make_jco(db, "Ccwp op")
    asem = make_jco(db, "Asem op")
    asem.framework = "ASEM_JCO"
    wco = make_jco(db, "Wco op")
    wco.framework = "WCO_OP"
    make_account(db, "reader@example.org", role="manager", org_code="COM")
    db.commit()
    auth.login("reader@example.org")

    def listed(query=""):
        html = client.get(f"/jcos{query}").get_data(as_text=True)
        return sorted(re.findall(r'<a href="/jcos/\d+">([^<]+)</a></th>', html)), html

    names, html = listed()
    assert names == ["Asem op", "Ccwp op"]  # the register lists CCWP operations unless asked
    assert '<label for="f-framework">Framework</label>' in html and 'value="WCO_OP"' in html
    assert listed("?framework=related")[0] == ["Wco op"]
    assert listed("?framework=WCO_OP")[0] == ["Wco op"]
    assert listed("?framework=all")[0] == ["Asem op", "Ccwp op", "Wco op"]
    assert listed("?framework=all&state=proposed")[0] == ["Asem op", "Ccwp op"]  # no state for related ones
    assert listed("?framework=nonsense")[0] == ["Asem op", "Ccwp op"]
    names, html = listed("?framework=related")
    assert "Related: WCO global operation" in html
    page = client.get(f"/jcos/{wco.id}").get_data(as_text=True)
    assert "Related operation: WCO global operation" in page and "Proposed" not in page
