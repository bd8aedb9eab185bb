from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlmodel import Session
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from jco import permissions
from jco.comments import services
from jco.comments.services import MAX_COMMENT_LENGTH
from jco.documents.models import Document
from jco.operations.lifecycle import Transition, available_transitions
from jco.operations.models import Jco
from jco.web.forms import VersionedForm


class OpenRoundForm(FlaskForm):
    document_id = SelectField("Document", coerce=int, choices=[])
    deadline = DateField(
        "Deadline for comments",
        validators=[InputRequired(message="Enter the deadline for comments.")],
        invalid_value_message="Enter the deadline as a calendar date, like 2015-11-03.",
    )
    submit = SubmitField("Open a comment round")

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
        "Comment",
        validators=[Length(max=MAX_COMMENT_LENGTH,
                           message=f"The comment is too long: at most {MAX_COMMENT_LENGTH:,} characters.")],
    )
    file = FileField("Attach a file")
    submit = SubmitField("Send the comment")
