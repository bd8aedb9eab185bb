"""The change log of a JCO, the global audit log for administrators, and the log's append-only rule."""

import pytest
from sqlalchemy import func, select

from jco.audit import services as audit
from jco.audit.models import AuditEntry
from jco.audit.services import AuditLogIsAppendOnly
from jco.documents.models import Document
from tests.step_helpers import jco_id, reading, text


def test_jco_change_log_shows_who_when_what_before_and_after(client, auth, demo, app):
    athena = jco_id(app, "Athena", "IV")
    auth.login("lv.delegate@example.org")
    detail = text(client.get(f"/jcos/{athena}"))
    assert f'href="/jcos/{athena}/history">Change log</a>' in detail
    html = text(client.get(f"/jcos/{athena}/history"))
    assert "Change log of JCO Athena IV" in html
    assert "Council Secretariat (demo) registered the document" in html  # who, and what
    assert "<time datetime=" in html  # when
    assert "6512/1/15 ADD 1 REV 1</a> of <a" in html
    assert "recorded the outcome “Adopted” of" in html
    assert "Report partly adopted → Report adopted" in html  # the state, before → after


def test_a_classified_title_never_reaches_the_log(client, auth, demo, app):
    with reading(app) as s:
        addendum = s.scalar(select(Document).where(Document.reference == "6512/1/15 ADD 1 REV 1"))
        title = addendum.title
        # a change that carries the title, as a future edit of a document's details might
        audit.record(s, None, "document.update", addendum, jco_id=addendum.jco_id,
                     summary=f"Edited {addendum.reference}", before={"title": "Old title"}, after={"title": title})
        s.commit()
    athena = jco_id(app, "Athena", "IV")
    auth.login("admin@example.org")  # an administrator without clearance
    for path in ("/audit", "/audit?kind=document.update", f"/jcos/{athena}/history"):
        html = text(client.get(path))
        assert title not in html and "Old title" not in html
        assert "[withheld: classified]" in html
    auth.logout()
    auth.login("lv.delegate@example.org")  # cleared for RESTREINT UE
    html = text(client.get(f"/jcos/{athena}/history"))
    assert title in html and "Old title" in html


def test_global_log_is_paginated_and_filtered_by_kind(client, auth, demo, app):
    app.config["JCO_PAGE_SIZE"] = 10
    auth.login("admin@example.org")
    html = text(client.get("/audit"))
    assert "page 1 of" in html and 'rel="next"' in html
    assert '<option value="meeting.create">Meeting scheduled</option>' in html
    html = text(client.get("/audit?kind=meeting.create"))
    assert " scheduled <a" in html and "registered the document" not in html
    with reading(app) as s:
        meeting_entries = len(s.scalars(select(AuditEntry.id).where(AuditEntry.action == "meeting.create")).all())
    assert meeting_entries == 4 and html.count("<tr>") - 1 == meeting_entries  # header row excluded
    response = client.get("/audit?page=abc")
    assert response.status_code == 200  # a bad page number is page 1, not a 500
    assert "page 1 of" in text(response)


@pytest.mark.parametrize("user, status", [
    ("admin@example.org", 200), ("secretariat@example.org", 200), ("manager@example.org", 403),
    ("lv.delegate@example.org", 403),
])
def test_the_secretariat_and_administrators_read_the_global_log(client, auth, demo, user, status):
    auth.login(user)
    assert client.get("/audit").status_code == status
    # and only they are shown the way there, from their account page
    assert ('href="/audit"' in client.get("/account").get_data(as_text=True)) == (status == 200)


def test_the_log_is_append_only(app, demo):
    with reading(app) as s:
        entry = s.scalars(select(AuditEntry)).first()
        entry.summary = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            s.flush()
        s.rollback()
        entry = s.scalars(select(AuditEntry)).first()
        s.delete(entry)
        with pytest.raises(AuditLogIsAppendOnly):
            s.flush()
        s.rollback()
        assert s.get(AuditEntry, entry.id).summary != "rewritten"


def test_the_database_refuses_bulk_changes_to_the_log_too(app, demo):
    """Bulk statements skip the ORM's per-object guard: the database's triggers refuse them."""
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    with reading(app) as s:
        count = s.scalar(select(func.count()).select_from(AuditEntry))
        assert count > 0
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(update(AuditEntry).values(summary="rewritten"))
        s.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(delete(AuditEntry))
        s.rollback()
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == count
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.summary == "rewritten")) == 0
