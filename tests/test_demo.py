"""The demo holds the three JCOs of Council note 13305/15 as they stood on 4 November 2015."""

from datetime import date

import pytest
from sqlalchemy import select

from jco.accounts.models import Account
from jco.comments.models import CommentRound
from jco.demo import DemoRefused, load_demo
from jco.documents.models import Document
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.models import Jco, JcoEvent, Participant
from tests.conftest import _load_demo


@pytest.fixture(params=[False, True], ids=["2015", "with-public-history"])
def demo(request, app):
    """Every test below holds for the demo with and without the import of jco/data/public-jcos.csv:
    the import must recognise Baltica, Athena IV and Postbox and leave their demo facts alone.

    The rows are those ``load_demo`` wrote: it runs for real once per worker, engine and variant
    (seconds, with the history), and later tests get a copy of its rows (tests/conftest.py)."""
    return _load_demo(app, history=request.param)


def _jco(db, name, edition=""):
    return db.scalar(select(Jco).where(Jco.name == name, Jco.edition == edition))


def _roles(db, jco):
    return {p.organisation.code: p.role for p in db.scalars(select(Participant).where(Participant.jco_id == jco.id))}


def test_baltica(demo, db):
    baltica = _jco(db, "Baltica")
    assert baltica.state == "debriefing"
    assert baltica.kind == "regional"
    assert baltica.debriefing_date == date(2015, 9, 17) and baltica.debriefing_place == "Poland"
    assert _roles(db, baltica) == {
        "PL": "lead", "OLAF": "co_lead", "FI": "participant", "EE": "participant", "LV": "participant",
        "LT": "participant", "SE": "participant", "EUROPOL": "participant",
    }
    assert [c.name for c in baltica.commodities] == ["tobacco products"]


def test_athena_iv_two_body_adoption(demo, db):
    athena = _jco(db, "Athena", "IV")
    assert athena.state == "report_adopted"
    events = db.scalars(select(JcoEvent).where(JcoEvent.jco_id == athena.id, JcoEvent.transition == "adopt_report")
                        .order_by(JcoEvent.id)).all()
    assert [(e.body, e.on) for e in events] == [("mac", date(2015, 6, 3)), ("ccwp_experts", date(2015, 10, 20))]
    refs = {d.reference: d.marking for d in db.scalars(select(Document).where(Document.jco_id == athena.id))}
    assert refs == {"6512/15": "LIMITE", "6512/1/15 REV 1": "LIMITE", "6512/1/15 ADD 1 REV 1": "RESTREINT UE"}
    assert _roles(db, athena) == {"LV": "lead"}


def test_postbox_comment_round(demo, db):
    postbox = _jco(db, "Postbox")
    assert postbox.state == "comments"
    assert postbox.action.code == "7.3" and postbox.action.title == "Customs against Internet Crime (C@IC)"
    assert [p.acronym for p in postbox.projects] == ["ITOM"]
    round_ = db.scalar(select(CommentRound).where(CommentRound.jco_id == postbox.id))
    assert round_.deadline == date(2015, 11, 3)
    assert db.get(Document, round_.document_id).reference == "12712/15"
    assert _roles(db, postbox) == {"DE": "lead"}


def test_meetings_and_summary_note(demo, db):
    meetings = {(m.body, m.start_date, m.end_date) for m in db.scalars(select(Meeting))}
    assert ("mac", date(2015, 6, 3), date(2015, 6, 4)) in meetings
    assert ("ccwp_experts", date(2015, 10, 20), date(2015, 10, 20)) in meetings
    assert ("ccwp_experts", date(2015, 12, 2), date(2015, 12, 2)) in meetings
    october = db.scalar(select(Meeting).where(Meeting.start_date == date(2015, 10, 20)))
    assert october.notice_reference == "CM 4063/15"
    items = db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == october.id).order_by(AgendaItem.position)).all()
    assert len(items) == 6
    assert items[3].outcome == "adopted" and [d.reference for d in items[3].documents] == [
        "6512/1/15 REV 1", "6512/1/15 ADD 1 REV 1"]
    note = db.scalar(select(Document).where(Document.reference == "13305/15"))
    assert note.doc_date == date(2015, 11, 4)
    assert sorted(str(c) for c in note.subject_codes) == ["ENFOCUSTOM 108", "JAI 779"]
    assert {c.year for c in note.subject_codes} == {2015}


def test_demo_accounts(demo, db):
    emails = set(db.scalars(select(Account.email)))
    assert {"secretariat@example.org", "de.delegate@example.org", "lv.delegate@example.org",
            "pl.delegate@example.org", "fr.delegate@example.org", "manager@example.org"} <= emails


def test_fictional_operations_are_named_as_such(demo, db):
    jcos = db.scalars(select(Jco)).all()
    # Real operations are the three of 2015 and, with the history, those with a public source.
    fictional = [j.name for j in jcos if j.name not in ("Baltica", "Athena", "Postbox") and not j.sources]
    assert fictional and all(n.startswith("DEMO ") for n in fictional)
    assert not any(j.name.startswith("DEMO") for j in jcos if j.sources)


