"""One document order and one family grouping everywhere: the database's ORDER BY, Python's
sort, the register export, the agenda export and the API all follow jco.documents.references."""

from __future__ import annotations

import itertools
import random

from sqlalchemy import select

from jco.documents.models import Document
from jco.documents.queries import document_order
from jco.documents.references import DocumentReference, group_by_family, in_document_order
from jco.operations.exports import register_rows
from jco.operations.queries import RegisterFilters
from tests.factories import make_document, make_jco


def _family(prefix: str, number: int, year: int) -> list[DocumentReference]:
    """Every shape a part can take in one family, a few of each."""
    refs = []
    for addendum, corrigendum, revision, corrects, extra in itertools.product(
        (None, 1, 2), (None, 1), (None, 1, 2), (False, True), ((None, None), (1, None), (None, 1))
    ):
        if corrects and (revision is None or corrigendum is None):
            continue
        refs.append(DocumentReference(prefix=prefix, number=number, year=year, addendum=addendum,
                                      corrigendum=corrigendum, revision=revision, corrects_revision=corrects,
                                      extract=extra[0], declassification=extra[1]))
    return refs


def _register_shuffled(db, refs: list[DocumentReference]) -> None:
    shuffled = refs[:]
    random.Random(4063).shuffle(shuffled)
    for ref in shuffled:
        make_document(db, str(ref))
    db.flush()


def test_the_databases_order_is_pythons_order(db):
    refs = [*_family("", 6512, 2015), *_family("CM", 6512, 2015), *_family("", 100, 2016),
            DocumentReference(prefix="WK", number=5, year=2018), DocumentReference(prefix="PE-CONS", number=7, year=2015)]
    _register_shuffled(db, refs)
    expected = [str(ref) for ref in sorted(refs)]
    assert db.scalars(select(Document.reference).order_by(*document_order())).all() == expected
    assert [d.reference for d in in_document_order(db.scalars(select(Document)).all())] == expected
    newest_first = db.scalars(select(Document.reference).order_by(*document_order(newest_families_first=True))).all()
    families = list(group_by_family(refs).values())
    assert newest_first == [str(ref) for family in reversed(families) for ref in family]


def test_family_grouping_is_the_same_for_references_and_documents(db):
    refs = [DocumentReference.parse(t) for t in ("6512/15 COR 1", "6512/15 ADD 1", "6512/1/15 REV 1", "13305/15")]
    _register_shuffled(db, refs)
    documents = db.scalars(select(Document)).all()
    grouped = {key: [d.reference for d in family] for key, family in group_by_family(documents).items()}
    assert grouped == {key: [str(r) for r in family] for key, family in group_by_family(refs).items()}
    assert list(grouped.values()) == [["6512/1/15 REV 1", "6512/15 ADD 1", "6512/15 COR 1"], ["13305/15"]]


def test_the_register_export_lists_addenda_before_corrigenda(db):
    jco = make_jco(db, "Ordered", lead="DE")
    for reference in ("6512/15 COR 1", "6512/15 ADD 1", "6512/1/15 REV 1", "6512/15"):
        make_document(db, reference, jco=jco)
    db.flush()
    row = next(r for r in register_rows(db, RegisterFilters()) if r["name"] == "Ordered")
    assert row["council_docs"] == "6512/15;6512/1/15 REV 1;6512/15 ADD 1;6512/15 COR 1"
