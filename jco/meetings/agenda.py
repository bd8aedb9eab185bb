"""Agenda planning for the Secretariat: which items are due at a meeting, and putting the chosen ones
on its agenda. Every change to an agenda (adding, ordering, editing, removing items) is made by
jco.meetings.services, and audited there.

An item is proposed for an operation that has none on this meeting and none waiting, undecided,
on another meeting still to come:
- a business case presented for adoption (state "presented") — at a meeting of the working party;
- a revised business case (state "revision"), or one that is due because the round of written
  comments closes before the meeting (state "comments") — at a meeting of the working party;
- a final report awaiting adoption (presented, under comments or revised) — at a meeting of the
  body whose adoption comes next: the one chosen when the first body adopted it, else the other
  body planned (such as the MAC), else the working party.
Nothing is proposed for a meeting that has already begun.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from jco.comments.models import CommentRound
from jco.core.dates import long_date
from jco.core.text import N_, _
from jco.documents.models import DocType, Document
from jco.meetings.models import AgendaItem, Meeting
from jco.meetings.services import AgendaError, Purpose, add_agenda_item
from jco.operations.lifecycle import ADOPTING_BODIES, REPORT_STATES, Body, State
from jco.operations.models import Jco

CANDIDATE_STATES = (State.PRESENTED, State.COMMENTS, State.REVISION, *sorted(REPORT_STATES),
                    State.REPORT_PARTLY_ADOPTED)


PURPOSE_ORDER = [Purpose.BUSINESS_CASE, Purpose.REVISION, Purpose.FINAL_REPORT]


@dataclass
class Proposal:
    token: str  # "<purpose>:<jco id>", what the confirmation form sends back
    purpose: str
    jco: Jco
    title: str
    reason: str
    documents: list[Document] = field(default_factory=list)

    @property
    def purpose_label(self) -> str:
        return _(Purpose.LABELS[self.purpose]) if self.purpose in Purpose.LABELS else self.purpose


def latest_documents(documents: list[Document], doc_type: DocType) -> list[Document]:
    """The newest revision of the newest document of a type, with its addenda at their newest revisions."""
    # Corrigenda, extracts and declassifications accompany a text; they are not the text itself.
    typed = [d for d in documents if d.doc_type == doc_type and d.corrigendum is None
             and d.extract is None and d.declassification is None]
    mains = [d for d in typed if d.addendum is None]
    if not mains:
        return []
    main = max(mains, key=lambda d: (d.year, d.number, d.revision or 0))
    addenda: dict[int, Document] = {}
    for d in typed:
        if d.family_key == main.family_key and d.addendum is not None:
            if d.addendum not in addenda or (d.revision or 0) > (addenda[d.addendum].revision or 0):
                addenda[d.addendum] = d
    return [main] + [addenda[n] for n in sorted(addenda)]


def _references(documents: list[Document]) -> str:
    return " + ".join(d.reference for d in documents)


def propose(session: Session, meeting: Meeting, today: date) -> list[Proposal]:
    """The items due at ``meeting`` that its agenda does not have yet (four queries)."""
    if meeting.start_date < today:
        return []
    jcos = list(session.scalars(
        select(Jco).where(Jco.state.in_([s.value for s in CANDIDATE_STATES])).order_by(Jco.name, Jco.edition)
    ))
    if not jcos:
        return []
    ids = [j.id for j in jcos]
    planned: set[int] = set()
    for jco_id, meeting_id, outcome, start in session.execute(
        select(AgendaItem.jco_id, AgendaItem.meeting_id, AgendaItem.outcome, Meeting.start_date)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.jco_id.in_(ids))
    ):
        if meeting_id == meeting.id or (outcome is None and start >= today):
            planned.add(jco_id)
    documents: dict[int, list[Document]] = defaultdict(list)
    for document in session.scalars(
        select(Document).where(Document.jco_id.in_(ids),
                               Document.doc_type.in_([DocType.BUSINESS_CASE.value, DocType.FINAL_REPORT.value]))
    ):
        documents[document.jco_id].append(document)  # type: ignore[index]  # only these operations' documents
    closing: dict[int, date] = {}
    for round_ in session.scalars(
        select(CommentRound).where(CommentRound.jco_id.in_(ids), CommentRound.deadline < meeting.start_date)
    ):
        closing[round_.jco_id] = max(round_.deadline, closing.get(round_.jco_id, round_.deadline))

    working_party = meeting.body in {b.value for b in ADOPTING_BODIES}
    proposals = []
    for jco in jcos:
        if jco.id in planned:
            continue
        state = State(jco.state)
        assert jco.id is not None  # a loaded row (SQLModel types ids as Optional)
        business_case = latest_documents(documents[jco.id], DocType.BUSINESS_CASE)
        report = latest_documents(documents[jco.id], DocType.FINAL_REPORT)
        if state is State.PRESENTED and working_party:
            proposals.append(Proposal(
                f"{Purpose.BUSINESS_CASE}:{jco.id}", Purpose.BUSINESS_CASE, jco,
                f"JCO {jco.title}: business case" + (f" ({_references(business_case)})" if business_case else ""),
                _("The business case has been presented and awaits adoption."), business_case,
            ))
        elif state is State.REVISION and working_party:
            proposals.append(Proposal(
                f"{Purpose.REVISION}:{jco.id}", Purpose.REVISION, jco,
                f"JCO {jco.title}: revised business case" + (f" ({_references(business_case)})" if business_case else ""),
                _("A revised business case has been presented and awaits adoption."), business_case,
            ))
        elif state is State.COMMENTS and working_party and jco.id in closing:
            proposals.append(Proposal(
                f"{Purpose.REVISION}:{jco.id}", Purpose.REVISION, jco, f"JCO {jco.title}: revised business case",
                _("Written comments close on %(day)s, before this meeting: the revised business case is due.",
                  day=long_date(closing[jco.id])), business_case,
            ))
        elif state in REPORT_STATES or state is State.REPORT_PARTLY_ADOPTED:
            if state is State.REPORT_PARTLY_ADOPTED:
                next_body = jco.report_next_body
            else:
                next_body = jco.report_prior_body  # the order planned; either order is allowed
            due_here = meeting.body == next_body if next_body else working_party
            if due_here:
                reason = (_("The final report has been presented and awaits adoption.")
                          if state is not State.REPORT_PARTLY_ADOPTED else
                          _("The final report has been adopted by the first body and awaits the working party's "
                            "adoption."))
                proposals.append(Proposal(
                    f"{Purpose.FINAL_REPORT}:{jco.id}", Purpose.FINAL_REPORT, jco,
                    f"JCO {jco.title}: final report" + (f" ({_references(report)})" if report else ""),
                    reason, report,
                ))
    # Business cases, then revisions, then final reports, as a working-party agenda runs.
    proposals.sort(key=lambda p: (PURPOSE_ORDER.index(p.purpose), p.jco.name, p.jco.edition))
    return proposals


def confirm(session: Session, meeting: Meeting, tokens: list[str], today: date, actor=None) -> list[AgendaItem]:
    """Put the chosen proposals on the agenda, in the order they were proposed."""
    wanted = set(tokens)
    proposals = [p for p in propose(session, meeting, today) if p.token in wanted]
    if not proposals:
        raise AgendaError(_("None of the chosen items is still due: the agenda may have changed meanwhile."))
    return [add_agenda_item(session, meeting, title=p.title, jco=p.jco, purpose=p.purpose, documents=p.documents,
                            actor=actor) for p in proposals]


def body_addressee(body: str) -> str:
    """How a Council note addresses the body: "Customs Cooperation Working Party (Experts)"."""
    return {
        Body.CCWP_EXPERTS.value: N_("Customs Cooperation Working Party (Experts)"),
        Body.CCWP_PLENARY.value: N_("Customs Cooperation Working Party"),
        Body.MAC.value: N_("Mutual Assistance Committee"),
    }.get(body, Body(body).label if body in {b.value for b in Body} else body)
