"""The import page's two forms: the file to check, and the confirmation of a checked file."""

from __future__ import annotations

from pathlib import PurePath

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Regexp


class UploadForm(FlaskForm):
    file = FileField("Register file (CSV or Excel .xlsx)", validators=[
        FileRequired(message="Choose the file to check."),
        FileAllowed(["csv", "xlsx"], message="Upload a .csv or .xlsx file."),
    ])
    submit = SubmitField("Check the file")

    @property
    def filename(self) -> str:
        # Browsers on Windows may send a full path; only the name is shown and kept.
        name = PurePath((self.file.data.filename or "upload").replace("\\", "/")).name
        return name[:255] or "upload"


class ConfirmForm(FlaskForm):
    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    submit = SubmitField("Import")
