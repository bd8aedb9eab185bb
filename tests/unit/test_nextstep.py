"""The next step of an operation: who acts at each stage, by when, and who gets the button."""

from __future__ import annotations

from datetime import date

import pytest

from jco.mypage.nextstep import Actor, Meeting, Reader, StepFacts, deadline_action, next_step
from jco.operations.lifecycle import State, Transition

TODAY = date(2015, 10, 27)
LEAD = Reader(leads=True, may_transition=frozenset({Transition.START_OPERATION, Transition.END_OPERATION,
                                                      Transition.WITHDRAW}))
SECRETARIAT = Reader(secretariat=True, may_transition=frozenset(Transition))
OTHER = Reader()
DECEMBER = Meeting(7, "CCWP Experts, 2 December 2015", date(2015, 12, 2))


def facts(state: State, **extra) -> StepFacts:
    return StepFacts(jco_id=3, state=state.value, lead_name="Germany", **extra)


# state, facts, who acts, the button's label for the one who acts
CASES = [
    (State.PROPOSED, {}, Actor.LEAD, "Upload the business case"),
    (State.PROPOSED, {"has_business_case": True}, Actor.SECRETARIAT, "Plan a meeting's agenda"),
    (State.PRESENTED, {"has_business_case": True}, Actor.LEAD, "Open a round of written comments"),
    (State.COMMENTS, {"round_id": 5, "round_deadline": date(2015, 11, 3)}, Actor.DELEGATIONS, None),
    (State.COMMENTS, {"round_id": 5, "round_deadline": date(2015, 10, 1)}, Actor.LEAD, "Upload the revised business case"),
    (State.REVISION, {"meeting": DECEMBER}, Actor.SECRETARIAT, "Record the outcome"),
    (State.ADOPTED, {}, Actor.LEAD, Transition.START_OPERATION.label),
    (State.OPERATIONAL, {}, Actor.LEAD, Transition.END_OPERATION.label),
    (State.DEBRIEFING, {}, Actor.LEAD, "Submit the final report"),
    (State.DEBRIEFING, {"has_final_report": True}, Actor.SECRETARIAT, "Plan a meeting's agenda"),
    (State.REPORT_PRESENTED, {"has_final_report": True}, Actor.SECRETARIAT, "Plan a meeting's agenda"),
    (State.REPORT_PARTLY_ADOPTED, {"meeting": DECEMBER}, Actor.SECRETARIAT, "Record the outcome"),
    (State.REPORT_ADOPTED, {}, Actor.SECRETARIAT, Transition.CLOSE.label),
    (State.CLOSED, {}, Actor.NOBODY, None),
    (State.WITHDRAWN, {}, Actor.NOBODY, None),
]


# A document waits for a meeting that none has it on its agenda: the lead may ask for a place.
WAITING_FOR_A_MEETING = {
    (State.PROPOSED, ("has_business_case",)), (State.DEBRIEFING, ("has_final_report",)),
    (State.REPORT_PRESENTED, ("has_final_report",)),
}


@pytest.mark.parametrize(("state", "extra", "actor", "label"), CASES)
def test_each_stage_names_who_acts_and_only_they_get_the_button(state, extra, actor, label):
    readers = {"lead": LEAD, "secretariat": SECRETARIAT, "other": OTHER}
    steps = {name: next_step(facts(state, **extra), reader, TODAY) for name, reader in readers.items()}
    assert {step.actor for step in steps.values()} == {actor}
    assert all(step.what for step in steps.values())
    acting = {Actor.LEAD: "lead", Actor.SECRETARIAT: "secretariat"}.get(actor)
    for name, step in steps.items():
        if name == acting:
            assert step.action is not None and step.action.label == label
        elif name == "lead" and (state, tuple(extra)) in WAITING_FOR_A_MEETING:
            assert step.action.label == "Ask for a place on the agenda"
        else:
            assert step.action is None, (name, step)


def test_lifecycle_steps_post_a_transition_and_other_buttons_are_links():
    step = next_step(facts(State.OPERATIONAL, planned_end=date(2015, 11, 20)), LEAD, TODAY)
    assert step.transition is Transition.END_OPERATION
    assert step.action.endpoint == "operations.transition"
    assert step.action.args == {"jco_id": 3, "transition": "end_operation"}
    assert step.due == date(2015, 11, 20) and step.who == "Germany"
    upload = next_step(facts(State.DEBRIEFING), LEAD, TODAY).action
    assert upload.transition is None and upload.args == {"jco_id": 3, "type": "final_report"}


