"""The life cycle of one Joint Customs Operation, as pure data and functions.

No Flask and no database here: the services ask this module whether a step is allowed and which
state it leads to, so the same rules serve the pages, the API, the CLI and the tests.

The business case and the final report go through the working party in the same steps:
presented -> written comments -> revised version (a revision may follow a revision, with or
without a round of comments in between) -> adopted. Written comments are asked of every member
state's delegation except the lead's (jco.comments.services decides who is asked).

A final report is adopted by the working party and possibly by a second body (the MAC), in either
order. When the first body adopts, the Secretariat says which body must adopt it next (``then_by``);
without that answer the body planned beforehand is next, and after a body other than the working
party the working party (CCWP Experts) is next, since its adoption is always needed.

Outcomes of an agenda item (recorded by jco.meetings.services, only once the meeting has started):
- "presented": presents the business case, report or revision the item is about;
- "adopted": adopts it (presenting it first when it had not been presented yet);
- "postponed": the item is put off to a later meeting. The operation stays where it stood; the
  history says so, and the item is proposed again for the next meeting of the body;
- "not adopted": the document goes back to its author. A business case returns to "proposed"
  (in preparation), a final report to "debriefing" (in preparation); adoptions of that report by
  a first body no longer count, and a new version is presented again before it can be adopted;
- "noted": changes nothing.

An operation may also be:
- postponed (with a reason), before its operational phase: it resumes at the state it stood at;
- cancelled (with a reason; final), before its operational phase or while postponed;
- withdrawn (with a reason; final), at any time until its final report is adopted — after that
  it is closed, not withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from jco.core.text import N_, _


class State(StrEnum):
    PROPOSED = "proposed"
    PRESENTED = "presented"
    COMMENTS = "comments"
    REVISION = "revision"
    ADOPTED = "adopted"
    OPERATIONAL = "operational"
    DEBRIEFING = "debriefing"
    REPORT_PRESENTED = "report_presented"
    REPORT_COMMENTS = "report_comments"
    REPORT_REVISION = "report_revision"
    REPORT_PARTLY_ADOPTED = "report_partly_adopted"
    REPORT_ADOPTED = "report_adopted"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in FINAL_STATES


FINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN, State.CANCELLED})

STATE_LABELS = {
    State.PROPOSED: N_("Proposed — business case in preparation"),
    State.PRESENTED: N_("Business case presented for adoption"),
    State.COMMENTS: N_("Written comments on the business case"),
    State.REVISION: N_("Revised business case"),
    State.ADOPTED: N_("Business case adopted — planning"),
    State.OPERATIONAL: N_("Operational phase"),
    State.DEBRIEFING: N_("Debriefing — final report in preparation"),
    State.REPORT_PRESENTED: N_("Final report presented"),
    State.REPORT_COMMENTS: N_("Written comments on the final report"),
    State.REPORT_REVISION: N_("Revised final report"),
    State.REPORT_PARTLY_ADOPTED: N_("Final report adopted by the first body"),
    State.REPORT_ADOPTED: N_("Final report adopted"),
    State.CLOSED: N_("Closed"),
    State.WITHDRAWN: N_("Withdrawn"),
    State.POSTPONED: N_("Postponed"),
    State.CANCELLED: N_("Cancelled"),
}

# Short labels for tables and charts, in life-cycle order.
STATE_SHORT = {
    State.PROPOSED: N_("Proposed"),
    State.PRESENTED: N_("Presented"),
    State.COMMENTS: N_("Comments"),
    State.REVISION: N_("Revision"),
    State.ADOPTED: N_("Adopted"),
    State.OPERATIONAL: N_("Operational"),
    State.DEBRIEFING: N_("Debriefing"),
    State.REPORT_PRESENTED: N_("Report presented"),
    State.REPORT_COMMENTS: N_("Report comments"),
    State.REPORT_REVISION: N_("Report revision"),
    State.REPORT_PARTLY_ADOPTED: N_("Report partly adopted"),
    State.REPORT_ADOPTED: N_("Report adopted"),
    State.CLOSED: N_("Closed"),
    State.WITHDRAWN: N_("Withdrawn"),
    State.POSTPONED: N_("Postponed"),
    State.CANCELLED: N_("Cancelled"),
}

# The two documents that go through the working party, each in the same steps.
BUSINESS_CASE_STATES = frozenset({State.PRESENTED, State.COMMENTS, State.REVISION})
REPORT_STATES = frozenset({State.REPORT_PRESENTED, State.REPORT_COMMENTS, State.REPORT_REVISION})
# Where written comments can be asked for, and the document type they are about.
COMMENT_STATES = frozenset({State.COMMENTS, State.REPORT_COMMENTS})


class Body(StrEnum):
    """Bodies that meet and adopt: the working party in its formations, and the MAC."""

    CCWP_EXPERTS = "ccwp_experts"
    CCWP_PLENARY = "ccwp_plenary"
    MAC = "mac"
    OTHER = "other"

    @property
    def label(self) -> str:
        return BODY_LABELS[self]


BODY_LABELS = {
    Body.CCWP_EXPERTS: N_("CCWP Experts"),
    Body.CCWP_PLENARY: N_("CCWP plenary"),
    Body.MAC: N_("Mutual Assistance Committee"),
    Body.OTHER: N_("Other"),
}

# The working party's own adoption is the one a final report always needs; another body (the MAC)
# may adopt it too, before or after the working party.
ADOPTING_BODIES = (Body.CCWP_EXPERTS, Body.CCWP_PLENARY)
SECOND_BODIES = (Body.MAC, Body.CCWP_EXPERTS, Body.CCWP_PLENARY)


class Transition(StrEnum):
    PRESENT_BUSINESS_CASE = "present_business_case"
    OPEN_COMMENTS = "open_comments"
    PRESENT_REVISION = "present_revision"
    ADOPT_BUSINESS_CASE = "adopt_business_case"
    START_OPERATION = "start_operation"
    END_OPERATION = "end_operation"
    PRESENT_REPORT = "present_report"
    ADOPT_REPORT = "adopt_report"
    NOT_ADOPTED = "not_adopted"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    POSTPONE = "postpone"
    RESUME = "resume"
    CANCEL = "cancel"

    @property
    def label(self) -> str:
        return TRANSITION_LABELS[self]


TRANSITION_LABELS = {
    Transition.PRESENT_BUSINESS_CASE: N_("Present the business case for adoption"),
    Transition.OPEN_COMMENTS: N_("Open a round of written comments"),
    Transition.PRESENT_REVISION: N_("Present a revised version"),
    Transition.ADOPT_BUSINESS_CASE: N_("Adopt the business case"),
    Transition.START_OPERATION: N_("Start the operational phase"),
    Transition.END_OPERATION: N_("End the operational phase"),
    Transition.PRESENT_REPORT: N_("Present the final report"),
    Transition.ADOPT_REPORT: N_("Adopt the final report"),
    Transition.NOT_ADOPTED: N_("Not adopted"),
    Transition.CLOSE: N_("Close"),
    Transition.WITHDRAW: N_("Withdraw"),
    Transition.POSTPONE: N_("Postpone"),
    Transition.RESUME: N_("Resume"),
    Transition.CANCEL: N_("Cancel the operation"),
}

# Steps that stop or suspend an operation say why; the reason is kept on the operation.
REASON_REQUIRED = {
    Transition.WITHDRAW: N_("Give the reason for withdrawing the operation."),
    Transition.POSTPONE: N_("Give the reason for postponing the operation."),
    Transition.CANCEL: N_("Give the reason for cancelling the operation."),
}

OPEN_STATES = frozenset(s for s in State if s.is_open)
# Before the operational phase: an operation that has not run can still be called off.
NOT_RUN_STATES = frozenset({State.PROPOSED, *BUSINESS_CASE_STATES, State.ADOPTED})

SOURCES: dict[Transition, frozenset[State]] = {
    Transition.PRESENT_BUSINESS_CASE: frozenset({State.PROPOSED}),
    Transition.OPEN_COMMENTS: frozenset({State.PRESENTED, State.REVISION, State.REPORT_PRESENTED,
                                         State.REPORT_REVISION}),
    Transition.PRESENT_REVISION: BUSINESS_CASE_STATES | REPORT_STATES,
    Transition.ADOPT_BUSINESS_CASE: BUSINESS_CASE_STATES,
    Transition.START_OPERATION: frozenset({State.ADOPTED}),
    Transition.END_OPERATION: frozenset({State.OPERATIONAL}),
    Transition.PRESENT_REPORT: frozenset({State.DEBRIEFING}),
    Transition.ADOPT_REPORT: REPORT_STATES | {State.REPORT_PARTLY_ADOPTED},
    Transition.NOT_ADOPTED: BUSINESS_CASE_STATES | REPORT_STATES | {State.REPORT_PARTLY_ADOPTED},
    Transition.CLOSE: frozenset({State.REPORT_ADOPTED}),
    # Once the final report is adopted the operation is done with: it closes, it is not withdrawn.
    Transition.WITHDRAW: OPEN_STATES - {State.REPORT_ADOPTED},
    Transition.POSTPONE: NOT_RUN_STATES,
    Transition.RESUME: frozenset({State.POSTPONED}),
    Transition.CANCEL: NOT_RUN_STATES | {State.POSTPONED},
}

SIMPLE_TARGETS: dict[Transition, State] = {
    Transition.PRESENT_BUSINESS_CASE: State.PRESENTED,
    Transition.ADOPT_BUSINESS_CASE: State.ADOPTED,
    Transition.START_OPERATION: State.OPERATIONAL,
    Transition.END_OPERATION: State.DEBRIEFING,
    Transition.PRESENT_REPORT: State.REPORT_PRESENTED,
    Transition.CLOSE: State.CLOSED,
    Transition.WITHDRAW: State.WITHDRAWN,
    Transition.POSTPONE: State.POSTPONED,
    Transition.CANCEL: State.CANCELLED,
}


class LifecycleError(ValueError):
    """A step that the life cycle does not allow; the message is meant for the user."""


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about a JCO, gathered by the caller."""

    has_business_case: bool = False
    has_final_report: bool = False
    # Another body that is planned to adopt the final report besides the working party (e.g. the
    # MAC), in either order; None when nobody said so beforehand.
    report_prior_body: Body | None = None
    # Bodies that adopted the final report since it was last "not adopted".
    report_adopted_by: frozenset[Body] = frozenset()
    # The body whose adoption a partly adopted report awaits, chosen when the first body adopted.
    report_next_body: Body | None = None
    # The state a postponed operation resumes at.
    postponed_from: State | None = None