def test_demo_loads_once_and_never_over_data(demo, db, runner):
    with pytest.raises(DemoRefused):
        load_demo(db)
    result = runner.invoke(args=["demo", "load"])
    assert "not loaded" in result.output


def test_public_history_matches_the_2015_operations_instead_of_duplicating_them(demo_history, db):
    keys = [(j.name.casefold(), j.edition) for j in db.scalars(select(Jco))]
    assert len(keys) == len(set(keys))
    assert len([k for k in keys if k[0] == "baltica"]) == 1
    assert sorted(e for n, e in keys if n == "postbox") == ["", "II"]  # the file's POSTBOX I is the demo's Postbox
    assert sorted(e for n, e in keys if n == "athena") == ["I", "II", "III", "IV"]
    # 26 rows in the file, 3 of them the demo's own, plus 3 fictional operations
    assert len(keys) == 3 + 23 + 3


def test_public_history_enriches_the_2015_operations(demo_history, db):
    baltica = _jco(db, "Baltica")
    assert baltica.year == 2015 and "13 million cigarettes" in baltica.public_results
    assert "anti-fraud.ec.europa.eu" in baltica.sources
    assert baltica.source_notes.startswith("type=EU_JCO | confidence=high")
    assert [t.name for t in baltica.transport_modes] == ["road"]  # the demo had none: filled
    athena = _jco(db, "Athena", "IV")
    assert athena.year == 2014 and "Mutual Assistance Committee" in athena.public_results
    assert sorted(c.name for c in athena.commodities) == ["cash", "monetary instruments"]
    postbox = _jco(db, "Postbox")
    # The demo's participants are the register's own: the file's unknown agency is not added to them.
    assert postbox.year == 2017 and "DG HOME-funded project ITOM" not in {p.organisation.name for p in postbox.participants}
    # history beyond the demo: closed operations with a recorded, sourced state
    belenos = _jco(db, "Belenos", "II")
    assert belenos.state == "closed" and belenos.actual_start == date(2024, 11, 12)
    event = db.scalar(select(JcoEvent).where(JcoEvent.jco_id == belenos.id))
    assert event.transition == "record_state" and event.note.startswith("Recorded by import from public-jcos.csv")


def test_athena_iv_report_and_its_revision_are_steps_and_inferences_say_so(demo, db):
    athena = _jco(db, "Athena", "IV")
    events = db.scalars(select(JcoEvent).where(JcoEvent.jco_id == athena.id).order_by(JcoEvent.id)).all()
    steps = [(e.transition, db.get(Document, e.document_id).reference if e.document_id else None) for e in events]
    assert steps == [("record_state", None), ("present_report", "6512/15"), ("present_revision", "6512/1/15 REV 1"),
                     ("adopt_report", "6512/1/15 REV 1"), ("adopt_report", "6512/1/15 REV 1")]
    assert [e.to_state for e in events][1:] == ["report_presented", "report_revision", "report_partly_adopted",
                                                "report_adopted"]
    # dates and the lead that the note does not give are marked as inferences
    assert all("Inference" in e.note for e in events[:3])
    assert "Inference: Latvia is recorded as lead because it presented the final report" in athena.description
    # the note says who presented the report, and nothing of the operation's kind
    october_item = db.scalar(select(AgendaItem).where(AgendaItem.jco_id == athena.id, AgendaItem.position == 4))
    assert october_item.note.startswith("Presented by the Latvian delegation")
    assert athena.kind == "not_stated" and _jco(db, "Postbox").kind == "not_stated"


def test_postbox_round_asks_the_27_delegations_of_2015_less_germany(demo, db):
    from jco.comments.services import round_roll
    from jco.deadlines.services import Settings, collect

    postbox = _jco(db, "Postbox")
    round_ = db.scalar(select(CommentRound).where(CommentRound.jco_id == postbox.id))
    roll = round_roll(db, round_)
    asked = [r.organisation.code for r in roll if r.asked]
    assert len(asked) == 27 and "FR" in asked and "GB" in asked and "DE" not in asked
    assert all(r.status == "No comment" for r in roll)
    deadline = next(d for d in collect(db, date(2015, 11, 4), Settings()) if d.key == f"round:{round_.id}")
    assert len(deadline.owners) == 27 and "France" in [o.name for o in deadline.owners]


def test_the_french_delegate_finds_the_postbox_round_among_its_deadlines(demo, client, auth, db):
    postbox = _jco(db, "Postbox")
    round_ = db.scalar(select(CommentRound).where(CommentRound.jco_id == postbox.id))
    auth.login("fr.delegate@example.org")
    html = client.get("/deadlines?show=all").get_data(as_text=True)
    assert "Written comments on 12712/15 (JCO Postbox)" in html
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "27 delegations asked" in page and "France" in page
