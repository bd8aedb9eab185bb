"""What happens next to one operation, who acts and by when: one pure function, so that My page,
the operation's page and any later digest say the same thing.

No Flask and no database: the caller gathers :class:`StepFacts` (a few queries for any number of
operations) and says who the reader is (:class:`Reader`, from jco.permissions). The answer names
the action as an endpoint and its arguments; the template turns it into a link or a form.

Words: what happens and who acts are translated as the step is made (``jco.core.text._``, the
reader's language); a button's label is only marked (``N_``) and translated where it is shown
(``action.label|t``), since the deadline's and the life cycle's labels travel the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from jco.core.text import N_, _
from jco.operations.lifecycle import Body, State, Transition


class Actor(StrEnum):
    LEAD = "lead"
    SECRETARIAT = "secretariat"
    DELEGATIONS = "delegations"
    NOBODY = "nobody"


@dataclass(frozen=True)
class Action:
    """A button: a link (GET) to a page, or a life-cycle step posted to the operation."""

    label: str
    endpoint: str
    params: tuple[tuple[str, int | str], ...] = ()
    transition: Transition | None = None  # set when the button posts a life-cycle step

    @property
    def args(self) -> dict:
        return dict(self.params)


@dataclass(frozen=True)
class Meeting:
    """The next meeting whose agenda has an item for the operation (only what the answer needs)."""

    id: int
    label: str
    day: date


@dataclass(frozen=True)
class StepFacts:
    jco_id: int
    state: str
    # The lead delegation's name, as the reader reads it; empty: "the lead delegation".
    lead_name: str = ""
    has_business_case: bool = False
    has_final_report: bool = False
    # The latest round of written comments, if any.
    round_id: int | None = None
    round_deadline: date | None = None
    # The meeting to come whose agenda has an undecided item for the operation.
    meeting: Meeting | None = None
    # The earliest open deadline of the operation (from jco.deadlines), if any.
    due: date | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    report_prior_body: str | None = None
    # A revision of the business case newer than the one the latest round of comments was about.
    business_case_revised: bool = False
    # The soonest meeting to come at which a request of the lead for a place on the agenda waits.
    requested_meeting: Meeting | None = None


@dataclass(frozen=True)
class Reader:
    """Who reads, as jco.permissions answers it for this operation."""

    leads: bool = False
    secretariat: bool = False
    # A delegate that may write its delegation's comment on the latest round, and has not yet.
    owes_comment: bool = False
    may_transition: frozenset[Transition] = field(default_factory=frozenset)


@dataclass(frozen=True)
class NextStep:
    what: str
    actor: Actor
    who: str
    due: date | None = None
    meeting: Meeting | None = None
    # Only when the reader is the one to act.
    action: Action | None = None

    @property
    def transition(self) -> Transition | None:
        return self.action.transition if self.action else None


# The upload form, pre-filled with the operation and the kind of document that meets the step.
BUSINESS_CASE, FINAL_REPORT = "business_case", "final_report"  # jco.documents.models.DocType values


def upload_action(label: str, jco_id: int, doc_type: str) -> Action:
    return Action(label, "documents.new_jco_document", (("jco_id", jco_id), ("type", doc_type)))


def _upload(facts: StepFacts, label: str, doc_type: str = BUSINESS_CASE) -> Action:
    return upload_action(label, facts.jco_id, doc_type)


def _agenda(facts: StepFacts, label: str = N_("Record the outcome")) -> Action:
    if facts.meeting is not None:
        return Action(label, "meetings.detail", (("meeting_id", facts.meeting.id),))
    return Action(N_("Plan a meeting's agenda"), "meetings.list_meetings")


def _ask(facts: StepFacts) -> Action:
    return Action(N_("Ask for a place on the agenda"), "operations.detail",
                  (("jco_id", facts.jco_id), ("_anchor", "ask-agenda-h")))


def _answer(facts: StepFacts) -> Action:
    assert facts.requested_meeting is not None
    return Action(N_("Answer the agenda request"), "agendas.plan", (("meeting_id", facts.requested_meeting.id),
                                                                     ("_anchor", "requests-h")))


def _step(facts: StepFacts, transition: Transition) -> Action:
    return Action(transition.label, "operations.transition",
                  (("jco_id", facts.jco_id), ("transition", transition.value)), transition)


def next_step(facts: StepFacts, reader: Reader, today: date) -> NextStep:
    """The next step of the operation's life cycle, as the reader should read it (in its language)."""
    try:
        state = State(facts.state)
    except ValueError:
        return NextStep(_("No next step is known for this stage."), Actor.NOBODY, "")
    lead, secretariat = facts.lead_name or _("the lead delegation"), _("the Secretariat")
    meeting = facts.meeting

    def by_lead(what: str, action: Action, due: date | None = None) -> NextStep:
        return NextStep(what, Actor.LEAD, lead, due or facts.due, meeting, action if reader.leads else None)

    def by_secretariat(what: str, action: Action | None, due: date | None = None) -> NextStep:
        return NextStep(what, Actor.SECRETARIAT, secretariat, due or facts.due, meeting,
                        action if reader.secretariat else None)

    def transition(what: str, step: Transition, actor: Actor, due: date | None) -> NextStep:
        action = _step(facts, step) if step in reader.may_transition else None
        if actor is Actor.LEAD:
            return NextStep(what, actor, lead, due, meeting, action if reader.leads else None)
        return NextStep(what, actor, secretariat, due, meeting, action if reader.secretariat else None)

    def at(at_meeting: str, at_a_coming_meeting: str) -> str:
        """One sentence written twice: naming the meeting, or a meeting to come."""
        if meeting is not None:
            return _(at_meeting, meeting=meeting.label)
        return _(at_a_coming_meeting)

    meeting_day = meeting.day if meeting else None

    def to_agenda(otherwise: NextStep) -> NextStep:
        """A document waits for a meeting. While none has it on its agenda, the lead may ask for a
        place: it gets that button on the Secretariat's step; once it has asked, the step is the
        Secretariat's answer."""
        if meeting is not None:
            return otherwise
        if facts.requested_meeting is not None:
            return NextStep(_("The Secretariat answers the lead delegation's request for a place on the agenda."),
                            Actor.SECRETARIAT, secretariat, facts.requested_meeting.day, facts.requested_meeting,
                            _answer(facts) if reader.secretariat else None)
        if reader.leads:
            return replace(otherwise, action=_ask(facts))
        return otherwise

    def revised_business_case() -> NextStep:
        return to_agenda(by_secretariat(at(N_("The working party decides on the revised business case at %(meeting)s."),
                                           N_("The working party decides on the revised business case at a coming "
                                              "meeting.")),
                                        _agenda(facts), meeting_day))

    if state is State.PROPOSED:
        if not facts.has_business_case:
            return by_lead(_("The lead delegation uploads its business case."),
                           _upload(facts, N_("Upload the business case")))
        return to_agenda(by_secretariat(at(N_("The business case is presented for adoption at %(meeting)s."),
                                           N_("The business case is presented for adoption at a coming meeting.")),
                                        _agenda(facts, N_("Plan the agenda")), meeting_day))
    if state is State.PRESENTED:
        return by_lead(at(N_("The lead delegation opens a round of written comments, unless the working party "
                             "adopts the business case at %(meeting)s."),
                          N_("The lead delegation opens a round of written comments, unless the working party "
                             "adopts the business case at a coming meeting.")),
                       Action(N_("Open a round of written comments"), "comments.open_round",
                              (("jco_id", facts.jco_id),)))
    if state is State.COMMENTS:
        if facts.round_deadline is not None and today <= facts.round_deadline:
            action = (Action(N_("Write comments"), "comments.round_detail", (("round_id", facts.round_id),))
                      if reader.owes_comment else None)
            return NextStep(_("Delegations send their written comments on the business case."), Actor.DELEGATIONS,
                            _("the participating delegations"), facts.round_deadline, meeting, action)
        if facts.business_case_revised:
            return revised_business_case()
        return by_lead(at(N_("The lead delegation takes the comments into account and presents a revised business "
                             "case at %(meeting)s."),
                          N_("The lead delegation takes the comments into account and presents a revised business "
                             "case at a coming meeting.")),
                       _upload(facts, N_("Upload the revised business case")))
    if state is State.REVISION:
        return revised_business_case()
    if state is State.ADOPTED:
        return transition(_("The lead delegation starts the operational phase."), Transition.START_OPERATION,
                          Actor.LEAD, facts.planned_start)
    if state is State.OPERATIONAL:
        return transition(_("The lead delegation ends the operational phase and holds the debriefing."),
                          Transition.END_OPERATION, Actor.LEAD, facts.planned_end)
    if state is State.DEBRIEFING:
        if not facts.has_final_report:
            return by_lead(_("The lead delegation submits the final report with its results."),
                           _upload(facts, N_("Submit the final report"), FINAL_REPORT))
        return to_agenda(by_secretariat(at(N_("The final report is presented at %(meeting)s."),
                                           N_("The final report is presented at a coming meeting.")),
                                        _agenda(facts, N_("Plan the agenda")), meeting_day))
    if state in (State.REPORT_PRESENTED, State.REPORT_PARTLY_ADOPTED):
        body = Body(facts.report_prior_body) if state is State.REPORT_PRESENTED and facts.report_prior_body else None
        return to_agenda(by_secretariat(at(*ADOPTS_THE_REPORT[body]), _agenda(facts), meeting_day))
    if state is State.REPORT_ADOPTED:
        return transition(_("The Secretariat closes the operation."), Transition.CLOSE, Actor.SECRETARIAT, None)
    return NextStep(_(NOTHING_MORE.get(state, NOTHING_MORE[State.CLOSED])), Actor.NOBODY, "")


