"""What the pages about written comments read: rounds, their comments, the documents they are about."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import aliased, selectinload
from sqlmodel import Session, select

from jco import permissions
from jco.accounts.models import Account
from jco.comments.models import Comment, CommentResponse, CommentRound
from jco.core.text import _, ngettext
from jco.documents.models import Document, StoredFile
from jco.operations.lifecycle import Transition
from jco.operations.models import Jco, JcoEvent, Organisation


def deadline_status(deadline: date, now: date) -> str:
    """How long delegations have left, in the reader's language (for display only)."""
    days = (deadline - now).days
    if days < 0:
        return _("closed")
    if days == 0:
        return _("last day")
    return ngettext("%(num)d day left", "%(num)d days left", days)


@dataclass
class RoundRow:
    round: CommentRound
    document: Document
    comments: int
    status: str
    # The lead's response to the viewer's delegation's comment, once the viewer may see it.
    response: CommentResponse | None = None


def rounds_of(session: Session, jco_id: int, today: date, viewer=None) -> list[RoundRow]:
    """The JCO's rounds with their number of comments: one query whatever their number (three with
    ``viewer``, whose delegation's responses are added where it may see them)."""
    rows = session.execute(
        select(CommentRound, Document, func.count(Comment.id))
        .join(Document, Document.id == CommentRound.document_id)
        .outerjoin(Comment, Comment.round_id == CommentRound.id)
        .where(CommentRound.jco_id == jco_id)
        .group_by(CommentRound.id, Document.id)
        .order_by(CommentRound.deadline, CommentRound.id)
    ).all()
    result = [RoundRow(r, d, n, deadline_status(r.deadline, today)) for r, d, n in rows]
    organisation_id = getattr(viewer, "organisation_id", None)
    if organisation_id is not None and result:
        _add_own_responses(session, result, organisation_id, viewer)
    return result


def with_responses(session: Session, rows: list[RoundRow], viewer) -> list[RoundRow]:
    """``rows`` (shared by every reader: never changed here) with the responses ``viewer``'s delegation
    may see: new rows, two queries for a delegate (only delegations comment), none otherwise."""
    organisation_id = getattr(viewer, "organisation_id", None)
    if organisation_id is None or not rows or not permissions.is_delegate(viewer):
        return rows
    own = [replace(row, response=None) for row in rows]
    _add_own_responses(session, own, organisation_id, viewer)
    return own


def _add_own_responses(session: Session, rows: list[RoundRow], organisation_id: int, viewer) -> None:
    presented = rounds_with_revision_presented(session, [row.round.id for row in rows])
    responses = {comment.round_id: (comment, response) for comment, response in session.execute(
        select(Comment, CommentResponse).join(CommentResponse, CommentResponse.comment_id == Comment.id)
        .where(Comment.round_id.in_([row.round.id for row in rows]), Comment.organisation_id == organisation_id)
    )}
    for row in rows:
        if row.round.id in responses:
            comment, response = responses[row.round.id]
            if permissions.can_see_response(viewer, comment, row.round, row.round.id in presented):
                row.response = response


# The steps that put a document before the working party: after any of them it has been presented.
PRESENTING = (Transition.PRESENT_BUSINESS_CASE, Transition.PRESENT_REVISION, Transition.PRESENT_REPORT,
              Transition.ADOPT_BUSINESS_CASE, Transition.ADOPT_REPORT, Transition.NOT_ADOPTED)


def rounds_with_revision_presented(session: Session, round_ids: list[int | None]) -> set[int]:
    """The rounds whose commented document has a later revision (same number, year and addendum,
    a higher REV) that a meeting has presented: then the lead's responses are shown to the
    commenting delegations. One query."""
    if not round_ids:
        return set()
    commented, revised = aliased(Document), aliased(Document)
    return set(session.scalars(
        select(CommentRound.id).distinct()
        .join(commented, commented.id == CommentRound.document_id)
        .join(JcoEvent, JcoEvent.jco_id == CommentRound.jco_id)
        .join(revised, revised.id == JcoEvent.document_id)
        .where(
            CommentRound.id.in_(round_ids),
            JcoEvent.transition.in_([t.value for t in PRESENTING]),
            revised.prefix == commented.prefix, revised.number == commented.number, revised.year == commented.year,
            func.coalesce(revised.addendum, 0) == func.coalesce(commented.addendum, 0),
            func.coalesce(revised.revision, 0) > func.coalesce(commented.revision, 0),
        )
    ))


def visible_responses(session: Session, round_: CommentRound, comments: list[Comment],
                      viewer) -> tuple[dict[int, CommentResponse], bool]:
    """The responses to ``comments`` (those the page shows) that ``viewer`` may read, by comment id,
    and whether a revision of the commented document has been presented. Two queries at most."""
    if not comments:
        return {}, False
    presented = bool(rounds_with_revision_presented(session, [round_.id]))
    by_id = {c.id: c for c in comments}
    return {comment_id: response for comment_id, response in responses_of(session, round_).items()
            if comment_id in by_id and permissions.can_see_response(viewer, by_id[comment_id], round_, presented)
            }, presented


def responses_of(session: Session, round_: CommentRound) -> dict[int, CommentResponse]:
    """The lead's responses to the round's comments, by comment id (one query)."""
    return {response.comment_id: response for response in session.scalars(
        select(CommentResponse).join(Comment, Comment.id == CommentResponse.comment_id)
        .where(Comment.round_id == round_.id)
    )}


def load_round(session: Session, round_id: int) -> CommentRound | None:
    return session.scalar(
        select(CommentRound).where(CommentRound.id == round_id).options(
            selectinload(CommentRound.jco).selectinload(Jco.participants),
            selectinload(CommentRound.document),
        )
    )


def comment_rows(session: Session, round_: CommentRound, organisation_id: int | None = None):
    """(comment, organisation, author email, file name, organisation code) — one query, the
    file's bytes left out."""
    query = (
        select(Comment, Organisation, Account.email, StoredFile.filename, Organisation.code)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(Account, Account.id == Comment.author_id)
        .outerjoin(StoredFile, StoredFile.id == Comment.file_id)
        .where(Comment.round_id == round_.id)
        .order_by(Comment.late, Organisation.name)
    )
    if organisation_id is not None:
        query = query.where(Comment.organisation_id == organisation_id)
    return session.execute(query).all()
