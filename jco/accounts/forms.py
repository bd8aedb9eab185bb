from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from jco import permissions
from jco.accounts.models import AccountRole
from jco.documents.models import Marking


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(message=_l("Enter your current password."))])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter a new password.")),
                    Length(min=10, message=_l("The new password must have at least 10 characters."))],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(message=_l("Repeat the new password.")),
                    EqualTo("new", message=_l("The two new passwords are not the same."))],
    )
    submit = SubmitField(_l("Change password"))


def _clearance_label(level: Marking) -> str:
    return level.label if level.is_classified else _("None")


class AccountChangeForm(FlaskForm):
    """Role, delegation and clearance of an account. The lists offer only what the person filling
    the form may grant (``offer_to``); a forged value goes on to the service, which refuses it and
    says why, rather than a bare "not a valid choice"."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    organisation_id = SelectField(_l("Delegation or body"), coerce=int, choices=[])
    clearance = SelectField(_l("Clearance"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save changes"))

    def offer_to(self, actor, organisations: list[tuple[int, str]], account=None):
        if account is None:
            roles = permissions.roles_grantable_by(actor)
        else:
            roles = [role for role in AccountRole if permissions.can_change_role(actor, account, role)]
        self.role.choices = [(role.value, _(role.label)) for role in roles]
        if account is None and not self.is_submitted() and AccountRole.DELEGATE in roles:
            self.role.data = AccountRole.DELEGATE.value  # most new accounts are a delegation's
        current = (account.clearance or "") if account is not None else ""
        levels = permissions.clearances_grantable_by(actor, current)
        self.clearance.choices = [(level.value, _clearance_label(level)) for level in levels]
        self.organisation_id.choices = organisations
        return self


class AccountForm(AccountChangeForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter an email address.")),
                                                Email(message=_l("Enter a valid email address."))])
    password = PasswordField(_l("Initial password"), validators=[
        DataRequired(message=_l("Set an initial password.")),
        Length(min=10, message=_l("The password must have at least 10 characters."))])
    submit = SubmitField(_l("Create account"))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from jco.core.i18n import LANGUAGES

        self.language.choices = [("", _("As my browser asks")), *LANGUAGES.items()]


class ReminderSettingsForm(FlaskForm):
    reminders_enabled = BooleanField(_l("Send me e-mail reminders of my delegation's deadlines"))
    submit = SubmitField(_l("Save"))
