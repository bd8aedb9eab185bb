"""Form pieces shared by every area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class EmptyForm(FlaskForm):
    """For button-only actions, so that even they carry a CSRF token."""


class VersionedForm(FlaskForm):
    """An edit form that remembers which version of the record the page showed."""

    version = HiddenField()