def _guard(state: State, transition: Transition, facts: Facts, body: Body | None, reason: str) -> None:
    if transition in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE) and not (
        facts.has_business_case
    ):
        raise LifecycleError(_("There is no business case document yet: register or upload it first."))
    if transition is Transition.PRESENT_REVISION:
        if state in BUSINESS_CASE_STATES and not facts.has_business_case:
            raise LifecycleError(_("There is no business case document to revise."))
        if state in REPORT_STATES and not facts.has_final_report:
            raise LifecycleError(_("There is no final report document to revise."))
    if transition is Transition.PRESENT_REPORT and not facts.has_final_report:
        raise LifecycleError(_("There is no final report document yet: register or upload it first."))
    if transition is Transition.ADOPT_REPORT:
        if not facts.has_final_report:
            raise LifecycleError(_("There is no final report document to adopt."))
        if body is None:
            raise LifecycleError(_("Say which body adopted the final report."))
        if body in facts.report_adopted_by:
            raise LifecycleError(_("The %(body)s has already adopted this final report.", body=_(body.label)))
        if body not in SECOND_BODIES:
            raise LifecycleError(_("The %(body)s is not a body that adopts a final report.", body=_(body.label)))
        if state is State.REPORT_PARTLY_ADOPTED and facts.report_next_body and body != facts.report_next_body:
            raise LifecycleError(_(
                "This final report awaits the adoption of the %(awaited)s, not of the %(body)s.",
                awaited=_(facts.report_next_body.label), body=_(body.label),
            ))
    if transition is Transition.ADOPT_BUSINESS_CASE and body is not None and body not in ADOPTING_BODIES:
        raise LifecycleError(_("A business case is adopted by the working party, not by the %(body)s.",
                                body=_(body.label)))
    if transition is Transition.RESUME and facts.postponed_from is None:
        raise LifecycleError(_("It is not known where the postponed operation stood: record its state instead."))
    if transition in REASON_REQUIRED and not reason.strip():
        raise LifecycleError(_(REASON_REQUIRED[transition]))


