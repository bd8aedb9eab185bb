from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from jco.api.auth import NAME_MAX_LENGTH


class CreateTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[
        DataRequired(message=_l("Give the token a name, so that you can recognise it later.")),
        # WTForms fills in %(max)d.
        Length(max=NAME_MAX_LENGTH, message=_l("The name must have at most %(max)d characters.")),
    ])
    submit = SubmitField(_l("Create token"))
