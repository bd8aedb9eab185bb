"""Rounds of written comments and the delegations' comments. The only code that changes them.

One round belongs to one revision of a business case or of a final report; each delegation has
at most one comment per round, which it may edit until the deadline. After the deadline a
delegation that has not commented may still send one, marked late; a comment already sent stays
as it was.

Who is asked: the delegation of every member state of the EU on the round's deadline (28 in 2015,
the United Kingdom included until 31 January 2020), except the delegations that wrote the
document (the lead's and the co-leads'). Taking part in the operation does not matter: in the
working party every delegation may comment on a business case or a final report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_number
from flask_babel import gettext as _
from sqlmodel import Session, select

from jco import permissions
from jco.audit import services as audit
from jco.comments.models import Comment, CommentResponse, CommentRound, ResponseOutcome
from jco.core.dates import long_date
from jco.core.text import N_
from jco.core.timeutil import today as today_
from jco.core.timeutil import utcnow
from jco.documents import files
from jco.documents.models import DocType, Document, StoredFile
from jco.operations import services as jco_services
from jco.operations.lifecycle import COMMENT_STATES, REPORT_STATES, State, Transition
from jco.operations.models import Jco, Organisation, OrgKind, Participant, Role
from jco.operations.reference_data import EU_MEMBERSHIP, member_states_on
from jco.permissions import Refused

MAX_COMMENT_LENGTH = 20_000
MAX_REFERS_TO_LENGTH = 100
MAX_RESPONSE_NOTE_LENGTH = 5_000


class CommentError(Refused):
    """A round or a comment that cannot be accepted; the message is meant for the user.

    ``field`` names the form field at fault, when there is one.
    """

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field=field)


AUTHOR_ROLES = (Role.LEAD, Role.CO_LEAD)


def member_state_delegations(session: Session) -> list[Organisation]:
    """Every country that is or was a member state, by name: the candidates for a round (one query)."""
    return list(session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.COUNTRY, Organisation.code.in_(list(EU_MEMBERSHIP)))
        .order_by(Organisation.name)
    ))


def delegations_asked(countries: list[Organisation], day: date, authors: set[int]) -> list[Organisation]:
    """The delegations asked for comments due on ``day``: the member states of that day, less the authors."""
    members = set(member_states_on(day))
    return [o for o in countries if o.code in members and o.id not in authors]


def author_ids(session: Session, jco_ids: list[int]) -> dict[int, set[int]]:
    """The organisations that lead or co-lead each operation (one query)."""
    authors: dict[int, set[int]] = {jco_id: set() for jco_id in jco_ids}
    if jco_ids:
        for jco_id, organisation_id in session.execute(
            select(Participant.jco_id, Participant.organisation_id)
            .where(Participant.jco_id.in_(jco_ids), Participant.role.in_([r.value for r in AUTHOR_ROLES]))
        ):
            authors[jco_id].add(organisation_id)
    return authors


@dataclass
class RollRow:
    """One asked delegation on a round: whether and when it commented."""

    organisation: Organisation
    commented_on: date | None = None
    late: bool = False
    asked: bool = True

    @property
    def status(self) -> str:
        """A label, translated where it is shown (``|t``)."""
        if self.commented_on is None:
            return N_("No comment")
        return N_("Commented late") if self.late else N_("Commented")


def round_roll(session: Session, round_: CommentRound) -> list[RollRow]:
    """Who was asked on the round and who answered, late or not; delegations that commented
    without being asked (the lead's, say) are listed too. Three queries."""
    asked = delegations_asked(member_state_delegations(session), round_.deadline,
                              author_ids(session, [round_.jco_id])[round_.jco_id])
    rows = {o.id: RollRow(o) for o in asked}
    for comment, organisation in session.execute(
        select(Comment, Organisation).join(Organisation, Organisation.id == Comment.organisation_id)
        .where(Comment.round_id == round_.id)
    ):
        row = rows.setdefault(organisation.id, RollRow(organisation, asked=False))
        row.commented_on, row.late = comment.submitted_at.date(), comment.late
    return sorted(rows.values(), key=lambda r: (not r.asked, r.organisation.name))


def document_type_under_comment(jco: Jco) -> DocType:
    """Comments are on the business case until it is adopted, then on the final report."""
    state = State(jco.state)
    return DocType.FINAL_REPORT if state in REPORT_STATES or state is State.REPORT_COMMENTS else DocType.BUSINESS_CASE


def documents_for_comment(session: Session, jco: Jco) -> list[Document]:
    """The documents a round could be opened on now, oldest first."""
    documents = session.scalars(
        select(Document).where(Document.jco_id == jco.id, Document.doc_type == document_type_under_comment(jco))
    ).all()
    return sorted(documents, key=lambda d: d.sort_key)


def open_round(session: Session, jco: Jco, document: Document, deadline: date, actor) -> CommentRound:
    """Open a round of written comments on one revision of the JCO's business case or final report.

    Moves the JCO to "comments" (or "report comments") through the life cycle, which refuses it
    from any state but "presented" or "revision" of either document (LifecycleError).
    """
    doc_type = document_type_under_comment(jco)
    if document.jco_id != jco.id or document.doc_type != doc_type:
        raise CommentError(_("Choose one of this operation's final report documents.")
                           if doc_type is DocType.FINAL_REPORT
                           else _("Choose one of this operation's business case documents."), "document_id")
    if deadline <= today_():
        raise CommentError(_("The deadline must be a date after today."), "deadline")
    if State(jco.state) in COMMENT_STATES:
        current = session.execute(
            select(CommentRound.deadline, Document.reference)
            .join(Document, Document.id == CommentRound.document_id)
            .where(CommentRound.jco_id == jco.id)
            .order_by(CommentRound.id.desc())
            .limit(1)
        ).first()
        if current:
            raise CommentError(_(
                "Written comments are already being collected on %(reference)s (deadline %(day)s). A new round "
                "can only be opened on a revised version once it has been presented.",
                reference=current.reference, day=long_date(current.deadline)))
        raise CommentError(_("Written comments are already being collected. A new round can only be opened on a "
                             "revised version once it has been presented."))
    if session.scalar(select(CommentRound.id).where(CommentRound.document_id == document.id)):
        raise CommentError(_(
            "There has already been a round of comments on %(reference)s. Comments belong to one revision: open "
            "the next round on the revised version.", reference=document.reference))
    jco_services.apply_transition(
        session, jco, Transition.OPEN_COMMENTS, actor, document=document,
        note=f"Written comments on {document.reference} by {long_date(deadline, 'en')}.",  # stored: English
    )
    round_ = CommentRound(jco_id=jco.id, document_id=document.id, deadline=deadline,
                          opened_by_id=getattr(actor, "id", None))
    session.add(round_)
    session.flush()
    audit.record(session, actor, "comment_round.open", round_, jco_id=jco.id,
                 summary=f"Opened written comments on {document.reference} until {long_date(deadline, 'en')}",
                 after={"document": document.reference, "deadline": deadline})
    return round_


def find_comment(session: Session, round_: CommentRound, organisation_id: int) -> Comment | None:
    return session.scalar(
        select(Comment).where(Comment.round_id == round_.id, Comment.organisation_id == organisation_id)
    )


def comment_refusal(author, round_: CommentRound, comment: Comment | None, today: date) -> Refused | None:
    """Why ``author`` may not send or change its delegation's comment on the round today (None: it may).

    The one rule for the round's page, POST /api/v1/rounds/<id>/comments and submit_comment below.
    ``author`` None is the server itself (import, demo), for which only the deadline counts.
    """
    if author is not None:
        if not permissions.can_comment(author, round_):
            return Refused(_("Only a delegation's delegates send written comments."))
        jco = round_.jco
        if not State(jco.state).is_open:
            return Refused(_("%(jco)s is at “%(state)s”: it takes no more comments.", jco=jco.title,
                             state=_(State(jco.state).label)))
        if not permissions.can_write_comment(author, round_):
            return Refused(_("Your account is not cleared to read the document of this round, so it cannot "
                             "comment on it."))
    if comment is not None and today > round_.deadline:
        # Late comments are welcome once; changing one after the deadline would rewrite the record.
        return CommentError(_(
            "The deadline (%(day)s) has passed: your delegation's comment can no longer be changed. Contact the "
            "lead delegation if something must be corrected.", day=long_date(round_.deadline)))
    return None


def _store_attachment(session: Session, round_: CommentRound, file) -> StoredFile:
    if isinstance(file, StoredFile):
        return file
    document = session.get(Document, round_.document_id)
    if not files.may_store_files_marked(document.marking):
        raise CommentError(_(
            "This system may not hold files about a document marked %(marking)s. Write your comment without "
            "classified content, or send the file through your accredited channel.", marking=document.marking),
            "file",
        )
    try:
        return files.store_upload(session, file)
    except files.FileRejected as error:
        raise CommentError(str(error), "file") from None


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
    refers_to: str | None = None,
) -> Comment:
    """Create or update the delegation's single comment on the round.

    ``file`` is an upload (werkzeug FileStorage or alike) or an already stored StoredFile; an
    existing attachment is kept when no new file comes. ``version`` is the comment's version the
    page showed (0 when it showed none): a mismatch raises StaleEdit instead of overwriting.
    ``refers_to``: the part of the document the comment is about; None keeps what it was.
    """
    today = today or today_()
    body = (body or "").replace("\r\n", "\n").strip()
    refers_to = " ".join(refers_to.split()) if refers_to is not None else None
    if refers_to is not None and len(refers_to) > MAX_REFERS_TO_LENGTH:
        raise CommentError(_("Say in at most %(n)s characters which part of the text the comment refers to.",
                             n=MAX_REFERS_TO_LENGTH), "refers_to")
    if len(body) > MAX_COMMENT_LENGTH:
        raise CommentError(_("The comment is too long: at most %(n)s characters. Attach a file instead.",
                             n=format_number(MAX_COMMENT_LENGTH)), "body")
    new_file = file is not None and (isinstance(file, StoredFile) or files.has_upload(file))
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise CommentError(_("Only a delegation can send comments."))
    if author is not None and getattr(author, "organisation_id", None) != organisation_id:
        raise Refused(_("A delegate sends comments only for its own delegation."))
    comment = find_comment(session, round_, organisation_id)
    late = today > round_.deadline
    if (refusal := comment_refusal(author, round_, comment, today)) is not None and not isinstance(
            refusal, CommentError):
        raise refusal
    if comment is not None:
        jco_services.check_version(comment, version, _("Your delegation's comment"))
        if refusal is not None:
            raise refusal
    elif version not in (None, "", 0, "0"):
        # The page showed a comment that is no longer there.
        raise jco_services.StaleEdit(_("Your delegation's comment"))
    if not body and not new_file and (comment is None or comment.file_id is None):
        raise CommentError(_("Write a comment or attach a file."), "body")
    stored = _store_attachment(session, round_, file) if new_file else None

    if comment is None:
        # version: SQLAlchemy's version counter sets it.
        comment = Comment(round_id=round_.id, organisation_id=organisation_id, author_id=getattr(author, "id", None),  # type: ignore[call-arg]
                          body=body, file_id=stored.id if stored else None, late=late, refers_to=refers_to or "")
        session.add(comment)
        session.flush()
        action, verb, before = "comment.submit", "commented", None
    else:
        before = {"body_length": len(comment.body), "file_id": comment.file_id}
        comment.body = body
        if refers_to is not None:
            comment.refers_to = refers_to
        if stored is not None:
            comment.file_id = stored.id
        comment.author_id = getattr(author, "id", None)
        comment.updated_at = utcnow()
        session.add(comment)
        session.flush()
        action, verb = "comment.edit", "edited its comment"
    document_ref = session.scalar(select(Document.reference).where(Document.id == round_.document_id))
    # The audit log records who and when, not the text: comments on LIMITE documents are LIMITE too.
    audit.record(
        session, author, action, comment, jco_id=round_.jco_id,
        summary=f"{organisation.name} {verb} on {document_ref}" + (" (late)" if comment.late else ""),
        before=before,
        after={"body_length": len(comment.body), "file_id": comment.file_id, "late": comment.late,
               **({"file_sha256": stored.sha256} if stored else {})},
    )
    return comment


