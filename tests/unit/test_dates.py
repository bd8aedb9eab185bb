"""Dates for people come from one module, formatted by Babel in the reader's locale."""

from datetime import UTC, date, datetime

import pytest

from jco.core import dates


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2015, 10, 20), None, "20 October 2015"),
    (date(2015, 10, 20), date(2015, 10, 20), "20 October 2015"),
    (date(2015, 6, 3), date(2015, 6, 4), "3–4 June 2015"),
    (date(2015, 6, 30), date(2015, 7, 1), "30 June 2015 – 1 July 2015"),
])
def test_day_range_in_english(start, end, expected):
    assert dates.day_range(start, end) == expected


def test_french_is_a_locale_away():
    assert dates.long_date(date(2015, 10, 20), "fr") == "20 octobre 2015"
    assert dates.day_range(date(2015, 6, 3), date(2015, 6, 4), "fr") == "3–4 juin 2015"


def test_single_digit_days_have_no_leading_zero_and_times_are_24h():
    assert dates.long_date(date(2015, 11, 3)) == "3 November 2015"
    assert dates.long_datetime(datetime(2015, 11, 3, 9, 5)) == "3 November 2015, 09:05"
    assert dates.short_datetime(datetime(2015, 11, 3, 17, 45, tzinfo=UTC)) == "3 Nov 2015 17:45"


def test_the_reader_locale_is_asked_for_when_none_is_given():
    try:
        dates.use_locale_from(lambda: "fr")
        assert dates.long_date(date(2015, 12, 2)) == "2 décembre 2015"
    finally:
        dates.use_locale_from(lambda: None)
    assert dates.long_date(date(2015, 12, 2)) == "2 December 2015"
