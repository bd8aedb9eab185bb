"""The words search indexes and looks for, and the snippet it shows: pure functions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jco.search.text import (
    edition_forms,
    fts5_query,
    highlight,
    int_to_roman,
    query_words,
    roman_to_int,
    snippet,
    terms,
    tsquery,
)


@pytest.mark.parametrize("edition, forms", [("IV", "iv 4"), ("4", "4 iv"), ("XII", "xii 12"), ("2016", "2016"),
                                            ("", ""), ("bis", "bis")])
def test_editions_are_indexed_in_both_numberings(edition, forms):
    assert edition_forms(edition) == forms


@given(st.integers(min_value=1, max_value=399))
def test_roman_numerals_round_trip(number):
    assert roman_to_int(int_to_roman(number)) == number


@pytest.mark.parametrize("word", ["iiii", "vv", "ivx", "mix", "", "il"])
def test_malformed_roman_numerals_are_words(word):
    assert roman_to_int(word) is None


def test_words_fold_case_and_accents_and_split_punctuation():
    assert terms("Überprüfung: 12712/15 REV 1", "e-mail") == "uberprufung 12712 15 rev 1 e mail"
    assert query_words("Athena  athena IV") == ["athena", "iv"]


@given(st.text())
def test_queries_hold_only_quoted_words(typed):
    words = query_words(typed)
    assert all(w.isalnum() for w in words)
    fts = fts5_query(words)
    assert fts.count('"') == 2 * len(words)
    assert tsquery(words).count("'") == 2 * len(words)


def test_snippet_escapes_then_marks():
    out = str(snippet("A <script>alert('x')</script> about tobacco & cigarettes", ["tobac"]))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<mark>tobacco</mark>" in out and "&amp;" in out


def test_snippet_is_cut_around_the_first_match():
    text = "word " * 200 + "needle " + "word " * 200
    out = str(snippet(text, ["needle"], width=80))
    assert out.startswith("…") and out.endswith("…") and "<mark>needle</mark>" in out and len(out) < 140


def test_highlight_keeps_the_whole_title():
    assert str(highlight("Athena IV", ["iv"])) == "Athena <mark>IV</mark>"