# Who adopts the final report next (the body that adopts it first, else the working party): the
# sentence naming the meeting, and the one for a meeting to come.
ADOPTS_THE_REPORT: dict[Body | None, tuple[str, str]] = {
    None: (N_("The working party adopts the final report at %(meeting)s."),
           N_("The working party adopts the final report at a coming meeting.")),
    Body.CCWP_EXPERTS: (N_("The CCWP Experts adopt the final report at %(meeting)s."),
                        N_("The CCWP Experts adopt the final report at a coming meeting.")),
    Body.CCWP_PLENARY: (N_("The CCWP plenary adopts the final report at %(meeting)s."),
                        N_("The CCWP plenary adopts the final report at a coming meeting.")),
    Body.MAC: (N_("The Mutual Assistance Committee adopts the final report at %(meeting)s."),
               N_("The Mutual Assistance Committee adopts the final report at a coming meeting.")),
    Body.OTHER: (N_("The other body adopts the final report at %(meeting)s."),
                 N_("The other body adopts the final report at a coming meeting.")),
}

# The operation's end, in a whole sentence each (the states have a gender in French).
NOTHING_MORE = {
    State.CLOSED: N_("Nothing more happens: the operation is closed."),
    State.WITHDRAWN: N_("Nothing more happens: the operation is withdrawn."),
    State.CANCELLED: N_("Nothing more happens: the operation is cancelled."),
    State.POSTPONED: N_("Nothing more happens: the operation is postponed."),
    State.REPORT_COMMENTS: N_("Nothing more happens: the operation is at the written comments on the final report."),
    State.REPORT_REVISION: N_("Nothing more happens: the operation is at the revised final report."),
}


def deadline_action(kind: str, key: str, jco_id: int | None, meeting_id: int | None, *,
                    may_act: bool) -> Action | None:
    """The button that meets a deadline (jco.deadlines kinds), when the reader may press it."""
    if not may_act:
        return None
    source = int(key.split(":", 1)[1])
    if kind == "comments":
        return Action(N_("Write comments"), "comments.round_detail", (("round_id", source),))
    if kind == "revision" and jco_id:
        return upload_action(N_("Upload the revised business case"), jco_id, BUSINESS_CASE)
    if kind == "report" and jco_id:
        return upload_action(N_("Submit the final report"), jco_id, FINAL_REPORT)
    if kind == "adoption":
        if meeting_id:
            return Action(N_("Record the outcome"), "meetings.detail", (("meeting_id", meeting_id),))
        return Action(N_("Plan a meeting's agenda"), "meetings.list_meetings")
    if jco_id:
        return Action(N_("Open the operation"), "operations.detail", (("jco_id", jco_id),))
    if meeting_id:
        return Action(N_("Open the meeting"), "meetings.detail", (("meeting_id", meeting_id),))
    return None
