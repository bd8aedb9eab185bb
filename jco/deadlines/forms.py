"""Forms of the deadlines area."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from jco.deadlines.services import ManualDetails
from jco.web.forms import MultiCheckboxField, VersionedForm


class ManualDeadlineForm(VersionedForm):
    title = StringField(_l("What is due"), validators=[
        DataRequired(message=_l("Say what is due.")),
        Length(max=200, message=_l("Keep the title under 200 characters."))])
    due_date = DateField(_l("Due date"), validators=[DataRequired(message=_l("Give the due date as YYYY-MM-DD."))])
    owners = MultiCheckboxField(_l("Delegations that owe it"), coerce=int, choices=[], validate_choice=False)
    owed_by_secretariat = BooleanField(_l("The Secretariat owes it"))
    jco_id = SelectField(_l("Operation"), coerce=int, choices=[], validators=[Optional()])
    meeting_id = SelectField(_l("Meeting"), coerce=int, choices=[], validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save deadline"))

    @classmethod
    def for_row(cls, row, method: str) -> ManualDeadlineForm:
        """The form for an existing deadline: filled in from it (GET), or what was sent (POST)."""
        form = cls(obj=row if method == "GET" else None)
        if method == "GET":
            form.owners.data = [o.id for o in row.owners]
            form.jco_id.data = row.jco_id or 0
            form.meeting_id.data = row.meeting_id or 0
            form.version.data = row.version
        return form

    def offer(self, choices) -> ManualDeadlineForm:
        """Set the choices (jco.deadlines.queries.ManualDeadlineChoices)."""
        self.owners.choices = [(o.id, f"{o.local_name} ({o.code})") for o in choices.owners]
        self.jco_id.choices = [(0, _("— none —"))] + [(j.id, _("JCO %(title)s", title=j.title)) for j in choices.jcos]
        self.meeting_id.choices = [(0, _("— none —"))] + [(m.id, f"{m.display_title}, {m.days_label}")
                                                       for m in choices.meetings]
        return self

    def details(self) -> ManualDetails:
        return ManualDetails(
            title=self.title.data or "", due_date=self.due_date.data, owner_ids=list(self.owners.data or []),
            owed_by_secretariat=bool(self.owed_by_secretariat.data), jco_id=self.jco_id.data or None,
            meeting_id=self.meeting_id.data or None, note=self.note.data or "",
        )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.owners.data and not self.owed_by_secretariat.data:
            self.owners.errors = list(self.owners.errors) + [
                _("Say who owes it: choose one or more delegations, the Secretariat, or both.")]
            ok = False
        return ok
