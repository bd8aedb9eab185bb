"""Forms for creating a JCO and taking it through its life cycle.

Choices that come from the database (organisations, vocabularies) are set by the view once per
request, so a page with many rows still runs a fixed number of queries.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from jco.operations.lifecycle import Body
from jco.operations.models import JcoKind, Role
from jco.operations.results import ResultRow, check_row
from jco.web.forms import VersionedForm

NO_CHOICE = 0


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice; bare tuples are deprecated there."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


ROLE_CHOICES = options((r.value, r.label) for r in Role)
REPORT_ADOPTION_CHOICES = options([
    ("working_party", "By the working party only"),
    (Body.MAC.value, "By the Mutual Assistance Committee first, then by the working party"),
])
EXTRA_ROWS = 3


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice; templates render them in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _end_not_before_start(start_name: str, what: str):
    def check(form, field):
        start = form[start_name].data
        if start and field.data and field.data < start:
            raise ValidationError(f"{what} cannot be before the start ({start.strftime('%-d %B %Y')}).")

    return check


def split_names(text: str | None) -> list[str]:
    """Names typed as a comma-separated list, tidied; empty pieces dropped."""
    return [" ".join(part.split()) for part in (text or "").split(",") if part.strip()]


class JcoForm(VersionedForm):
    name = StringField("Name", validators=[DataRequired(message="Give the operation a name."), Length(max=120)])
    edition = StringField("Edition", validators=[Optional(), Length(max=20)])
    kind = RadioField("Kind", choices=options((k.value, k.label) for k in JcoKind), default=JcoKind.REGIONAL.value)
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    lead_id = SelectField("Lead delegation or body", coerce=int, default=NO_CHOICE)
    lead_agency = StringField("Lead administration", validators=[Optional(), Length(max=200)])
    commodities = StringField("Target goods", validators=[Optional(), Length(max=1000)])
    transport_modes = MultiCheckboxField("Transport modes", coerce=int, validate_choice=True)
    other_transport_modes = StringField("Other transport modes", validators=[Optional(), Length(max=200)])
    action_id = SelectField("Action-plan action", coerce=int, default=NO_CHOICE)
    project_ids = MultiCheckboxField("Funded projects", coerce=int)
    planned_start = DateField("Planned start", validators=[Optional()])
    planned_end = DateField("Planned end", validators=[Optional(), _end_not_before_start("planned_start", "The planned end")])
    report_adoption = RadioField("Report adoption", choices=REPORT_ADOPTION_CHOICES, default="working_party")
    submit = SubmitField("Save")

    def validate_lead_id(self, field):
        if field.data == NO_CHOICE:
            raise ValidationError("Choose the delegation or body that leads the operation.")

    def validate_commodities(self, field):
        if any(len(name) > 200 for name in split_names(field.data)):
            raise ValidationError("Each name of goods can have at most 200 characters.")

    def validate_other_transport_modes(self, field):
        if any(len(name) > 40 for name in split_names(field.data)):
            raise ValidationError("Each transport mode can have at most 40 characters.")


class ParticipantRowForm(Form):
    organisation_id = SelectField("Delegation or body", coerce=int, default=NO_CHOICE)
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.PARTICIPANT.value)
    agency = StringField("Administration", validators=[Optional(), Length(max=200)])
    remove = BooleanField("Remove")

    @property
    def is_blank(self) -> bool:
        return self.organisation_id.data in (None, NO_CHOICE)


class ParticipantsForm(VersionedForm):
    rows = FieldList(FormField(ParticipantRowForm), min_entries=1)
    add_rows = SubmitField("Add more rows")
    submit = SubmitField("Save participants")

    def kept_rows(self) -> list[ParticipantRowForm]:
        return [entry.form for entry in self.rows if not entry.form.remove.data and not entry.form.is_blank]

    def validate_rows(self, field):
        seen: dict[int, int] = {}
        for number, entry in enumerate(field, 1):
            row = entry.form
            if row.remove.data or row.is_blank:
                continue
            if row.organisation_id.data in seen:
                row.organisation_id.errors = [*row.organisation_id.errors,
                                              f"Already on row {seen[row.organisation_id.data]}: remove one of the two."]
                # The list's errors were gathered before this check; gather them again so the
                # summary links to the duplicate row.
                field.errors[:] = [e.errors for e in field.entries]
                raise ValidationError("Each delegation or body can take part only once.")
            seen[row.organisation_id.data] = number
        kept = self.kept_rows()
        if not kept:
            raise ValidationError("An operation needs at least its lead.")
        if not any(row.role.data == Role.LEAD for row in kept):
            raise ValidationError("Mark at least one delegation or body as the lead.")


class TransitionForm(FlaskForm):
    """A life-cycle button; withdrawing, postponing and cancelling ask for more (the reason)."""

    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Confirm")


class OperationForm(VersionedForm):
    actual_start = DateField("Actual start", validators=[Optional()])
    actual_end = DateField("Actual end", validators=[Optional(), _end_not_before_start("actual_start", "The end")])
    debriefing_date = DateField("Debriefing date", validators=[Optional()])
    debriefing_place = StringField("Debriefing place", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Save")

    def validate_actual_end(self, field):
        if field.data and not self.actual_start.data:
            raise ValidationError("Give the actual start as well.")

    def validate_debriefing_date(self, field):
        start = self.actual_start.data
        if field.data and start and field.data < start:
            raise ValidationError("The debriefing cannot be before the operational phase started.")


class ResultRowForm(Form):
    country = SelectField("Country", default="")
    commodity = StringField("Commodity")
    quantity = StringField("Quantity")
    unit = StringField("Unit")

    parsed: ResultRow | None = None

    @property
    def is_blank(self) -> bool:
        return not any((self.country.data or "", self.commodity.data or "", self.quantity.data or "",
                        self.unit.data or ""))

    def validate(self, extra_validators=None) -> bool:
        """A filled-in row is read by the same rules as a CSV line; a blank row is ignored."""
        ok = super().validate(extra_validators)
        self.parsed = None
        if self.is_blank or not ok:
            return ok
        self.parsed, problems = check_row(self.country.data or "", self.commodity.data or "",
                                          self.quantity.data or "", self.unit.data or "")
        for column, message in problems:
            self[column].errors.append(message)
        return not problems


class _ResultsTarget:
    document_id = SelectField("Final report", coerce=int, default=NO_CHOICE)
    replace = BooleanField("Replace the results already recorded for this operation")


class ResultRowsForm(FlaskForm, _ResultsTarget):
    rows = FieldList(FormField(ResultRowForm), min_entries=5)
    add_rows = SubmitField("Add more rows")
    submit = SubmitField("Add these results")

    def validate_rows(self, field):
        if field.errors:
            raise ValidationError("Some rows have problems; nothing was added. Correct them and save again.")
        self.parsed = [entry.form.parsed for entry in field if entry.form.parsed is not None]
        if not self.parsed:
            raise ValidationError("Fill in at least one row.")


class ResultsUploadForm(FlaskForm, _ResultsTarget):
    file = FileField("Results file (CSV)", validators=[FileRequired(message="Choose a CSV file to upload.")])
    submit = SubmitField("Upload the results")
