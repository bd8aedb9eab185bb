"""Deadline arithmetic: status in words, who has met what, when things fall due, which reminder."""

from datetime import date
from types import SimpleNamespace

import pytest

from jco.deadlines.rules import (
    SECRETARIAT,
    Deadline,
    Kind,
    Owner,
    Status,
    deadline_key,
    first_meeting_after,
    parse_reminder_days,
    reminder_kind,
    reminder_label,
    report_due,
    revision_due,
    status_of,
    status_words,
)

TODAY = date(2015, 11, 4)
DE, FR, PL = Owner(1, "Germany"), Owner(2, "France"), Owner(3, "Poland")


@pytest.mark.parametrize(
    ("due", "met_on", "status", "words"),
    [
        (date(2015, 11, 4), None, Status.OPEN, "Due today"),
        (date(2015, 11, 5), None, Status.OPEN, "Due tomorrow"),
        (date(2015, 11, 10), None, Status.OPEN, "Due in 6 days"),
        (date(2015, 11, 3), None, Status.OVERDUE, "Overdue by 1 day"),
        (date(2015, 11, 1), None, Status.OVERDUE, "Overdue by 3 days"),
        (date(2015, 9, 5), None, Status.OVERDUE, "Overdue by 60 days"),
        (date(2015, 9, 4), None, Status.OVERDUE, "Missed (due 4 September 2015)"),
        (date(2015, 11, 1), date(2015, 11, 2), Status.MET, "Met on 2 November 2015"),
        (date(2015, 11, 1), date(2015, 11, 3), Status.MET, "Met on 3 November 2015"),  # late, but met
    ],
)
def test_status_is_computed_and_said_in_words(due, met_on, status, words):
    assert status_of(due, met_on, TODAY) is status
    assert status_words(status, due, met_on, TODAY) == words


def test_comment_round_is_met_per_delegation():
    d = Deadline(key="round:1", kind=Kind.COMMENTS, title="Comments", due=date(2015, 11, 3), owners=[DE, FR, PL],
                 met_by={1: date(2015, 11, 2)})
    assert d.status_for(1, TODAY) is Status.MET
    assert d.words_for(2, TODAY) == "Overdue by 1 day"
    assert d.status(TODAY) is Status.OVERDUE
    assert d.pending_owners() == [FR, PL]
    assert d.owners_label() == "Germany, France, Poland (1 of 3 have commented)"
    assert d.met_on() is None
    d.met_by.update({2: date(2015, 11, 3), 3: date(2015, 11, 1)})
    assert d.status(TODAY) is Status.MET and d.met_on() == date(2015, 11, 3)
    assert d.css_class(TODAY) == "status-met"


def test_deadline_without_owners_is_open_then_closed():
    d = Deadline(key="round:2", kind=Kind.COMMENTS, title="Comments", due=date(2015, 11, 3), owners=[])
    assert d.status(date(2015, 11, 3)) is Status.OPEN
    assert d.status(TODAY) is Status.MET
    assert d.words(TODAY) == "Closed on 3 November 2015"
    assert d.owners_label() == "No delegation in particular"


def test_soon_and_overdue_have_their_own_colour():
    d = Deadline(key="manual:1", kind=Kind.MANUAL, title="x", due=date(2015, 11, 6), owners=[SECRETARIAT])
    assert d.css_class(TODAY) == "status-soon"
    assert d.css_class(date(2015, 10, 1)) == "status-open"
    assert d.css_class(date(2015, 11, 7)) == "status-overdue"
    assert d.owes(None) and not d.owes(1)


def test_keys_are_stable_and_fingerprints_follow_content():
    assert deadline_key(Kind.COMMENTS, 12) == "round:12"
    assert deadline_key(Kind.REPORT, 5) == "report:5"
    assert deadline_key(Kind.MANUAL, 3) == "manual:3"
    d = Deadline(key="report:5", kind=Kind.REPORT, title="Final report", due=date(2015, 12, 16), owners=[PL])
    before = d.fingerprint()
    assert d.fingerprint() == before
    d.due = date(2015, 12, 17)
    moved = d.fingerprint()
    assert moved != before
    d.met_by = {3: date(2015, 12, 1)}
    assert d.fingerprint() != moved


def test_due_dates():
    assert revision_due(date(2015, 12, 2), 10) == date(2015, 11, 22)
    assert report_due(date(2015, 6, 30), date(2015, 9, 17), 90) == date(2015, 12, 16)  # the later of the two
    assert report_due(date(2015, 10, 1), date(2015, 9, 17), 90) == date(2015, 12, 30)
    assert report_due(None, None, 90) is None


def test_first_meeting_after_a_day_of_a_body():
    meetings = [SimpleNamespace(start_date=date(2015, 6, 3), body="mac"),
                SimpleNamespace(start_date=date(2015, 10, 20), body="ccwp_experts"),
                SimpleNamespace(start_date=date(2015, 12, 2), body="ccwp_experts")]
    assert first_meeting_after(date(2015, 6, 3), meetings, ("ccwp_experts",)) is meetings[1]
    assert first_meeting_after(date(2015, 10, 20), meetings, ("ccwp_experts",)) is meetings[2]
    assert first_meeting_after(date(2015, 5, 1), meetings, ("mac",)) is meetings[0]
    assert first_meeting_after(date(2015, 12, 2), meetings) is None


@pytest.mark.parametrize(
    ("due", "kind"),
    [
        (date(2015, 11, 20), None),                      # 16 days away: nothing yet
        (date(2015, 11, 11), "7d@2015-11-11"),           # 7 days away
        (date(2015, 11, 9), "7d@2015-11-09"),            # 5 days: a missed run is caught up
        (date(2015, 11, 5), "1d@2015-11-05"),
        (date(2015, 11, 4), "1d@2015-11-04"),            # due today
        (date(2015, 11, 3), "overdue@2015-11-03"),       # just became overdue
        (date(2015, 10, 28), "overdue@2015-10-28"),      # 7 days overdue: still caught up
        (date(2015, 10, 1), None),                       # long overdue: no more e-mail
    ],
)
def test_reminder_kind(due, kind):
    assert reminder_kind(due, TODAY, [7, 1]) == kind


def test_reminder_days_are_parsed_with_a_clear_error():
    assert parse_reminder_days("7,1") == [7, 1]
    assert parse_reminder_days(" 1, 14 ,7,") == [14, 7, 1]
    assert parse_reminder_days("") == []
    assert reminder_kind(date(2015, 11, 5), TODAY, []) is None
    with pytest.raises(ValueError, match="JCO_REMINDER_DAYS"):
        parse_reminder_days("7,one")
    assert reminder_label("7d@2015-11-11") == "due in 7 days"
    assert reminder_label("overdue@2015-11-03") == "overdue"
