"""Forms of the deadlines area."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from jco.web.forms import VersionedForm


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier to use with a keyboard or a screen reader than <select multiple>."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.owners.data and not self.owed_by_secretariat.data:
            self.owners.errors = list(self.owners.errors) + [
                "Say who owes it: choose one or more delegations, the Secretariat, or both."]
            ok = False
        return ok
