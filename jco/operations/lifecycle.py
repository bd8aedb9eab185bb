"""The life cycle of one Joint Customs Operation, as pure data and functions.

No Flask and no database here: the services ask this module whether a step is allowed and which
state it leads to, so the same rules serve the pages, the API, the CLI and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    PROPOSED = "proposed"
    PRESENTED = "presented"
    COMMENTS = "comments"
    REVISION = "revision"
    ADOPTED = "adopted"
    OPERATIONAL = "operational"
    DEBRIEFING = "debriefing"
    REPORT_PRESENTED = "report_presented"
    REPORT_PARTLY_ADOPTED = "report_partly_adopted"
    REPORT_ADOPTED = "report_adopted"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in (State.CLOSED, State.WITHDRAWN)


STATE_LABELS = {
    State.PROPOSED: "Proposed — business case in preparation",
    State.PRESENTED: "Business case presented for adoption",
    State.COMMENTS: "Written comments on the business case",
    State.REVISION: "Revised business case",
    State.ADOPTED: "Business case adopted — planning",
    State.OPERATIONAL: "Operational phase",
    State.DEBRIEFING: "Debriefing — final report in preparation",
    State.REPORT_PRESENTED: "Final report presented",
    State.REPORT_PARTLY_ADOPTED: "Final report adopted by the first body",
    State.REPORT_ADOPTED: "Final report adopted",
    State.CLOSED: "Closed",
    State.WITHDRAWN: "Withdrawn",
}

# Short labels for tables and charts, in life-cycle order.
STATE_SHORT = {
    State.PROPOSED: "Proposed",
    State.PRESENTED: "Presented",
    State.COMMENTS: "Comments",
    State.REVISION: "Revision",
    State.ADOPTED: "Adopted",
    State.OPERATIONAL: "Operational",
    State.DEBRIEFING: "Debriefing",
    State.REPORT_PRESENTED: "Report presented",
    State.REPORT_PARTLY_ADOPTED: "Report partly adopted",
    State.REPORT_ADOPTED: "Report adopted",
    State.CLOSED: "Closed",
    State.WITHDRAWN: "Withdrawn",
}


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
    Body.CCWP_EXPERTS: "CCWP Experts",
    Body.CCWP_PLENARY: "CCWP plenary",
    Body.MAC: "Mutual Assistance Committee",
    Body.OTHER: "Other",
}

# The working party's own adoption is the one that completes a step; another body (the MAC) may
# adopt a final report first.
ADOPTING_BODIES = (Body.CCWP_EXPERTS, Body.CCWP_PLENARY)


class Transition(StrEnum):
    PRESENT_BUSINESS_CASE = "present_business_case"
    OPEN_COMMENTS = "open_comments"
    PRESENT_REVISION = "present_revision"
    ADOPT_BUSINESS_CASE = "adopt_business_case"
    START_OPERATION = "start_operation"
    END_OPERATION = "end_operation"
    PRESENT_REPORT = "present_report"
    ADOPT_REPORT = "adopt_report"
    CLOSE = "close"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        return TRANSITION_LABELS[self]


TRANSITION_LABELS = {
    Transition.PRESENT_BUSINESS_CASE: "Present the business case for adoption",
    Transition.OPEN_COMMENTS: "Open a round of written comments",
    Transition.PRESENT_REVISION: "Present a revised business case",
    Transition.ADOPT_BUSINESS_CASE: "Adopt the business case",
    Transition.START_OPERATION: "Start the operational phase",
    Transition.END_OPERATION: "End the operational phase",
    Transition.PRESENT_REPORT: "Present the final report",
    Transition.ADOPT_REPORT: "Adopt the final report",
    Transition.CLOSE: "Close",
    Transition.WITHDRAW: "Withdraw",
}

OPEN_STATES = frozenset(s for s in State if s.is_open)

SOURCES: dict[Transition, frozenset[State]] = {
    Transition.PRESENT_BUSINESS_CASE: frozenset({State.PROPOSED}),
    Transition.OPEN_COMMENTS: frozenset({State.PRESENTED, State.REVISION}),
    Transition.PRESENT_REVISION: frozenset({State.PRESENTED, State.COMMENTS}),
    Transition.ADOPT_BUSINESS_CASE: frozenset({State.PRESENTED, State.COMMENTS, State.REVISION}),
    Transition.START_OPERATION: frozenset({State.ADOPTED}),
    Transition.END_OPERATION: frozenset({State.OPERATIONAL}),
    Transition.PRESENT_REPORT: frozenset({State.DEBRIEFING}),
    Transition.ADOPT_REPORT: frozenset({State.REPORT_PRESENTED, State.REPORT_PARTLY_ADOPTED}),
    Transition.CLOSE: frozenset({State.REPORT_ADOPTED}),
    Transition.WITHDRAW: OPEN_STATES,
}

SIMPLE_TARGETS: dict[Transition, State] = {
    Transition.PRESENT_BUSINESS_CASE: State.PRESENTED,
    Transition.OPEN_COMMENTS: State.COMMENTS,
    Transition.PRESENT_REVISION: State.REVISION,
    Transition.ADOPT_BUSINESS_CASE: State.ADOPTED,
    Transition.START_OPERATION: State.OPERATIONAL,
    Transition.END_OPERATION: State.DEBRIEFING,
    Transition.PRESENT_REPORT: State.REPORT_PRESENTED,
    Transition.CLOSE: State.CLOSED,
    Transition.WITHDRAW: State.WITHDRAWN,
}


class LifecycleError(ValueError):
    """A step that the life cycle does not allow; the message is meant for the user."""


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about a JCO, gathered by the caller."""

    has_business_case: bool = False
    has_final_report: bool = False
    # The body that must adopt the final report before the working party does (e.g. the MAC),
    # or None when the working party's adoption alone suffices.
    report_prior_body: Body | None = None
    report_adopted_by: frozenset[Body] = frozenset()


