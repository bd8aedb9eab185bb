"""Demo data: the three JCOs of Council note 13305/15 as they stood on 4 November 2015, a few
clearly fictional present-day operations with live deadlines, and the demo accounts.

The 2015 part says what the note says. Where the model needs more than the note gives (a lead for
Athena IV, a date for steps the note only implies), the record says that it is an inference and
why; what cannot be inferred (the kind of Athena IV or Postbox) is recorded as not stated.

The loader refuses to run on a database that already holds operations or accounts, so it can
never write over real data or load twice.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.datastructures import FileStorage

from jco.accounts.models import Account
from jco.accounts.services import create_account
from jco.comments.models import CommentRound
from jco.comments.services import submit_comment
from jco.core.timeutil import today
from jco.documents.models import DocType, Document, Marking
from jco.documents.placeholders import placeholder_pdf
from jco.documents.services import DocumentDetails, attach_file, register_document
from jco.meetings.models import Outcome
from jco.meetings.services import Purpose, add_agenda_item, create_meeting, record_outcome
from jco.operations import services as ops
from jco.operations.lifecycle import Body, State, Transition
from jco.operations.models import ActionPlanAction, FundedProject, Jco, JcoKind, Organisation, Role
from jco.operations.reference_data import ensure_reference_data

DEMO_PASSWORD = "jco-demo"
FICTIONAL = "Fictional operation, made up for the demonstration; not a real JCO."


class DemoRefused(RuntimeError):
    pass


DEMO_ACCOUNTS = [
    # email, role, organisation code, clearance, name
    ("secretariat@example.org", "secretariat", "GSC", Marking.RESTREINT_UE, "Council Secretariat (demo)"),
    ("de.delegate@example.org", "delegate", "DE", Marking.NONE, "German delegate (demo)"),
    ("lv.delegate@example.org", "delegate", "LV", Marking.RESTREINT_UE, "Latvian delegate (demo)"),
    ("pl.delegate@example.org", "delegate", "PL", Marking.NONE, "Polish delegate (demo)"),
    ("fr.delegate@example.org", "delegate", "FR", Marking.NONE, "French delegate (demo)"),
    ("manager@example.org", "manager", "COM", Marking.NONE, "Manager (demo)"),
    ("admin@example.org", "admin", "GSC", Marking.NONE, "Administrator (demo)"),
]


def _orgs(session: Session) -> dict[str, Organisation]:
    return {o.code: o for o in session.scalars(select(Organisation))}


def _participants(org: dict[str, Organisation], rows: list[tuple[str, str, str]]) -> list[ops.ParticipantRow]:
    return [ops.ParticipantRow(organisation_id=org[code].id, role=role, agency=agency) for code, role, agency in rows]


DATA_DIR = Path(__file__).resolve().parent / "data"
PUBLIC_HISTORY = DATA_DIR / "public-jcos.csv"


def load_demo(session: Session, *, history: bool = True) -> str:
    """Load the demo; ``history`` also imports the public record of real operations (jco/data)."""
    if session.scalar(select(func.count()).select_from(Jco)) or session.scalar(select(func.count()).select_from(Account)):
        raise DemoRefused("the database already holds operations or accounts")
    ensure_reference_data(session)
    org = _orgs(session)
    for email, role, code, clearance, name in DEMO_ACCOUNTS:
        create_account(session, email=email, password=DEMO_PASSWORD, role=role, name=name,
                       organisation_id=org[code].id, clearance=clearance)
    secretariat = session.scalar(select(Account).where(Account.email == "secretariat@example.org"))
    _load_2015(session, org, secretariat)
    imported = _load_history(session, secretariat) if history else ""
    n_fictional = _load_fictional(session, org, secretariat)
    _attach_placeholders(session, secretariat)
    session.flush()
    return (f"3 operations of 2015, {imported}{n_fictional} fictional present-day operations, "
            f"{len(DEMO_ACCOUNTS)} accounts")


def _load_history(session: Session, actor: Account) -> str:
    """Import the real operations of jco/data/public-jcos.csv, after the 2015 facts.

    The import recognises the demo's Baltica, Athena IV and Postbox and only adds what the demo
    does not say (year, public results, sources); their life cycle stays as the demo recorded it.
    """
    from jco.imports.reading import read_table
    from jco.imports.services import CREATE, ERROR, UPDATE, import_table

    report = import_table(session, read_table(PUBLIC_HISTORY.read_bytes(), PUBLIC_HISTORY.name),
                          filename=PUBLIC_HISTORY.name, actor=actor)
    if report.count(ERROR):  # the file ships with the code: an error here is a bug
        raise RuntimeError("public-jcos.csv did not import: " + "; ".join(
            str(p) for r in report.rows for p in r.errors))
    return (f"{report.count(CREATE)} real operations from public sources "
            f"({report.count(UPDATE)} of the 2015 ones enriched), ")


def _load_2015(session: Session, org: dict[str, Organisation], actor: Account) -> None:
    action = ActionPlanAction(code="7.3", title="Customs against Internet Crime (C@IC)")
    itom = FundedProject(acronym="ITOM", name="Illegal Trade on Online Marketplaces", funded_by="DG HOME")
    session.add_all([action, itom])
    session.flush()
    assert itom.id is not None  # the flush gave it one

    # --- meetings ---------------------------------------------------------------------------
    mac = create_meeting(session, body=Body.MAC, start_date=date(2015, 6, 3), end_date=date(2015, 6, 4),
                         place="Brussels", actor=actor)
    experts_oct = create_meeting(session, body=Body.CCWP_EXPERTS, start_date=date(2015, 10, 20), place="Brussels",
                                 notice_reference="CM 4063/15", start_time=time(10, 0), end_time=time(17, 30),
                                 actor=actor)
    experts_dec = create_meeting(session, body=Body.CCWP_EXPERTS, start_date=date(2015, 12, 2), place="Brussels",
                                 start_time=time(10, 0), end_time=time(17, 30), actor=actor)

    # --- Baltica ------------------------------------------------------------------------------
    baltica = ops.create_jco(session, ops.JcoDetails(
        name="Baltica", kind="regional",
        description="Regional JCO targeting the illegal import of tobacco products entering the EU.",
        commodities=["tobacco products"],
    ), actor)
    ops.set_participants(session, baltica, _participants(org, [
        ("PL", Role.LEAD, "Polish Customs Administration"), ("OLAF", Role.CO_LEAD, ""),
        ("FI", Role.PARTICIPANT, ""), ("EE", Role.PARTICIPANT, ""), ("LV", Role.PARTICIPANT, ""),
        ("LT", Role.PARTICIPANT, ""), ("SE", Role.PARTICIPANT, ""), ("EUROPOL", Role.PARTICIPANT, ""),
    ]), actor)
    ops.record_operation(session, baltica, actor, actual_start=None, actual_end=None,
                         debriefing_date=date(2015, 9, 17), debriefing_place="Poland")
    ops.record_known_state(
        session, baltica, State.DEBRIEFING, actor, on=date(2015, 9, 17),
        note="Debriefing held in Poland on 17 September 2015, as the Presidency reported to CCWP Experts on "
             "20 October 2015 (13305/15). Earlier steps are not in that source.",
    )

    # --- Athena IV ----------------------------------------------------------------------------
    # The note says who presented the final report (the Latvian delegation), not who led the
    # operation nor what kind of operation it was.
    athena = ops.create_jco(session, ops.JcoDetails(
        name="Athena", edition="IV", kind=JcoKind.NOT_STATED, report_prior_body=Body.MAC,
        description="Final report presented by the Latvian delegation; adopted by the Mutual Assistance "
                    "Committee, then by CCWP Experts (13305/15). Inference: Latvia is recorded as lead "
                    "because it presented the final report; the note does not say who led the operation, "
                    "nor whether it was regional or EU-wide.",
    ), actor)
    ops.set_participants(session, athena, _participants(org, [("LV", Role.LEAD, "")]), actor)
    report = register_document(session, DocumentDetails(
        reference="6512/15", title="Final report of Joint Customs Operation Athena IV",
        doc_type=DocType.FINAL_REPORT, marking=Marking.LIMITE, from_text="Latvian delegation",
        to_text="Customs Cooperation Working Party", jco_id=athena.id,
    ), actor)
    report_rev = register_document(session, DocumentDetails(
        reference="6512/1/15 REV 1", title="Revised final report of Joint Customs Operation Athena IV",
        doc_type=DocType.FINAL_REPORT, marking=Marking.LIMITE, from_text="Latvian delegation",
        to_text="Customs Cooperation Working Party", previous_reference="6512/15", jco_id=athena.id,
    ), actor)
    addendum = register_document(session, DocumentDetails(
        reference="6512/1/15 ADD 1 REV 1", title="Revised final report of Athena IV — addendum 1",
        doc_type=DocType.FINAL_REPORT, marking=Marking.RESTREINT_UE, from_text="Latvian delegation",
        to_text="Customs Cooperation Working Party", jco_id=athena.id,
    ), actor)
    ops.record_known_state(
        session, athena, State.DEBRIEFING, actor,
        note="Inference: the operational phase was over, since its final report exists (6512/15). "
             "The operation's dates and earlier steps are not in the source (13305/15).",
    )
    before_mac = date(2015, 6, 3)
    ops.apply_transition(
        session, athena, Transition.PRESENT_REPORT, actor, document=report, on=before_mac,
        note="Final report 6512/15. Inference: the source gives no date; it was presented before its revision "
             "reached the Mutual Assistance Committee on 3–4 June 2015, the date recorded here.",
    )
    ops.apply_transition(
        session, athena, Transition.PRESENT_REVISION, actor, document=report_rev, on=before_mac,
        note="Revised final report 6512/1/15 REV 1 + ADD 1 REV 1 (RESTREINT UE). Inference: dated as the "
             "Mutual Assistance Committee meeting that adopted it; the source gives no earlier date.",
    )
    mac_item = add_agenda_item(session, mac, title="Revised final report of JCO Athena IV", jco=athena,
                               purpose=Purpose.FINAL_REPORT, documents=[report_rev, addendum], actor=actor)
    record_outcome(session, mac_item, Outcome.ADOPTED, actor, then_by=Body.CCWP_EXPERTS,
                   note="As 13305/15 reports: adopted in the framework of the Mutual Assistance Committee.")

    # --- Postbox ------------------------------------------------------------------------------
    postbox = ops.create_jco(session, ops.JcoDetails(
        name="Postbox", kind=JcoKind.NOT_STATED, action_id=action.id, project_ids=[itom.id],
        description="Targets the smuggling of goods, especially narcotics and counterfeit goods, committed "
                    "using the internet in any way. Planned in the framework of the CCWP project group on "
                    "Action 7.3, together with the DG HOME funded project ITOM.",
        commodities=["narcotics", "counterfeit goods"],
    ), actor)
    ops.set_participants(session, postbox, _participants(org, [("DE", Role.LEAD, "German delegation")]), actor)
    business_case = register_document(session, DocumentDetails(
        reference="12712/15", title="Business case for Joint Customs Operation Postbox",
        doc_type=DocType.BUSINESS_CASE, marking=Marking.LIMITE, from_text="German delegation",
        to_text="Customs Cooperation Working Party (Experts)", jco_id=postbox.id,
    ), actor)

    # --- CCWP Experts, 20 October 2015 (CM 4063/15), as summarised in 13305/15 ----------------
    notice = register_document(session, DocumentDetails(
        reference="CM 4063/15", title="Notice of meeting and provisional agenda: CCWP (Experts), 20 October 2015",
        doc_type=DocType.AGENDA, from_text="General Secretariat of the Council",
        to_text="Customs Cooperation Working Party (Experts)",
    ), actor)
    register_document(session, DocumentDetails(
        reference="13305/15", title="Summary of discussions (Experts), 20 October 2015", doc_type=DocType.NOTE,
        doc_date=date(2015, 11, 4), place="Brussels", original_language="en",
        from_text="General Secretariat of the Council", to_text="Customs Cooperation Working Party (Experts)",
        subject_codes=["JAI 779", "ENFOCUSTOM 108"],
    ), actor)
    items = [
        ("Adoption of the agenda", None, Purpose.INFORMATION, [notice], Outcome.ADOPTED),
        ("Information from the Presidency (including the debriefing of JCO Baltica)", baltica, Purpose.INFORMATION,
         [], Outcome.NOTED),
        ("JCOs and other customs operations: JCO Postbox business case (Action 7.3)", postbox, Purpose.BUSINESS_CASE,
         [business_case], Outcome.PRESENTED),
        ("JCOs and other customs operations: revised final report of Athena IV", athena, Purpose.FINAL_REPORT,
         [report_rev, addendum], Outcome.ADOPTED),
        ("The use of Internet for criminal activities / Dark Web", None, Purpose.INFORMATION, [], Outcome.NOTED),
        ("AOB", None, Purpose.INFORMATION, [], Outcome.NOTED),
    ]
    for title, jco, purpose, docs, outcome in items:
        item = add_agenda_item(session, experts_oct, title=title, jco=jco, purpose=purpose, documents=docs, actor=actor)
        record_outcome(session, item, outcome, actor,
                       note="Presented by the Latvian delegation; adopted with no further discussion or "
                            "modification." if jco is athena else "")
    ops.apply_transition(session, postbox, Transition.OPEN_COMMENTS, actor, meeting=experts_oct,
                         document=business_case, note="Written comments by 3 November 2015.")
    # Asked of every member state's delegation of the day (28 in 2015) but the German one.
    session.add(CommentRound(jco_id=postbox.id, document_id=business_case.id, deadline=date(2015, 11, 3),
                             opened_at=datetime(2015, 10, 20, 17, 30, tzinfo=UTC), opened_by_id=actor.id,
                             meeting_id=experts_oct.id))
    add_agenda_item(session, experts_dec, title="JCO Postbox: revised business case (if ready)", jco=postbox,
                    purpose=Purpose.REVISION, actor=actor)


def _load_fictional(session: Session, org: dict[str, Organisation], actor: Account) -> int:
    """Present-day operations, dated relative to today, so that deadlines are live in a demo."""
    now = today()
    next_meeting = create_meeting(session, body=Body.CCWP_EXPERTS, start_date=now + timedelta(days=21),
                                  place="Brussels", start_time=time(10, 0), end_time=time(17, 30), actor=actor)

    lighthouse = ops.create_jco(session, ops.JcoDetails(
        name="DEMO Lighthouse", kind="eu_wide", description=FICTIONAL + " Business case under written comments.",
        commodities=["counterfeit medicines"], transport_modes=["post", "courier"],
        planned_start=now + timedelta(days=120), planned_end=now + timedelta(days=134),
    ), actor)
    ops.set_participants(session, lighthouse, _participants(org, [
        ("FR", Role.LEAD, "Fictional demo unit"), ("DE", Role.PARTICIPANT, ""), ("PL", Role.PARTICIPANT, ""),
        ("LV", Role.PARTICIPANT, ""), ("OLAF", Role.OBSERVER, ""),
    ]), actor)
    bc = register_document(session, DocumentDetails(
        reference=f"9001/{now.year % 100:02d}", title="Business case for the fictional JCO DEMO Lighthouse",
        doc_type=DocType.BUSINESS_CASE, marking=Marking.LIMITE, from_text="French delegation (fictional)",
        to_text="Customs Cooperation Working Party (Experts)", doc_date=now - timedelta(days=20), jco_id=lighthouse.id,
    ), actor)
    ops.apply_transition(session, lighthouse, Transition.PRESENT_BUSINESS_CASE, actor, document=bc,
                         on=now - timedelta(days=14))
    ops.apply_transition(session, lighthouse, Transition.OPEN_COMMENTS, actor, document=bc, on=now - timedelta(days=14))
    lighthouse_round = CommentRound(jco_id=lighthouse.id, document_id=bc.id, deadline=now + timedelta(days=6),
                                    opened_by_id=actor.id)
    session.add(lighthouse_round)
    session.flush()
    france = session.scalar(select(Account).where(Account.email == "fr.delegate@example.org"))
    submit_comment(session, lighthouse_round, organisation_id=org["FR"].id, author=france, today=now,
                   body="France supports the business case. We suggest adding express couriers to the "
                        "targeted transport modes. (Fictional demo comment.)")

    harbour = ops.create_jco(session, ops.JcoDetails(
        name="DEMO Harbour", kind="regional", description=FICTIONAL + " Operational phase under way.",
        commodities=["cigarettes"], transport_modes=["sea"],
        planned_start=now - timedelta(days=10), planned_end=now + timedelta(days=4),
    ), actor)
    ops.set_participants(session, harbour, _participants(org, [
        ("PL", Role.LEAD, "Fictional demo unit"), ("LT", Role.CO_LEAD, ""), ("EE", Role.PARTICIPANT, ""),
        ("FI", Role.PARTICIPANT, ""), ("EUROPOL", Role.OBSERVER, ""),
    ]), actor)
    hbc = register_document(session, DocumentDetails(
        reference=f"9002/{now.year % 100:02d}", title="Business case for the fictional JCO DEMO Harbour",
        doc_type=DocType.BUSINESS_CASE, marking=Marking.LIMITE, from_text="Polish delegation (fictional)",
        to_text="Customs Cooperation Working Party (Experts)", jco_id=harbour.id,
    ), actor)
    for transition in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE, Transition.START_OPERATION):
        ops.apply_transition(session, harbour, transition, actor, document=hbc, body=Body.CCWP_EXPERTS
                             if transition is Transition.ADOPT_BUSINESS_CASE else None)
    ops.record_operation(session, harbour, actor, actual_start=now - timedelta(days=10), actual_end=None,
                         debriefing_date=None, debriefing_place="")

    kestrel = ops.create_jco(session, ops.JcoDetails(
        name="DEMO Kestrel", kind="third_countries", description=FICTIONAL + " Final report awaiting adoption.",
        commodities=["cash"], transport_modes=["air"],
        planned_start=now - timedelta(days=200), planned_end=now - timedelta(days=186),
    ), actor)
    ops.set_participants(session, kestrel, _participants(org, [
        ("LV", Role.LEAD, "Fictional demo unit"), ("DE", Role.PARTICIPANT, ""), ("FR", Role.PARTICIPANT, ""),
        ("NO", Role.PARTICIPANT, ""), ("UA", Role.OBSERVER, ""), ("WCO", Role.OBSERVER, ""),
    ]), actor)
    kbc = register_document(session, DocumentDetails(
        reference=f"9003/{(now.year - 1) % 100:02d}", title="Business case for the fictional JCO DEMO Kestrel",
        doc_type=DocType.BUSINESS_CASE, marking=Marking.LIMITE, jco_id=kestrel.id,
    ), actor)
    for transition in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE, Transition.START_OPERATION,
                       Transition.END_OPERATION):
        ops.apply_transition(session, kestrel, transition, actor, document=kbc, body=Body.CCWP_EXPERTS
                             if transition is Transition.ADOPT_BUSINESS_CASE else None)
    ops.record_operation(session, kestrel, actor, actual_start=now - timedelta(days=200),
                         actual_end=now - timedelta(days=186), debriefing_date=now - timedelta(days=150),
                         debriefing_place="Riga (fictional)")
    kreport = register_document(session, DocumentDetails(
        reference=f"9004/{now.year % 100:02d}", title="Final report of the fictional JCO DEMO Kestrel",
        doc_type=DocType.FINAL_REPORT, marking=Marking.LIMITE, jco_id=kestrel.id,
    ), actor)
    ops.apply_transition(session, kestrel, Transition.PRESENT_REPORT, actor, document=kreport)
    add_agenda_item(session, next_meeting, title="Final report of the fictional JCO DEMO Kestrel", jco=kestrel,
                    purpose=Purpose.FINAL_REPORT, documents=[kreport], actor=actor)
    add_agenda_item(session, next_meeting, title="Business case of the fictional JCO DEMO Lighthouse",
                    jco=lighthouse, purpose=Purpose.BUSINESS_CASE, documents=[bc], actor=actor)
    return 3


def _attach_placeholders(session: Session, actor: Account) -> None:
    """A labelled placeholder PDF for each document this deployment may hold; above that level the
    document is recorded as withheld, as a real upload would be."""
    for document in session.scalars(select(Document).order_by(Document.id)):
        pdf = placeholder_pdf(document.reference, document.title)
        name = "demo-placeholder-" + document.reference.replace("/", "-").replace(" ", "-") + ".pdf"
        attach_file(session, document, FileStorage(io.BytesIO(pdf), filename=name), actor)
