"""Kind and state labels, both ways: every label and code reads back to its member, and none is ambiguous."""

import pytest

from jco.imports.vocabulary import (
    KIND_LABELS,
    STATE_LABELS_BY_LANGUAGE,
    kind_label,
    normalise,
    read_kind,
    read_state,
    state_label,
)
from jco.operations.lifecycle import State
from jco.operations.models import JcoKind


@pytest.mark.parametrize("language", sorted(KIND_LABELS))
def test_every_kind_label_reads_back(language):
    labels = KIND_LABELS[language]
    assert set(labels) == set(JcoKind)
    for kind, label in labels.items():
        assert read_kind(label) is kind and read_kind(label.upper()) is kind and read_kind(kind.value) is kind


@pytest.mark.parametrize("language", sorted(STATE_LABELS_BY_LANGUAGE))
def test_every_state_label_reads_back(language):
    labels = STATE_LABELS_BY_LANGUAGE[language]
    assert set(labels) == set(State)
    for state, label in labels.items():
        assert read_state(label) is state and read_state(f"  {label.lower()} ") is state
        assert read_state(state.value) is state


def test_no_label_names_two_members():
    for tables in (KIND_LABELS.values(), STATE_LABELS_BY_LANGUAGE.values()):
        seen: dict[str, object] = {}
        for table in tables:
            for member, label in table.items():
                assert seen.setdefault(normalise(label), member) == member, label
                assert seen.setdefault(normalise(member.value), member) == member, member


def test_exports_write_the_english_labels():
    assert kind_label("eu_wide") == "EU-wide"
    assert state_label("report_presented") == "Report presented"


def test_unknown_words_read_as_nothing():
    assert read_kind("continental") is None and read_state("half adopted") is None and read_state("") is None
