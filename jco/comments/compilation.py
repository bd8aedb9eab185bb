"""The compilation of a round's comments, in the layout of a Council note, as DOCX.

Per delegation — member states in protocol order, then any other — each delegation's comments in
the order of the text they refer to ("paragraph 2" before "paragraph 10"; general remarks, which
refer to no part, first), then by time; with the lead's response where it recorded one.

For the lead and the Secretariat (``permissions.can_export_compilation``), who may read every
comment of the round: nothing in it is withheld from them. It quotes comments on the document, so
it carries the document's marking, and at least LIMITE: delegations' comments are not public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from flask_babel import gettext as _
from sqlmodel import Session, select

from jco import permissions
from jco.comments import queries
from jco.comments.models import Comment, CommentResponse, CommentRound
from jco.core.dates import long_date
from jco.core.i18n import current_language
from jco.documents.models import Marking
from jco.meetings.exports import SECRETARIAT, Note, NoteItem, _place, to_docx
from jco.operations.models import Organisation, Participant, Role
from jco.operations.reference_data import protocol_key
from jco.web import highest_marking

_CHUNKS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """"paragraph 2" before "paragraph 10", "2.1" before "2.10"; empty (a general remark) first."""
    parts = [(0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk.casefold())
             for chunk in _CHUNKS.split(" ".join(text.split())) if chunk]
    return (bool(parts), tuple(parts))


@dataclass
class CompiledComment:
    comment: Comment
    organisation: Organisation
    filename: str | None
    response: CommentResponse | None


def in_text_order(comments: list[CompiledComment]) -> list[CompiledComment]:
    """Delegations in protocol order; each one's comments in the order of the text, then by time."""
    return sorted(comments, key=lambda c: (protocol_key(c.organisation.code, c.organisation.name), c.organisation.id,
                                           natural_key(c.comment.refers_to), c.comment.submitted_at, c.comment.id))


def compiled_comments(session: Session, round_: CommentRound) -> list[CompiledComment]:
    """Every comment of the round with its delegation, file name and response: three queries."""
    organisations = {o.id: o for o in session.scalars(
        select(Organisation).join(Comment, Comment.organisation_id == Organisation.id)
        .where(Comment.round_id == round_.id))}
    responses = queries.responses_of(session, round_)
    return in_text_order([
        CompiledComment(comment, organisations[comment.organisation_id], filename, responses.get(comment.id))
        for comment, _name, _author, filename, _code in queries.comment_rows(session, round_)
    ])


def compilation_marking(round_: CommentRound) -> Marking:
    return Marking(highest_marking([round_.document.marking, Marking.LIMITE]))


def _lead_names(session: Session, round_: CommentRound) -> str:
    """The lead delegations, named in the note's language."""
    leads = session.scalars(
        select(Organisation).join(Participant, Participant.organisation_id == Organisation.id)
        .where(Participant.jco_id == round_.jco_id, Participant.role == Role.LEAD.value))
    return ", ".join(sorted((o.local_name for o in leads), key=str.casefold)) or "—"


def _lines(entry: CompiledComment) -> list[str]:
    comment, lines = entry.comment, []
    if comment.refers_to:
        lines.append(_("Refers to: %(part)s", part=comment.refers_to))
    if comment.body:
        lines.append(comment.body)
    if entry.filename:
        lines.append(_("Attached file: %(name)s", name=entry.filename))
    if comment.late:
        lines.append(_("Received after the deadline, on %(day)s.", day=long_date(comment.submitted_at.date())))
    if entry.response is not None:
        outcome = str(entry.response.outcome_label)
        if entry.response.note:
            lines.append(_("Response of the lead delegation: %(outcome)s. %(note)s", outcome=outcome,
                           note=entry.response.note))
        else:
            lines.append(_("Response of the lead delegation: %(outcome)s.", outcome=outcome))
    return lines


def compilation_note(session: Session, round_: CommentRound, viewer, today: date) -> Note:
    """The note for ``viewer``, who may export it (the view asks ``can_export_compilation`` first)."""
    document, jco = round_.document, round_.jco
    marking = compilation_marking(round_)
    shown = f" {document.marking}" if document.marking else ""
    place = _place(document.place)
    title = permissions.document_title_in_note(viewer, document, marking)
    entries = compiled_comments(session, round_)
    items = []
    for number, (_org_id, group) in enumerate(groupby(entries, key=lambda e: e.organisation.id), start=1):
        group_entries = list(group)
        lines = [line for entry in group_entries for line in _lines(entry)]
        items.append(NoteItem(number, group_entries[0].organisation.local_name, lines))
    subject = _("JCO %(name)s — Compilation of comments on %(reference)s", name=jco.title, reference=document.reference)
    intro = _("Compiled by JCO Tracker on %(day)s: the comments received, per delegation in protocol order, each "
              "delegation's comments in the order of the text they refer to.", day=long_date(today))
    if not items:
        intro = _("No delegation has sent a comment on %(reference)s.", reference=document.reference)
    return Note(
        doc_type=_("COMPILATION OF COMMENTS"),
        place_and_date=_("%(place)s, %(day)s", place=place, day=long_date(today)),
        reference="", subject_codes=[], marking=marking.value, on="", to="", subject=subject,
        intro=intro, items=items, language=current_language(),
        header=[
            (_("From"), _(SECRETARIAT)),
            (_("To"), _("Delegations")),
            (_("Subject"), subject),
            (_("Document"), f"{document.reference}{shown} — {title}"),
            (_("Lead delegation"), _lead_names(session, round_)),
            (_("Comments"), _("Requested on %(opened)s, due by %(deadline)s",
                              opened=long_date(round_.opened_at.date()), deadline=long_date(round_.deadline))),
        ],
    )


def compilation_docx(session: Session, round_: CommentRound, viewer, today: date) -> bytes:
    return to_docx(compilation_note(session, round_, viewer, today))


def compilation_filename(round_: CommentRound) -> str:
    """Like "Compilation of comments - Postbox - 12712-15.docx"."""
    reference = round_.document.reference.replace("/", "-")
    return _("Compilation of comments - %(name)s - %(reference)s.docx", name=round_.jco.title, reference=reference)
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