def second_body(first: Body, facts: Facts, then_by: Body | None) -> Body | None:
    """Which body must still adopt a final report once ``first`` has: the one the Secretariat chose
    when recording the first adoption, else the one planned beforehand, else — when the first body
    was not the working party — the working party (CCWP Experts), whose adoption is always needed."""
    if then_by is not None:
        if then_by == first:
            raise LifecycleError(_("The %(body)s cannot adopt the same final report twice.", body=_(first.label)))
        if first not in ADOPTING_BODIES and then_by not in ADOPTING_BODIES:
            raise LifecycleError(_("After another body, the final report needs the working party's adoption."))
        return then_by
    if facts.report_prior_body is not None and facts.report_prior_body != first:
        if not (first in ADOPTING_BODIES and facts.report_prior_body in ADOPTING_BODIES):
            return facts.report_prior_body
    if first not in ADOPTING_BODIES:
        return Body.CCWP_EXPERTS
    return None


def next_state(
    state: State | str,
    transition: Transition | str,
    facts: Facts = Facts(),
    *,
    body: Body | str | None = None,
    then_by: Body | str | None = None,
    reason: str = "",
) -> State:
    """The state that ``transition`` leads to from ``state``, or a LifecycleError saying why not.

    ``then_by`` is, for the first adoption of a final report, the body that must adopt it next.
    """
    state = State(state)
    transition = Transition(transition)
    body = Body(body) if body else None
    then_by = Body(then_by) if then_by else None
    if state not in SOURCES[transition]:
        if not state.is_open:
            raise LifecycleError(_("The operation is at “%(state)s”: nothing more can happen to it.", state=_(state.label)))
        if transition is Transition.WITHDRAW and state is State.REPORT_ADOPTED:
            raise LifecycleError(_("The final report is adopted: the operation can be closed, no longer withdrawn."))
        raise LifecycleError(_(
            "“%(step)s” is not possible while the operation is at “%(state)s”.",
            step=_(transition.label), state=_(state.label),
        ))
    _guard(state, transition, facts, body, reason)
    if transition is Transition.ADOPT_REPORT:
        if state is State.REPORT_PARTLY_ADOPTED:
            return State.REPORT_ADOPTED
        assert body is not None  # _guard refuses an adoption without a body
        return State.REPORT_PARTLY_ADOPTED if second_body(body, facts, then_by) else State.REPORT_ADOPTED
    if transition is Transition.OPEN_COMMENTS:
        return State.REPORT_COMMENTS if state in REPORT_STATES else State.COMMENTS
    if transition is Transition.PRESENT_REVISION:
        return State.REPORT_REVISION if state in REPORT_STATES else State.REVISION
    if transition is Transition.NOT_ADOPTED:
        return State.PROPOSED if state in BUSINESS_CASE_STATES else State.DEBRIEFING
    if transition is Transition.RESUME:
        assert facts.postponed_from is not None  # _guard refuses a resumption from an unknown state
        return facts.postponed_from
    return SIMPLE_TARGETS[transition]


def available_transitions(state: State | str) -> list[Transition]:
    """The steps the state allows, before guards (used to offer buttons)."""
    state = State(state)
    return [t for t in Transition if state in SOURCES[t]]


# The final report's results can be recorded once the operational phase is over.
RESULTS_STATES = frozenset({
    State.DEBRIEFING, *REPORT_STATES, State.REPORT_PARTLY_ADOPTED, State.REPORT_ADOPTED, State.CLOSED,
})
