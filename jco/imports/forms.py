"""The import page's two forms: the file to check, and the confirmation of a checked file."""

from __future__ import annotations

from pathlib import PurePath

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Regexp


class UploadForm(FlaskForm):
    file = FileField(_l("Register file (CSV or Excel .xlsx)"), validators=[
        FileRequired(message=_l("Choose the file to check.")),
        FileAllowed(["csv", "xlsx"], message=_l("Upload a .csv or .xlsx file.")),
    ])
    submit = SubmitField(_l("Check the file"))

    @property
    def filename(self) -> str:
        # Browsers on Windows may send a full path; only the name is shown and kept.
        name = PurePath((self.file.data.filename or "upload").replace("\\", "/")).name
        return name[:255] or "upload"


class ConfirmForm(FlaskForm):
    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    submit = SubmitField(_l("Import"))
