"""Reading a final report's results from CSV: all rows good, or every problem named by its line."""

import pytest

from jco.operations.results import ResultRow, ResultsError, check_row, parse_results_csv


def test_reads_rows_with_and_without_country():
    rows = parse_results_csv(
        "country,commodity,quantity,unit\n"
        "PL,cigarettes,1250000,pieces\n"
        "lv, tobacco  products ,830.5,kg\n"
        ",counterfeit goods,42,parcels\n"
    )
    assert rows == [
        ResultRow("PL", "cigarettes", 1250000.0, "pieces"),
        ResultRow("LV", "tobacco products", 830.5, "kg"),
        ResultRow(None, "counterfeit goods", 42.0, "parcels"),
    ]


def test_header_is_case_and_space_tolerant_and_bom_and_blank_lines_ignored():
    rows = parse_results_csv("\ufeff Country , Commodity,QUANTITY,unit\r\n\r\nDE,cash,10,EUR\r\n\r\n")
    assert rows == [ResultRow("DE", "cash", 10.0, "EUR")]


def test_semicolons_and_decimal_comma_as_saved_by_european_spreadsheets():
    rows = parse_results_csv("country;commodity;quantity;unit\nFR;cigarettes;12,5;kg\n")
    assert rows == [ResultRow("FR", "cigarettes", 12.5, "kg")]


def test_council_codes_for_greece_and_the_united_kingdom():
    rows = parse_results_csv("country,commodity,quantity,unit\nEL,cash,1,EUR\nUK,cash,2,EUR\n")
    assert [r.country for r in rows] == ["GR", "GB"]


def test_every_bad_row_is_reported_with_its_line_number():
    text = (
        "country,commodity,quantity,unit\n"
        "PL,cigarettes,100,pieces\n"
        "XX,cigarettes,5,pieces\n"       # line 3: unknown country
        "DE,,5,kg\n"                     # line 4: no commodity
        "DE,cash,-3,EUR\n"               # line 5: not positive
        "DE,cash,1.000,EUR,extra\n"      # line 6: five columns
        "DE,cash,abc,\n"                 # line 7: two problems
    )
    with pytest.raises(ResultsError) as caught:
        parse_results_csv(text)
    lines = [line for line, _ in caught.value.problems]
    assert lines == [3, 4, 5, 6, 7, 7]
    messages = caught.value.messages
    assert messages[0].startswith("Line 3: ‘XX’ is not a two-letter ISO country code")
    assert "Line 5: The quantity must be more than zero" in messages[2]
    assert "Line 6: Expected 4 columns" in messages[3]


@pytest.mark.parametrize("quantity", ["0", "-1", "nan", "inf", "1e400x", "1,5", "", "1,234", "4,10,000"])
def test_quantity_must_be_a_positive_decimal(quantity):
    row, problems = check_row("DE", "cash", quantity, "EUR")
    assert row is None and [column for column, _ in problems] == ["quantity"]


def test_an_ambiguous_comma_gets_a_helpful_message():
    _, problems = check_row("DE", "cash", "1,234", "EUR")
    assert problems[0][1] == "‘1,234’ can be read two ways: write 1234 for the whole number or 1.234 for the decimal."


@pytest.mark.parametrize(("quantity", "value"), [("4,100,000", 4100000), ("4 100 000", 4100000),
                                                 ("4\u202f100\u202f000", 4100000), ("1.234,5", 1234.5), ("4.5", 4.5)])
def test_thousands_separators_are_read_in_typed_rows(quantity, value):
    row, problems = check_row("DE", "cash", quantity, "EUR")
    assert problems == [] and row.quantity == value


@pytest.mark.parametrize("text, message", [
    ("", "The file is empty"),
    ("\n\n", "The file is empty"),
    ("country,commodity,quantity\nDE,cash,1\n", "The first line must be the header"),
    ("country,commodity,quantity,unit\n", "no result rows"),
])
def test_missing_header_or_rows(text, message):
    with pytest.raises(ResultsError) as caught:
        parse_results_csv(text)
    assert message in str(caught.value)


def test_wrong_header_is_reported_on_its_line():
    with pytest.raises(ResultsError) as caught:
        parse_results_csv("\nstate,goods,amount,unit\nDE,cash,1,EUR\n")
    assert caught.value.problems[0][0] == 2
