"""The deadlines the API lists.

For now these are the deadlines of the rounds of written comments, read from CommentRound.
When the deadlines service (jco.deadlines) lands, ``deadline_rows`` is the one function to switch
over: the view and the published schema only see the dictionaries it returns.
"""

from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import select
from sqlmodel import Session

from jco import permissions
from jco.accounts.models import Account
from jco.comments.models import Comment, CommentRound
from jco.documents.models import Document
from jco.operations.models import Jco


def deadline_rows(session: Session, user: Account, *, since: date, until: date | None, today: date) -> list[dict]:
    """Deadlines due from ``since`` to ``until`` (inclusive), soonest first, as the API publishes them."""
    query = (
        select(CommentRound, Jco, Document)
        .join(Jco, Jco.id == CommentRound.jco_id)
        .join(Document, Document.id == CommentRound.document_id)
        .where(CommentRound.deadline >= since)
        .order_by(CommentRound.deadline, CommentRound.id)
    )
    if until is not None:
        query = query.where(CommentRound.deadline <= until)
    rows = session.execute(query).all()
    answered: set[int] = set()
    if permissions.is_delegate(user) and rows:
        answered = set(session.scalars(
            select(Comment.round_id).where(
                Comment.organisation_id == user.organisation_id,
                Comment.round_id.in_([round_.id for round_, _, _ in rows]),
            )
        ))
    return [
        {
            "kind": "comments",
            "due": round_.deadline.isoformat(),
            "overdue": round_.deadline < today,
            "title": f"Written comments on {document.reference} ({jco.title})",
            "jco": {"id": jco.id, "title": jco.title, "url": url_for("api.get_jco", jco_id=jco.id)},
            "document": {"id": document.id, "reference": document.reference,
                         "url": url_for("api.get_document", document_id=document.id)},
            "round_id": round_.id,
            # Only a delegation answers a round; for other accounts the question does not arise.
            "answered": (round_.id in answered) if permissions.is_delegate(user) else None,
        }
        for round_, jco, document in rows
    ]
