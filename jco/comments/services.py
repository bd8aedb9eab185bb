# Minimal stand-in; replaced by the workflow branch at merge
"""Written comments of delegations on one revision of a document.

Only what the API needs to run its tests: one comment per delegation and round, editable until
the deadline, accepted (and marked late) after it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from jco import timeutil
from jco.audit import services as audit
from jco.comments.models import Comment, CommentRound
from jco.operations.services import StaleEdit, check_version

__all__ = ["CommentError", "StaleEdit", "submit_comment"]


class CommentError(ValueError):
    pass


def submit_comment(
    session: Session,
    round_: CommentRound,
    *,
    organisation_id: int,
    author,
    body: str,
    file=None,
    version: int | str | None = None,
    today: date | None = None,
) -> Comment:
    """Add the delegation's comment to the round, or change the one it already sent."""
    today = today or timeutil.today()
    text = (body or "").strip()
    if not text and file is None:
        raise CommentError("Write the comment or attach a file.")
    late = today > round_.deadline
    comment = session.scalar(
        select(Comment).where(Comment.round_id == round_.id, Comment.organisation_id == organisation_id)
    )
    if comment is None:
        comment = Comment(round_id=round_.id, organisation_id=organisation_id, body=text, late=late)
        action = "comment.submit"
    else:
        if late:
            raise CommentError(
                f"The deadline of {round_.deadline:%-d %B %Y} has passed: the comment can no longer be changed."
            )
        check_version(comment, version, "This comment")
        comment.body = text
        comment.updated_at = timeutil.utcnow()
        action = "comment.update"
    comment.author_id = getattr(author, "id", None)
    if file is not None:
        comment.file_id = file.id
    session.add(comment)
    session.flush()
    audit.record(session, author, action, comment, jco_id=round_.jco_id,
                 summary=f"Comment on round {round_.id}" + (" (late)" if comment.late else ""))
    return comment
