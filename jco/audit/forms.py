"""The audit log's filters: a GET form, so every filter stays in the address."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, StringField
from wtforms.fields import DateField
from wtforms.validators import Length, Optional, ValidationError

from jco.audit.queries import LogFilters


class DayField(DateField):
    """A day written YYYY-MM-DD (what a date input sends); anything else is a clear error."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError(_("“%(text)s” is not a date: write it as YYYY-MM-DD, for example 2015-12-02.",
                               text=text[:40])) from None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AuditFilterForm(Form):
    operation = StringField(_l("Operation"), filters=[_strip],
                            validators=[Length(max=100, message=_l("Write at most 100 characters."))])
    account = SelectField(_l("Account"), validate_choice=False)
    kind = SelectField(_l("Kind of change"), validate_choice=False)
    date_from = DayField(_l("From (UTC)"), validators=[Optional()])
    date_to = DayField(_l("To (UTC)"), validators=[Optional()])

    def offer(self, accounts: list[tuple[str, str]], kinds: list[tuple[str, str]]) -> None:
        self.account.choices = [("", _("All accounts")), *accounts]
        self.kind.choices = [("", _("All kinds")), *kinds]

    def validate_account(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("Choose an account from the list."))

    def validate_kind(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("Choose a kind of change from the list."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date is before the start date."))

    def filters(self) -> LogFilters:
        return LogFilters(
            operation=self.operation.data or "",
            account_id=int(self.account.data) if self.account.data else None,
            kind=self.kind.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )

    def as_args(self) -> dict:
        """The filters as the address carries them (for the pages' links)."""
        values = {name: self[name].raw_data[0] if self[name].raw_data else ""
                  for name in ("operation", "account", "kind", "date_from", "date_to")}
        return {k: v for k, v in values.items() if v}