def _guard(state: State, transition: Transition, facts: Facts, body: Body | None, reason: str) -> None:
    if transition in (Transition.PRESENT_BUSINESS_CASE, Transition.ADOPT_BUSINESS_CASE) and not (
        facts.has_business_case
    ):
        raise LifecycleError("There is no business case document yet: register or upload it first.")
    if transition is Transition.PRESENT_REVISION and not facts.has_business_case:
        raise LifecycleError("There is no business case document to revise.")
    if transition is Transition.PRESENT_REPORT and not facts.has_final_report:
        raise LifecycleError("There is no final report document yet: register or upload it first.")
    if transition is Transition.ADOPT_REPORT:
        if not facts.has_final_report:
            raise LifecycleError("There is no final report document to adopt.")
        if body is None:
            raise LifecycleError("Say which body adopted the final report.")
        if body in facts.report_adopted_by:
            raise LifecycleError(f"The {body.label} has already adopted this final report.")
        prior = facts.report_prior_body
        if body in ADOPTING_BODIES:
            if prior is not None and prior not in facts.report_adopted_by:
                raise LifecycleError(
                    f"This final report must first be adopted by the {prior.label}."
                )
        elif body != prior:
            raise LifecycleError(
                f"The {body.label} is not a body that adopts this final report."
            )
    if transition is Transition.ADOPT_BUSINESS_CASE and body is not None and body not in ADOPTING_BODIES:
        raise LifecycleError(f"A business case is adopted by the working party, not by the {body.label}.")
    if transition is Transition.WITHDRAW and not reason.strip():
        raise LifecycleError("Give the reason for withdrawing the operation.")


def next_state(
    state: State | str,
    transition: Transition | str,
    facts: Facts = Facts(),
    *,
    body: Body | str | None = None,
    reason: str = "",
) -> State:
    """The state that ``transition`` leads to from ``state``, or a LifecycleError saying why not."""
    state = State(state)
    transition = Transition(transition)
    body = Body(body) if body else None
    if state not in SOURCES[transition]:
        if not state.is_open:
            raise LifecycleError(f"The operation is {state.label.lower()}: nothing more can happen to it.")
        raise LifecycleError(
            f"“{transition.label}” is not possible while the operation is at “{state.label}”."
        )
    _guard(state, transition, facts, body, reason)
    if transition is Transition.ADOPT_REPORT:
        if body in ADOPTING_BODIES:
            return State.REPORT_ADOPTED
        return State.REPORT_PARTLY_ADOPTED
    return SIMPLE_TARGETS[transition]


def available_transitions(state: State | str) -> list[Transition]:
    """The steps the state allows, before guards (used to offer buttons)."""
    state = State(state)
    return [t for t in Transition if state in SOURCES[t]]


# The final report's results can be recorded once the operational phase is over.
RESULTS_STATES = frozenset({
    State.DEBRIEFING, State.REPORT_PRESENTED, State.REPORT_PARTLY_ADOPTED, State.REPORT_ADOPTED, State.CLOSED,
})