# --- the lead's responses ----------------------------------------------------------------------

def find_response(session: Session, comment: Comment) -> CommentResponse | None:
    return session.scalar(select(CommentResponse).where(CommentResponse.comment_id == comment.id))


def record_response(
    session: Session, comment: Comment, round_: CommentRound, *, outcome: str, note: str, actor,
    version: int | str | None = None,
) -> CommentResponse:
    """Record (or change) how the lead took ``comment`` into account in its revision.

    ``version`` is the response's version the page showed, 0 when it showed none.
    """
    if comment.round_id != round_.id:
        raise CommentError(_("This comment belongs to another round."))
    if not permissions.can_respond_to_comment(actor, round_):
        raise Refused(_("Only the lead delegation records how comments were taken into account."))
    try:
        chosen = ResponseOutcome(outcome)
    except ValueError:
        raise CommentError(_("Choose whether the comment was taken on board, partly or not."),
                           "outcome") from None
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_RESPONSE_NOTE_LENGTH:
        raise CommentError(_("The note is too long: at most %(n)s characters.",
                             n=format_number(MAX_RESPONSE_NOTE_LENGTH)), "note")
    response = find_response(session, comment)
    if response is not None:
        jco_services.check_version(response, version, _("The response to this comment"))
        before = {"outcome": response.outcome, "note_length": len(response.note)}
    elif version not in (None, "", 0, "0"):
        raise jco_services.StaleEdit(_("The response to this comment"))
    else:
        response, before = CommentResponse(comment_id=comment.id, outcome=chosen), None  # type: ignore[call-arg]
    response.outcome, response.note = chosen.value, note
    response.by_id, response.at = getattr(actor, "id", None), utcnow()
    session.add(response)
    session.flush()
    names = dict(session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id == comment.organisation_id)).all())
    document_ref = session.scalar(select(Document.reference).where(Document.id == round_.document_id))
    # Like comments, the audit log keeps who, when and the outcome, not the note's text.
    audit.record(
        session, actor, "comment.response", response, jco_id=round_.jco_id,
        summary=f"Response to the comment of {names.get(comment.organisation_id, '?')} on {document_ref}: "
                f"{chosen.value}",
        before=before, after={"outcome": chosen.value, "note_length": len(note)},
    )
    return response
