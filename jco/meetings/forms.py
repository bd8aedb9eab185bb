"""Forms for scheduling meetings, building their agendas and recording outcomes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from jco.documents.models import Marking
from jco.documents.references import (
    MEETING_NOTICE_PREFIX,
    DocumentReference,
    InvalidReference,
    parse_citation,
)
from jco.meetings.models import Outcome
from jco.meetings.services import Purpose
from jco.operations.forms import options
from jco.operations.lifecycle import SECOND_BODIES, STATE_SHORT, Body, State
from jco.operations.models import operation_title
from jco.web.forms import MultiCheckboxField, VersionedForm

NO_JCO = 0
# The order a secretary thinks in, rather than the enum's; no default, so that nothing is recorded
# as adopted by a careless click.
OUTCOME_CHOICES = options([("", _l("— choose —"))] + [
    (o.value, _l(o.label)) for o in (Outcome.ADOPTED, Outcome.NOT_ADOPTED, Outcome.POSTPONED, Outcome.NOTED,
                                 Outcome.PRESENTED)
])
NEEDS_JCO = (Purpose.BUSINESS_CASE, Purpose.REVISION, Purpose.FINAL_REPORT)
PURPOSE_CHOICES = options((value, _l(label)) for value, label in Purpose.LABELS.items())
# "As the note" is the default; "" is a real choice (no marking), so the default needs its own value.
AS_NOTE = "as_note"
EXPORT_MARKING_CHOICES = options([(AS_NOTE, _l("As the registered note (LIMITE if none is registered)"))]
                                 + [(m.value, _l(m.label)) for m in Marking])


class MeetingForm(VersionedForm):
    body = SelectField(_l("Body"), choices=options((b.value, _l(b.label)) for b in Body), default=Body.CCWP_EXPERTS.value)
    title = StringField(_l("Title"), validators=[Length(max=200)])  # no Optional(): it would skip validate_title
    start_date = DateField(_l("First day"), validators=[DataRequired(message=_l("Give the first day of the meeting."))])
    end_date = DateField(_l("Last day"), validators=[Optional()])
    start_time = TimeField(_l("Start time"), validators=[Optional()])
    end_time = TimeField(_l("End time"), validators=[Optional()])
    place = StringField(_l("Place"), default="Brussels",
                        validators=[DataRequired(message=_l("Say where the meeting takes place.")), Length(max=120)])
    notice_reference = StringField(_l("Agenda notice reference"), validators=[Optional(), Length(max=40)])
    agenda_marking = SelectField(_l("Marking of the exported agenda"), choices=EXPORT_MARKING_CHOICES, default=AS_NOTE)
    summary_marking = SelectField(_l("Marking of the exported summary"), choices=EXPORT_MARKING_CHOICES, default=AS_NOTE)
    submit = SubmitField(_l("Save"))

    def fields(self) -> dict:
        """The meeting's details as the meetings service takes them."""
        return {
            "body": self.body.data,
            "title": (self.title.data or "").strip(),
            "start_date": self.start_date.data,
            "end_date": self.end_date.data or self.start_date.data,
            "start_time": self.start_time.data,
            "end_time": self.end_time.data,
            "place": (self.place.data or "").strip(),
            "notice_reference": self.notice_reference.data or "",
            "agenda_marking": self.export_marking("agenda_marking"),
            "summary_marking": self.export_marking("summary_marking"),
        }

    def process(self, formdata=None, obj=None, data=None, **kwargs):
        super().process(formdata, obj, data, **kwargs)
        for name in ("agenda_marking", "summary_marking"):
            if formdata is None and getattr(self, name).data is None:
                getattr(self, name).data = AS_NOTE

    def export_marking(self, name: str) -> str | None:
        """None (as the registered note) or the marking chosen, "" meaning unmarked."""
        value = getattr(self, name).data
        return None if value in (None, AS_NOTE) else value

    def validate_title(self, field):
        if self.body.data == Body.OTHER and not (field.data or "").strip():
            raise ValidationError(_("Give the title of a meeting of another body."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_("The last day cannot be before the first day."))

    def validate_end_time(self, field):
        single_day = not self.end_date.data or self.end_date.data == self.start_date.data
        if field.data and self.start_time.data and single_day and field.data <= self.start_time.data:
            raise ValidationError(_("The meeting must end after it starts."))

    def validate_notice_reference(self, field):
        text = (field.data or "").strip()
        if not text:
            field.data = ""
            return
        try:
            reference = DocumentReference.parse(text)
        except InvalidReference as error:
            raise ValidationError(str(error)) from None
        if reference.prefix != MEETING_NOTICE_PREFIX:
            raise ValidationError(_("A meeting notice is numbered in the CM series, like CM 4063/15, not %(reference)s.",
                                    reference=str(reference)))
        field.data = str(reference)  # stored as the Council prints it


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the item a title.")), Length(max=300)])
    jco_id = SelectField(_l("Operation"), coerce=int, default=NO_JCO)
    purpose = SelectField(_l("Purpose"), choices=PURPOSE_CHOICES, default=Purpose.INFORMATION)
    documents = StringField(_l("Documents"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Add to the agenda"))

    def offer(self, jcos: list[tuple[int, str, str, str]]) -> AgendaItemForm:
        """Choices: the operations (jco.meetings.queries.jcos_for_items), each with its state."""
        self.jco_id.choices = options([(NO_JCO, _("— none —"))] + [
            (jco_id, f"{operation_title(name, edition)} ({_(STATE_SHORT[State(state)]).lower()})")
            for jco_id, name, edition, state in jcos
        ])
        return self

    def validate_jco_id(self, field):
        if self.purpose.data in NEEDS_JCO and field.data == NO_JCO:
            raise ValidationError(_("Choose the operation whose document is presented or adopted."))

    def validate_documents(self, field):
        """Each ;-separated citation must parse; whether it is registered is the service's question."""
        self.citations = []
        for text in (field.data or "").split(";"):
            if not text.strip():
                continue
            try:
                self.citations.append(parse_citation(text))
            except InvalidReference as error:
                raise ValidationError(str(error)) from None

    @property
    def references(self) -> list[str]:
        return [str(part) for citation in getattr(self, "citations", []) for part in citation]


class AgendaItemEditForm(FlaskForm):
    """Changing an item from the agenda-planning page: what it says and what it is for."""

    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the item a title.")),
                                                 Length(max=300, message=_l("Keep the title under 300 characters."))])
    purpose = SelectField(_l("What it is for"), choices=PURPOSE_CHOICES)
    submit = SubmitField(_l("Save item"))


class ConfirmProposalsForm(FlaskForm):
    proposals = MultiCheckboxField(_l("Items due at this meeting"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Put the chosen items on the agenda"))

    def validate_proposals(self, field):
        if not field.data:
            raise ValidationError(_("Choose at least one item to put on the agenda."))


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=OUTCOME_CHOICES,
                          validators=[DataRequired(message=_l("Choose the outcome."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    # Asked only when a first body adopts a final report; the life cycle decides what "none" means.
    then_by = SelectField(_l("Then to be adopted by"), choices=options(
        [("", _l("— as planned (the working party, if it has not adopted it) —"))]
        + [(b.value, _l(b.label)) for b in SECOND_BODIES]), default="")
    submit = SubmitField(_l("Record the outcome"))


class MoveForm(FlaskForm):
    """Moving an item, from the meeting's page or (``back`` "plan") from the agenda-planning page."""

    direction = SelectField(_l("Direction"), choices=options([("up", _l("Up")), ("down", _l("Down"))]))
    back = HiddenField(validators=[AnyOf(["", "plan"])], default="")


def _id_or_none(value) -> int | None:
    """An id sent by a select; anything else is None, which the service refuses in words."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= 2**31 - 1 else None


class AgendaRequestForm(FlaskForm):
    """A lead asks for a document of its operation on a coming meeting's agenda; whether it may is
    jco.meetings.requests' question, so the choices are not checked here."""

    meeting_id = SelectField(_l("Meeting"), coerce=_id_or_none, validate_choice=False)
    document_id = SelectField(_l("Document"), coerce=_id_or_none, validate_choice=False)
    note = TextAreaField(_l("Note for the Secretariat (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Ask for a place on the agenda"))


class DeclineRequestForm(FlaskForm):
    """The reason is required by jco.meetings.requests.decline, which says so in words."""

    reason = TextAreaField(_l("Reason"), validators=[Optional()])
    submit = SubmitField(_l("Decline"))
