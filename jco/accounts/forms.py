from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from jco.accounts.models import AccountRole
from jco.documents.models import Marking


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    submit = SubmitField("Log in")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(message="Enter your current password.")])
    new = PasswordField(
        "New password",
        validators=[DataRequired(message="Enter a new password."),
                    Length(min=10, message="The new password must have at least 10 characters.")],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(message="Repeat the new password."),
                    EqualTo("new", message="The two new passwords are not the same.")],
    )
    submit = SubmitField("Change password")


class AccountForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter an email address."),
                                            Email(message="Enter a valid email address.")])
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    role = SelectField("Role", choices=[(r.value, r.label) for r in AccountRole])
    organisation_id = SelectField("Delegation or body", coerce=int, choices=[])
    clearance = SelectField("Clearance", choices=[(m.value, m.label if m.is_classified else "None")
                                                  for m in Marking if m.value != "LIMITE"])
    password = PasswordField("Initial password", validators=[
        DataRequired(message="Set an initial password."),
        Length(min=10, message="The password must have at least 10 characters.")])
    submit = SubmitField("Create account")


class ReminderSettingsForm(FlaskForm):
    reminders_enabled = BooleanField("Send me e-mail reminders of my delegation's deadlines")
    submit = SubmitField("Save")
