from __future__ import annotations

from flask_babel import LazyString, format_number
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlmodel import Session
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from jco import permissions
from jco.comments import services
from jco.comments.models import OUTCOME_LABELS, CommentResponse
from jco.comments.services import MAX_COMMENT_LENGTH, MAX_REFERS_TO_LENGTH, MAX_RESPONSE_NOTE_LENGTH
from jco.documents.models import Document
from jco.operations.forms import options
from jco.operations.lifecycle import Transition, available_transitions
from jco.operations.models import Jco
from jco.web.forms import VersionedForm


class OpenRoundForm(FlaskForm):
    document_id = SelectField(_l("Document"), coerce=int, choices=[])
    deadline = DateField(
        _l("Deadline for comments"),
        validators=[InputRequired(message=_l("Enter the deadline for comments."))],
        invalid_value_message=_l("Enter the deadline as a calendar date, like 2015-11-03."),
    )
    submit = SubmitField(_l("Open a comment round"))

    def offer(self, documents: list[Document], user) -> OpenRoundForm:
        """Choices: the documents a round may be opened on now (business case or final report), titles as
        this account may read them."""
        self.documents = documents
        self.document_id.choices = [(d.id, f"{d.reference} — {permissions.document_title_for(user, d)}")
                                    for d in documents]
        if self.document_id.data is None and documents:
            # The latest revision of the business case itself (not an addendum) is the usual choice.
            main = [d for d in documents if d.addendum is None and d.corrigendum is None] or documents
            self.document_id.data = main[-1].id
        return self


def open_round_form_for(session: Session, jco: Jco, user) -> OpenRoundForm | None:
    """The form for the JCO page, when this account may open a round and the life cycle allows one."""
    if not permissions.can_open_comment_round(user, jco):
        return None
    if Transition.OPEN_COMMENTS not in available_transitions(jco.state):
        return None
    form = OpenRoundForm(prefix="round").offer(services.documents_for_comment(session, jco), user)
    return form if form.document_id.choices else None


class CommentForm(VersionedForm):
    """A delegation's comment; ``version`` 0 when the page showed no comment yet."""

    body = TextAreaField(
        _l("Comment"),
        validators=[Length(max=MAX_COMMENT_LENGTH, message=_l(
            "The comment is too long: at most %(n)s characters.", n=LazyString(format_number, MAX_COMMENT_LENGTH)))],
    )
    refers_to = StringField(
        _l("Refers to"),
        validators=[Length(max=MAX_REFERS_TO_LENGTH, message=_l(
            "Say in at most %(n)s characters which part of the text the comment refers to.", n=MAX_REFERS_TO_LENGTH))],
    )
    file = FileField(_l("Attach a file"))
    submit = SubmitField(_l("Send the comment"))


class CommentResponseForm(VersionedForm):
    """The lead's response to one comment; ``version`` 0 when none was recorded yet."""

    outcome = RadioField(
        _l("How the revision takes the comment into account"),
        choices=options(OUTCOME_LABELS.items()),
        validators=[InputRequired(message=_l("Choose whether the comment was taken on board, partly or not."))],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=MAX_RESPONSE_NOTE_LENGTH, message=_l(
            "The note is too long: at most %(n)s characters.", n=LazyString(format_number, MAX_RESPONSE_NOTE_LENGTH)))],
    )
    submit = SubmitField(_l("Save the response"))


def response_forms_for(comment_ids, responses: dict[int, CommentResponse],
                       failed: CommentResponseForm | None = None, failed_id: int | None = None):
    """One response form per comment, filled with the recorded response; the one just refused
    (``failed``, for comment ``failed_id``) keeps what was typed and its errors."""
    forms = {}
    for comment_id in comment_ids:
        if comment_id == failed_id and failed is not None:
            forms[comment_id] = failed
            continue
        response = responses.get(comment_id)
        data = ({"outcome": response.outcome, "note": response.note, "version": response.version} if response
                else {"version": 0})
        forms[comment_id] = CommentResponseForm(prefix=f"response-{comment_id}", formdata=None, data=data)
    return forms
