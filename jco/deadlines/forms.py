"""Forms of the deadlines area."""

from __future__ import annotations

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
    title = StringField("What is due", validators=[DataRequired(message="Say what is due."),
                                                   Length(max=200, message="Keep the title under 200 characters.")])
    due_date = DateField("Due date", validators=[DataRequired(message="Give the due date as YYYY-MM-DD.")])
    owners = MultiCheckboxField("Delegations that owe it", coerce=int, choices=[], validate_choice=False)
    owed_by_secretariat = BooleanField("The Secretariat owes it")
    jco_id = SelectField("Operation", coerce=int, choices=[], validators=[Optional()])
    meeting_id = SelectField("Meeting", coerce=int, choices=[], validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save deadline")

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
        self.owners.choices = [(o.id, f"{o.name} ({o.code})") for o in choices.owners]
        self.jco_id.choices = [(0, "— none —")] + [(j.id, f"JCO {j.title}") for j in choices.jcos]
        self.meeting_id.choices = [(0, "— none —")] + [(m.id, f"{m.display_title}, {m.days_label}")
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
                "Say who owes it: choose one or more delegations, the Secretariat, or both."]
            ok = False
        return ok
