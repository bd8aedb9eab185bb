"""Every state × transition pair of the life cycle, and each guard."""

import pytest

from jco.operations.lifecycle import (
    SOURCES,
    Body,
    Facts,
    LifecycleError,
    State,
    Transition,
    available_transitions,
    next_state,
)

ALL_DOCS = Facts(has_business_case=True, has_final_report=True)

EXPECTED = {
    (State.PROPOSED, Transition.PRESENT_BUSINESS_CASE): State.PRESENTED,
    (State.PRESENTED, Transition.OPEN_COMMENTS): State.COMMENTS,
    (State.REVISION, Transition.OPEN_COMMENTS): State.COMMENTS,
    (State.PRESENTED, Transition.PRESENT_REVISION): State.REVISION,
    (State.COMMENTS, Transition.PRESENT_REVISION): State.REVISION,
    (State.PRESENTED, Transition.ADOPT_BUSINESS_CASE): State.ADOPTED,
    (State.COMMENTS, Transition.ADOPT_BUSINESS_CASE): State.ADOPTED,
    (State.REVISION, Transition.ADOPT_BUSINESS_CASE): State.ADOPTED,
    (State.ADOPTED, Transition.START_OPERATION): State.OPERATIONAL,
    (State.OPERATIONAL, Transition.END_OPERATION): State.DEBRIEFING,
    (State.DEBRIEFING, Transition.PRESENT_REPORT): State.REPORT_PRESENTED,
    (State.REPORT_PRESENTED, Transition.ADOPT_REPORT): State.REPORT_ADOPTED,
    (State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT): State.REPORT_ADOPTED,
    (State.REPORT_ADOPTED, Transition.CLOSE): State.CLOSED,
    **{(s, Transition.WITHDRAW): State.WITHDRAWN for s in State if s.is_open},
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("transition", list(Transition))
def test_every_state_and_transition(state, transition):
    kwargs = {"body": Body.CCWP_EXPERTS, "reason": "no longer needed"}
    facts = ALL_DOCS
    if state is State.REPORT_PARTLY_ADOPTED:
        facts = Facts(has_business_case=True, has_final_report=True, report_prior_body=Body.MAC,
                      report_adopted_by=frozenset({Body.MAC}))
    expected = EXPECTED.get((state, transition))
    if expected is None:
        with pytest.raises(LifecycleError) as error:
            next_state(state, transition, facts, **kwargs)
        assert str(error.value)  # says why, in words
    else:
        assert next_state(state, transition, facts, **kwargs) is expected


def test_comments_and_revisions_can_repeat():
    state = State.PRESENTED
    for _ in range(3):
        state = next_state(state, Transition.OPEN_COMMENTS, ALL_DOCS)
        state = next_state(state, Transition.PRESENT_REVISION, ALL_DOCS)
    assert state is State.REVISION
    assert next_state(state, Transition.ADOPT_BUSINESS_CASE, ALL_DOCS, body=Body.CCWP_EXPERTS) is State.ADOPTED


@pytest.mark.parametrize("transition", [Transition.PRESENT_BUSINESS_CASE])
def test_no_presentation_without_business_case(transition):
    with pytest.raises(LifecycleError, match="no business case"):
        next_state(State.PROPOSED, transition, Facts())


def test_no_adoption_without_business_case():
    with pytest.raises(LifecycleError, match="no business case"):
        next_state(State.PRESENTED, Transition.ADOPT_BUSINESS_CASE, Facts(), body=Body.CCWP_EXPERTS)


def test_no_report_presentation_without_report():
    with pytest.raises(LifecycleError, match="no final report"):
        next_state(State.DEBRIEFING, Transition.PRESENT_REPORT, Facts(has_business_case=True))


def test_closing_needs_an_adopted_report():
    for state in State:
        if state is State.REPORT_ADOPTED:
            assert next_state(state, Transition.CLOSE, ALL_DOCS) is State.CLOSED
        else:
            with pytest.raises(LifecycleError):
                next_state(state, Transition.CLOSE, ALL_DOCS)


def test_two_body_adoption_of_the_report():
    facts = Facts(has_business_case=True, has_final_report=True, report_prior_body=Body.MAC)
    with pytest.raises(LifecycleError, match="first be adopted by the Mutual Assistance Committee"):
        next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, facts, body=Body.CCWP_EXPERTS)
    assert next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, facts, body=Body.MAC) is State.REPORT_PARTLY_ADOPTED
    after_mac = Facts(has_business_case=True, has_final_report=True, report_prior_body=Body.MAC,
                      report_adopted_by=frozenset({Body.MAC}))
    with pytest.raises(LifecycleError, match="already adopted"):
        next_state(State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT, after_mac, body=Body.MAC)
    assert next_state(State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT, after_mac,
                      body=Body.CCWP_EXPERTS) is State.REPORT_ADOPTED


def test_report_adoption_needs_a_body_that_adopts():
    with pytest.raises(LifecycleError, match="Say which body"):
        next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS)
    with pytest.raises(LifecycleError, match="not a body that adopts"):
        next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS, body=Body.MAC)


def test_business_case_is_adopted_by_the_working_party_only():
    with pytest.raises(LifecycleError, match="working party"):
        next_state(State.PRESENTED, Transition.ADOPT_BUSINESS_CASE, ALL_DOCS, body=Body.MAC)


def test_withdrawal_needs_a_reason():
    with pytest.raises(LifecycleError, match="reason"):
        next_state(State.OPERATIONAL, Transition.WITHDRAW, ALL_DOCS, reason="  ")


def test_closed_and_withdrawn_are_final():
    for state in (State.CLOSED, State.WITHDRAWN):
        assert available_transitions(state) == []
        with pytest.raises(LifecycleError, match="nothing more can happen"):
            next_state(state, Transition.WITHDRAW, ALL_DOCS, reason="x")


def test_available_transitions_match_sources():
    for state in State:
        assert set(available_transitions(state)) == {t for t, sources in SOURCES.items() if state in sources}