def test_a_lead_not_allowed_the_step_gets_no_button():
    step = next_step(facts(State.ADOPTED), Reader(leads=True), TODAY)
    assert step.actor is Actor.LEAD and step.action is None


def test_comments_name_the_deadline_and_offer_writing_only_to_a_delegation_that_owes_one():
    round_facts = facts(State.COMMENTS, round_id=5, round_deadline=date(2015, 11, 3), due=date(2015, 11, 1))
    owing = next_step(round_facts, Reader(owes_comment=True), TODAY)
    assert owing.due == date(2015, 11, 3)
    assert owing.action.label == "Write comments" and owing.action.args == {"round_id": 5}
    assert next_step(round_facts, Reader(owes_comment=False), TODAY).action is None
    # On the deadline itself comments are still accepted.
    assert next_step(round_facts, Reader(owes_comment=True), date(2015, 11, 3)).actor is Actor.DELEGATIONS
    assert next_step(round_facts, Reader(owes_comment=True), date(2015, 11, 4)).actor is Actor.LEAD


def test_the_meeting_is_named_and_its_day_is_the_due_date():
    step = next_step(facts(State.REVISION, meeting=DECEMBER), SECRETARIAT, TODAY)
    assert "CCWP Experts, 2 December 2015" in step.what
    assert step.due == date(2015, 12, 2)
    assert step.action.args == {"meeting_id": 7}


def test_a_report_going_to_the_mac_first_says_so():
    step = next_step(facts(State.REPORT_PRESENTED, report_prior_body="mac"), OTHER, TODAY)
    assert step.what.startswith("The Mutual Assistance Committee adopts the final report")
    then = next_step(facts(State.REPORT_PARTLY_ADOPTED, report_prior_body="mac"), OTHER, TODAY)
    assert then.what.startswith("The working party adopts")


def test_an_unknown_stage_is_answered_not_raised():
    step = next_step(StepFacts(jco_id=1, state="some_new_state"), SECRETARIAT, TODAY)
    assert step.actor is Actor.NOBODY and step.action is None


@pytest.mark.parametrize(("kind", "label", "endpoint", "args"), [
    ("comments", "Write comments", "comments.round_detail", {"round_id": 12}),
    ("revision", "Upload the revised business case", "documents.new_jco_document",
     {"jco_id": 3, "type": "business_case"}),
    ("report", "Submit the final report", "documents.new_jco_document", {"jco_id": 3, "type": "final_report"}),
    ("adoption", "Record the outcome", "meetings.detail", {"meeting_id": 7}),
    ("manual", "Open the operation", "operations.detail", {"jco_id": 3}),
])
def test_each_kind_of_deadline_has_the_button_that_meets_it(kind, label, endpoint, args):
    action = deadline_action(kind, f"x:{12}", 3, 7, may_act=True)
    assert (action.label, action.endpoint, action.args) == (label, endpoint, args)
    assert deadline_action(kind, "x:12", 3, 7, may_act=False) is None


def test_a_revision_uploaded_after_the_comments_points_the_lead_to_the_agenda():
    revised = facts(State.COMMENTS, round_id=5, round_deadline=date(2015, 10, 1), business_case_revised=True)
    lead = next_step(revised, LEAD, TODAY)
    assert lead.actor is Actor.SECRETARIAT and "decides on the revised business case" in lead.what
    assert lead.action.label == "Ask for a place on the agenda"
    assert lead.action.endpoint == "operations.detail"
    assert lead.action.args == {"jco_id": 3, "_anchor": "ask-agenda-h"}
    assert next_step(revised, OTHER, TODAY).action is None
    # Once the revision is on an agenda there is nothing to ask for.
    planned = facts(State.COMMENTS, round_id=5, round_deadline=date(2015, 10, 1), business_case_revised=True,
                    meeting=DECEMBER)
    assert next_step(planned, LEAD, TODAY).action is None


def test_a_waiting_request_is_the_secretariats_to_answer():
    waiting = facts(State.DEBRIEFING, has_final_report=True, requested_meeting=DECEMBER)
    for reader in (LEAD, OTHER):
        step = next_step(waiting, reader, TODAY)
        assert step.actor is Actor.SECRETARIAT and step.action is None
        assert step.what.startswith("The Secretariat answers") and step.due == date(2015, 12, 2)
    answer = next_step(waiting, SECRETARIAT, TODAY).action
    assert (answer.label, answer.endpoint, answer.args) == (
        "Answer the agenda request", "agendas.plan", {"meeting_id": 7, "_anchor": "requests-h"})
