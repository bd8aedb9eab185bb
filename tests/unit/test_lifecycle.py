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
    second_body,
)

ALL_DOCS = Facts(has_business_case=True, has_final_report=True)

BEFORE_OPERATION = (State.PROPOSED, State.PRESENTED, State.COMMENTS, State.REVISION, State.ADOPTED)

EXPECTED = {
    (State.PROPOSED, Transition.PRESENT_BUSINESS_CASE): State.PRESENTED,
    (State.PRESENTED, Transition.OPEN_COMMENTS): State.COMMENTS,
    (State.REVISION, Transition.OPEN_COMMENTS): State.COMMENTS,
    (State.PRESENTED, Transition.PRESENT_REVISION): State.REVISION,
    (State.COMMENTS, Transition.PRESENT_REVISION): State.REVISION,
    (State.REVISION, Transition.PRESENT_REVISION): State.REVISION,
    (State.PRESENTED, Transition.ADOPT_BUSINESS_CASE): State.ADOPTED,
    (State.COMMENTS, Transition.ADOPT_BUSINESS_CASE): State.ADOPTED,
    (State.REVISION, Transition.ADOPT_BUSINESS_CASE): State.ADOPTED,
    (State.ADOPTED, Transition.START_OPERATION): State.OPERATIONAL,
    (State.OPERATIONAL, Transition.END_OPERATION): State.DEBRIEFING,
    (State.DEBRIEFING, Transition.PRESENT_REPORT): State.REPORT_PRESENTED,
    # the final report goes through the same steps as the business case
    (State.REPORT_PRESENTED, Transition.OPEN_COMMENTS): State.REPORT_COMMENTS,
    (State.REPORT_REVISION, Transition.OPEN_COMMENTS): State.REPORT_COMMENTS,
    (State.REPORT_PRESENTED, Transition.PRESENT_REVISION): State.REPORT_REVISION,
    (State.REPORT_COMMENTS, Transition.PRESENT_REVISION): State.REPORT_REVISION,
    (State.REPORT_REVISION, Transition.PRESENT_REVISION): State.REPORT_REVISION,
    (State.REPORT_PRESENTED, Transition.ADOPT_REPORT): State.REPORT_ADOPTED,
    (State.REPORT_COMMENTS, Transition.ADOPT_REPORT): State.REPORT_ADOPTED,
    (State.REPORT_REVISION, Transition.ADOPT_REPORT): State.REPORT_ADOPTED,
    (State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT): State.REPORT_ADOPTED,
    (State.REPORT_ADOPTED, Transition.CLOSE): State.CLOSED,
    # not adopted: back to the author, in preparation
    **{(s, Transition.NOT_ADOPTED): State.PROPOSED for s in (State.PRESENTED, State.COMMENTS, State.REVISION)},
    **{(s, Transition.NOT_ADOPTED): State.DEBRIEFING for s in (
        State.REPORT_PRESENTED, State.REPORT_COMMENTS, State.REPORT_REVISION, State.REPORT_PARTLY_ADOPTED)},
    **{(s, Transition.WITHDRAW): State.WITHDRAWN for s in State if s.is_open and s is not State.REPORT_ADOPTED},
    **{(s, Transition.POSTPONE): State.POSTPONED for s in BEFORE_OPERATION},
    **{(s, Transition.CANCEL): State.CANCELLED for s in (*BEFORE_OPERATION, State.POSTPONED)},
    (State.POSTPONED, Transition.RESUME): State.ADOPTED,  # where it stood (see Facts below)
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("transition", list(Transition))
def test_every_state_and_transition(state, transition):
    kwargs = {"body": Body.CCWP_EXPERTS, "reason": "no longer needed"}
    facts = ALL_DOCS
    if state is State.REPORT_PARTLY_ADOPTED:
        facts = Facts(has_business_case=True, has_final_report=True, report_prior_body=Body.MAC,
                      report_adopted_by=frozenset({Body.MAC}), report_next_body=Body.CCWP_EXPERTS)
    if state is State.POSTPONED:
        facts = Facts(has_business_case=True, has_final_report=True, postponed_from=State.ADOPTED)
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


def test_two_body_adoption_mac_then_working_party():
    facts = Facts(has_business_case=True, has_final_report=True, report_prior_body=Body.MAC)
    assert next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, facts, body=Body.MAC) is State.REPORT_PARTLY_ADOPTED
    assert second_body(Body.MAC, facts, None) is Body.CCWP_EXPERTS
    after_mac = Facts(has_business_case=True, has_final_report=True, report_prior_body=Body.MAC,
                      report_adopted_by=frozenset({Body.MAC}), report_next_body=Body.CCWP_EXPERTS)
    with pytest.raises(LifecycleError, match="already adopted"):
        next_state(State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT, after_mac, body=Body.MAC)
    with pytest.raises(LifecycleError, match="awaits the adoption of the CCWP Experts"):
        next_state(State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT, after_mac, body=Body.CCWP_PLENARY)
    assert next_state(State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT, after_mac,
                      body=Body.CCWP_EXPERTS) is State.REPORT_ADOPTED


