from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from jco.api.auth import NAME_MAX_LENGTH


class CreateTokenForm(FlaskForm):
    name = StringField("Token name", validators=[
        DataRequired(message="Give the token a name, so that you can recognise it later."),
        Length(max=NAME_MAX_LENGTH, message=f"The name must have at most {NAME_MAX_LENGTH} characters."),
    ])
    submit = SubmitField("Create token")
