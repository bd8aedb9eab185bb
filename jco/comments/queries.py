"""What the pages about written comments read: rounds, their comments, the documents they are about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco.accounts.models import Account
from jco.comments.models import Comment, CommentRound
from jco.documents.models import Document, StoredFile
from jco.operations.models import Jco, Organisation


def deadline_status(deadline: date, now: date) -> str:
    days = (deadline - now).days
    if days < 0:
        return "closed"
    if days == 0:
        return "last day"
    return "1 day left" if days == 1 else f"{days} days left"


@dataclass
class RoundRow:
    round: CommentRound
    document: Document
    comments: int
    status: str


def rounds_of(session: Session, jco_id: int, today: date) -> list[RoundRow]:
    """The JCO's rounds with their number of comments: one query whatever their number."""
    rows = session.execute(
        select(CommentRound, Document, func.count(Comment.id))
        .join(Document, Document.id == CommentRound.document_id)
        .outerjoin(Comment, Comment.round_id == CommentRound.id)
        .where(CommentRound.jco_id == jco_id)
        .group_by(CommentRound.id, Document.id)
        .order_by(CommentRound.deadline, CommentRound.id)
    ).all()
    return [RoundRow(r, d, n, deadline_status(r.deadline, today)) for r, d, n in rows]


def load_round(session: Session, round_id: int) -> CommentRound | None:
    return session.scalar(
        select(CommentRound).where(CommentRound.id == round_id).options(
            selectinload(CommentRound.jco).selectinload(Jco.participants),
            selectinload(CommentRound.document),
        )
    )


def comment_rows(session: Session, round_: CommentRound, organisation_id: int | None = None):
    """(comment, organisation name, author email, file name) — one query, the file's bytes left out."""
    query = (
        select(Comment, Organisation.name, Account.email, StoredFile.filename)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(Account, Account.id == Comment.author_id)
        .outerjoin(StoredFile, StoredFile.id == Comment.file_id)
        .where(Comment.round_id == round_.id)
        .order_by(Comment.late, Organisation.name)
    )
    if organisation_id is not None:
        query = query.where(Comment.organisation_id == organisation_id)
    return session.execute(query).all()