def test_two_body_adoption_working_party_then_mac_chosen_when_the_first_adopts():
    # nothing planned beforehand: the working party's adoption alone completes it …
    assert next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS,
                      body=Body.CCWP_EXPERTS) is State.REPORT_ADOPTED
    # … unless the Secretariat says, when it adopts, that the MAC adopts it next
    assert next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS, body=Body.CCWP_EXPERTS,
                      then_by=Body.MAC) is State.REPORT_PARTLY_ADOPTED
    assert second_body(Body.CCWP_EXPERTS, ALL_DOCS, Body.MAC) is Body.MAC
    # planned beforehand, the MAC may come second too
    planned = Facts(has_business_case=True, has_final_report=True, report_prior_body=Body.MAC)
    assert next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, planned,
                      body=Body.CCWP_EXPERTS) is State.REPORT_PARTLY_ADOPTED
    assert second_body(Body.CCWP_EXPERTS, planned, None) is Body.MAC
    after_wp = Facts(has_business_case=True, has_final_report=True, report_adopted_by=frozenset({Body.CCWP_EXPERTS}),
                     report_next_body=Body.MAC)
    assert next_state(State.REPORT_PARTLY_ADOPTED, Transition.ADOPT_REPORT, after_wp, body=Body.MAC) is State.REPORT_ADOPTED


def test_the_second_body_must_make_sense():
    with pytest.raises(LifecycleError, match="same final report twice"):
        next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS, body=Body.MAC, then_by=Body.MAC)
    with pytest.raises(LifecycleError, match="working party's adoption"):
        next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS, body=Body.MAC, then_by=Body.OTHER)


def test_report_adoption_needs_a_body_that_adopts():
    with pytest.raises(LifecycleError, match="Say which body"):
        next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS)
    with pytest.raises(LifecycleError, match="not a body that adopts"):
        next_state(State.REPORT_PRESENTED, Transition.ADOPT_REPORT, ALL_DOCS, body=Body.OTHER)


def test_report_comments_and_revisions_can_repeat_and_a_revision_may_follow_a_revision():
    state = next_state(State.DEBRIEFING, Transition.PRESENT_REPORT, ALL_DOCS)
    state = next_state(state, Transition.PRESENT_REVISION, ALL_DOCS)  # 6512/15 -> REV 1, no round between
    state = next_state(state, Transition.PRESENT_REVISION, ALL_DOCS)
    for _ in range(2):
        state = next_state(state, Transition.OPEN_COMMENTS, ALL_DOCS)
        state = next_state(state, Transition.PRESENT_REVISION, ALL_DOCS)
    assert state is State.REPORT_REVISION
    with pytest.raises(LifecycleError, match="no final report document to revise"):
        next_state(State.REPORT_PRESENTED, Transition.PRESENT_REVISION, Facts(has_business_case=True))


def test_postponed_operation_resumes_where_it_stood():
    for state in BEFORE_OPERATION:
        postponed = next_state(state, Transition.POSTPONE, ALL_DOCS, reason="No funding this year")
        assert postponed is State.POSTPONED and postponed.is_open
        facts = Facts(has_business_case=True, postponed_from=state)
        assert next_state(postponed, Transition.RESUME, facts) is state
    with pytest.raises(LifecycleError, match="reason for postponing"):
        next_state(State.ADOPTED, Transition.POSTPONE, ALL_DOCS, reason=" ")
    with pytest.raises(LifecycleError, match="not known where"):
        next_state(State.POSTPONED, Transition.RESUME, ALL_DOCS)
    with pytest.raises(LifecycleError, match="not possible"):
        next_state(State.OPERATIONAL, Transition.POSTPONE, ALL_DOCS, reason="too late")


def test_cancelled_is_final_and_needs_a_reason():
    with pytest.raises(LifecycleError, match="reason for cancelling"):
        next_state(State.ADOPTED, Transition.CANCEL, ALL_DOCS)
    assert not State.CANCELLED.is_open and available_transitions(State.CANCELLED) == []


def test_withdraw_is_neither_offered_nor_allowed_once_the_report_is_adopted():
    assert Transition.WITHDRAW not in available_transitions(State.REPORT_ADOPTED)
    with pytest.raises(LifecycleError, match="can be closed, no longer withdrawn"):
        next_state(State.REPORT_ADOPTED, Transition.WITHDRAW, ALL_DOCS, reason="changed our minds")
    assert Transition.WITHDRAW in available_transitions(State.REPORT_PARTLY_ADOPTED)


def test_not_adopted_returns_the_document_to_its_author():
    assert next_state(State.REVISION, Transition.NOT_ADOPTED, ALL_DOCS) is State.PROPOSED
    assert next_state(State.REPORT_PARTLY_ADOPTED, Transition.NOT_ADOPTED, ALL_DOCS) is State.DEBRIEFING


def test_business_case_is_adopted_by_the_working_party_only():
    with pytest.raises(LifecycleError, match="working party"):
        next_state(State.PRESENTED, Transition.ADOPT_BUSINESS_CASE, ALL_DOCS, body=Body.MAC)


def test_withdrawal_needs_a_reason():
    with pytest.raises(LifecycleError, match="reason"):
        next_state(State.OPERATIONAL, Transition.WITHDRAW, ALL_DOCS, reason="  ")


def test_closed_withdrawn_and_cancelled_are_final():
    for state in (State.CLOSED, State.WITHDRAWN, State.CANCELLED):
        assert available_transitions(state) == []
        with pytest.raises(LifecycleError, match="nothing more can happen"):
            next_state(state, Transition.WITHDRAW, ALL_DOCS, reason="x")


def test_available_transitions_match_sources():
    for state in State:
        assert set(available_transitions(state)) == {t for t, sources in SOURCES.items() if state in sources}
