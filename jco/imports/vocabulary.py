"""The words a register file uses for an operation's kind and state, both ways.

An export writes the English label people read on the pages ("EU-wide", "Report presented"). An
import reads that label, the longer state label of the operation's page, the French label, or the
code the tracker stores ("eu_wide", "report_presented"), in any case, with or without accents, with
spaces, hyphens or underscores alike. Every reading goes through :func:`read_kind` and
:func:`read_state`, built from :data:`KIND_LABELS` and :data:`STATE_LABELS_BY_LANGUAGE`: another
language's labels are one more entry in each.

Pure: no Flask, so the importer, the export and the CLI share it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

from jco.operations.lifecycle import STATE_LABELS, STATE_SHORT, State
from jco.operations.models import JcoKind

E = TypeVar("E", bound=StrEnum)

KIND_LABELS: dict[str, Mapping[JcoKind, str]] = {
    "en": {k: k.label for k in JcoKind},
    "fr": {
        JcoKind.REGIONAL: "Régionale",
        JcoKind.EU_WIDE: "À l'échelle de l'UE",
        JcoKind.THIRD_COUNTRIES: "Avec des pays tiers",
        JcoKind.NOT_STATED: "Non précisé",
    },
}
STATE_LABELS_BY_LANGUAGE: dict[str, Mapping[State, str]] = {
    "en": STATE_SHORT,
    "en-long": STATE_LABELS,
    "fr": {
        State.PROPOSED: "Proposée",
        State.PRESENTED: "Présentée",
        State.COMMENTS: "Observations",
        State.REVISION: "Révision",
        State.ADOPTED: "Adoptée",
        State.OPERATIONAL: "Phase opérationnelle",
        State.DEBRIEFING: "Débriefing",
        State.REPORT_PRESENTED: "Rapport présenté",
        State.REPORT_COMMENTS: "Observations sur le rapport",
        State.REPORT_REVISION: "Rapport révisé",
        State.REPORT_PARTLY_ADOPTED: "Rapport adopté en partie",
        State.REPORT_ADOPTED: "Rapport adopté",
        State.CLOSED: "Clôturée",
        State.WITHDRAWN: "Retirée",
        State.POSTPONED: "Reportée",
        State.CANCELLED: "Annulée",
    },
}


def normalise(text: str) -> str:
    """``" Report_presented "``, ``"report-presented"`` and ``"Report presented"`` read alike; so do
    ``"Clôturée"`` and ``"cloturee"``."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_-]+", " ", text).strip()


def _table(members: Iterable[E], labels: Iterable[Mapping[E, str]]) -> dict[str, E]:
    table: dict[str, E] = {}
    for member in members:
        table[normalise(member.value)] = member
    for language in labels:
        for member, label in language.items():
            table.setdefault(normalise(label), member)
    return table


_KINDS = _table(JcoKind, KIND_LABELS.values())
_STATES = _table(State, STATE_LABELS_BY_LANGUAGE.values())


def kind_label(kind: str) -> str:
    """What an export writes for a kind: the English label of the pages."""
    return KIND_LABELS["en"][JcoKind(kind)]


def state_label(state: str) -> str:
    return STATE_LABELS_BY_LANGUAGE["en"][State(state)]


def read_kind(text: str) -> JcoKind | None:
    """The kind a label or code names; None when it names none."""
    return _KINDS.get(normalise(text))


def read_state(text: str) -> State | None:
    return _STATES.get(normalise(text))


def kind_choices() -> str:
    """The kinds as an error message lists them."""
    return ", ".join(KIND_LABELS["en"].values())
