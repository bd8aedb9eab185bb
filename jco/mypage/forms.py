"""Forms of My page and the account's digest setting."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf


class DigestForm(FlaskForm):
    """Turn the daily digest on ("1") or off ("0"); anything else is refused."""

    enabled = HiddenField(validators=[AnyOf(["0", "1"])])
