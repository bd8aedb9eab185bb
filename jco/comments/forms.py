from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from jco.comments.services import MAX_COMMENT_LENGTH
from jco.web.forms import VersionedForm


class OpenRoundForm(FlaskForm):
    document_id = SelectField("Document", coerce=int, choices=[])
    deadline = DateField(
        "Deadline for comments",
        validators=[InputRequired(message="Enter the deadline for comments.")],
        invalid_value_message="Enter the deadline as a calendar date, like 2015-11-03.",
    )
    submit = SubmitField("Open a comment round")


class CommentForm(VersionedForm):
    body = TextAreaField(
        "Comment",
        validators=[Length(max=MAX_COMMENT_LENGTH,
                           message=f"The comment is too long: at most {MAX_COMMENT_LENGTH:,} characters.")],
    )
    file = FileField("Attach a file")
    submit = SubmitField("Send the comment")
