"""Quantities as people type them: one reader for the results form, the CSV files and the checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jco.core.quantities import QuantityError, parse_quantity


@pytest.mark.parametrize(("text", "value"), [
    ("4100000", "4100000"),
    ("4,100,000", "4100000"),
    ("4 100 000", "4100000"),
    ("4\u00a0100\u00a0000", "4100000"),  # no-break space
    ("4\u202f100\u202f000", "4100000"),  # narrow no-break space, as French typography writes
    ("4.100.000", "4100000"),
    (" 4.5 ", "4.5"),
    ("1,250.5", "1250.5"),
    ("4 100 000,5", "4100000.5"),
    ("4.100,5", "4100.5"),
    ("0.25", "0.25"),
    ("-3", "-3"),  # read as written; the results rule says it must be above zero
])
def test_quantities_people_write_are_read(text, value):
    assert parse_quantity(text) == Decimal(value)


@pytest.mark.parametrize(("text", "words"), [
    ("4,1", "Write decimals with a point: 4.1, not ‘4,1’."),
    ("4,100", "‘4,100’ can be read two ways: write 4100 for the whole number or 4.1 for the decimal."),
    ("4,10,000", "is not a quantity"),
    ("41 00", "is not a quantity"),
    ("1e5", "is not a quantity"),
    ("NaN", "is not a quantity"),
    ("twelve", "is not a quantity"),
    ("", "The quantity is missing."),
    ("   ", "The quantity is missing."),
])
def test_what_could_be_misread_is_refused_with_the_way_to_write_it(text, words):
    with pytest.raises(QuantityError, match=words.replace(".", r"\.").replace("(", r"\(")):
        parse_quantity(text)


@pytest.mark.parametrize(("text", "value"), [("4,1", "4.1"), ("4,100", "4.1"), ("4,100,000", "4100000"),
                                             ("830.5", "830.5"), ("4.100.000,25", "4100000.25")])
def test_files_saved_with_semicolons_use_a_decimal_comma(text, value):
    assert parse_quantity(text, decimal_comma=True) == Decimal(value)
