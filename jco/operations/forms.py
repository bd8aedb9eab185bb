"""Forms for creating a JCO and taking it through its life cycle.

Choices that come from the database (organisations, vocabularies) are set by the view once per
request, so a page with many rows still runs a fixed number of queries.
"""

from __future__ import annotations

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from jco.core.dates import long_date
from jco.core.text import N_
from jco.core.timeutil import today
from jco.documents.models import Document
from jco.operations import results, services
from jco.operations.lifecycle import REASON_REQUIRED, Body, Transition
from jco.operations.models import Jco, JcoKind, Organisation, OrgKind, Role
from jco.operations.queries import participants_in_order
from jco.operations.results import ResultRow, check_row
from jco.web.forms import CappedFieldList, MultiCheckboxField, VersionedForm

NO_CHOICE = 0


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice; bare tuples are deprecated there."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


ROLE_CHOICES = options((r.value, _l(r.label)) for r in Role)
REPORT_ADOPTION_CHOICES = options([
    ("working_party", _l("By the working party only")),
    (Body.MAC.value, _l("By the Mutual Assistance Committee first, then by the working party")),
])
EXTRA_ROWS = 3
# Rows typed on one page (a file takes up to results.MAX_ROWS); with four fields a row this stays
# under the thousand form fields a request may carry (Flask's MAX_FORM_PARTS).
MAX_TYPED_ROWS = 200


def organisation_choices(organisations: list[Organisation], blank: str) -> list[SelectChoice]:
    """Member States, then bodies, then other countries, each group by name."""
    day = today()
    names = {"members": _("EU Member States"), "bodies": _("Agencies and bodies"), "others": _("Other countries")}
    groups: dict[str, list[SelectChoice]] = {"members": [], "bodies": [], "others": []}
    for org in sorted(organisations, key=lambda o: o.local_name.casefold()):
        if org.kind == OrgKind.BODY:
            group = "bodies"
        elif org.is_member_state_on(day):
            group = "members"
        else:
            group = "others"
        groups[group].append(SelectChoice(value=org.id, label=f"{org.local_name} ({org.code})", optgroup=names[group]))
    return [SelectChoice(value=NO_CHOICE, label=blank), *(c for group in groups.values() for c in group)]


def country_choices(countries: list[Organisation]) -> list[SelectChoice]:
    """Member States first: most results are theirs; then every other country."""
    day = today()
    members: list[SelectChoice] = []
    others: list[SelectChoice] = []
    member_states, other_countries = _("EU Member States"), _("Other countries")
    for org in sorted(countries, key=lambda o: o.local_name.casefold()):
        group = members if org.is_member_state_on(day) else others
        group.append(SelectChoice(value=org.code, label=f"{org.local_name} ({org.code})",
                                  optgroup=member_states if group is members else other_countries))
    return [SelectChoice(value="", label=_("— not by country —")), *members, *others]


def _end_not_before_start(start_name: str, message: str):
    """``message`` (marked with N_) names the start's date as ``%(day)s``."""
    def check(form, field):
        start = form[start_name].data
        if start and field.data and field.data < start:
            raise ValidationError(_(message, day=long_date(start)))

    return check


def split_names(text: str | None) -> list[str]:
    """Names typed as a comma-separated list, tidied; empty pieces dropped."""
    return [" ".join(part.split()) for part in (text or "").split(",") if part.strip()]


class JcoForm(VersionedForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the operation a name.")), Length(max=120)])
    edition = StringField(_l("Edition"), validators=[Optional(), Length(max=20)])
    kind = RadioField(_l("Kind"), choices=options((k.value, _l(k.label)) for k in JcoKind),
                      default=JcoKind.REGIONAL.value)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    lead_id = SelectField(_l("Lead delegation or body"), coerce=int, default=NO_CHOICE)
    lead_agency = StringField(_l("Lead administration"), validators=[Optional(), Length(max=200)])
    commodities = StringField(_l("Target goods"), validators=[Optional(), Length(max=1000)])
    transport_modes = MultiCheckboxField(_l("Transport modes"), coerce=int, validate_choice=True)
    other_transport_modes = StringField(_l("Other transport modes"), validators=[Optional(), Length(max=200)])
    action_id = SelectField(_l("Action-plan action"), coerce=int, default=NO_CHOICE)
    project_ids = MultiCheckboxField(_l("Funded projects"), coerce=int)
    planned_start = DateField(_l("Planned start"), validators=[Optional()])
    planned_end = DateField(_l("Planned end"), validators=[
        Optional(), _end_not_before_start("planned_start", N_("The planned end cannot be before the start (%(day)s)."))])
    report_adoption = RadioField(_l("Report adoption"), choices=REPORT_ADOPTION_CHOICES, default="working_party")
    submit = SubmitField(_l("Save"))

    @classmethod
    def for_jco(cls, jco: Jco) -> JcoForm:
        """The form filled in with the operation as it is, for its editing page."""
        return cls(
            formdata=None, version=jco.version, name=jco.name, edition=jco.edition, kind=jco.kind,
            description=jco.description, planned_start=jco.planned_start, planned_end=jco.planned_end,
            commodities=", ".join(c.name for c in jco.commodities),
            transport_modes=[m.id for m in jco.transport_modes],
            project_ids=[p.id for p in jco.projects],
            action_id=jco.action_id or NO_CHOICE,
            report_adoption=Body.MAC.value if jco.report_prior_body == Body.MAC else "working_party",
        )

    def offer(self, choices) -> JcoForm:
        """Set the choices that come from the database (jco.operations.queries.JcoFormChoices)."""
        self.transport_modes.choices = options((m.id, m.name) for m in choices.transport_modes)
        self.action_id.choices = options([(NO_CHOICE, _("— none —"))] + [(a.id, f"{a.code} {a.title}")
                                                                        for a in choices.actions])
        self.project_ids.choices = options(
            (p.id, _("%(acronym)s — %(name)s (funded by %(funder)s)", acronym=p.acronym, name=p.name,
                     funder=p.funded_by) if p.funded_by else f"{p.acronym} — {p.name}")
            for p in choices.projects
        )
        if choices.organisations is None:
            del self.lead_id
        else:
            self.lead_id.choices = organisation_choices(choices.organisations, _("— choose —"))
        return self

    def details(self) -> services.JcoDetails:
        chosen = set(self.transport_modes.data or [])
        modes = [choice.label for choice in self.transport_modes.choices if choice.value in chosen]
        return services.JcoDetails(
            name=self.name.data,
            edition=self.edition.data or "",
            kind=self.kind.data,
            description=self.description.data or "",
            action_id=self.action_id.data or None,
            report_prior_body=Body.MAC.value if self.report_adoption.data == Body.MAC.value else None,
            planned_start=self.planned_start.data,
            planned_end=self.planned_end.data,
            commodities=split_names(self.commodities.data),
            transport_modes=modes + split_names(self.other_transport_modes.data),
            project_ids=list(self.project_ids.data or []),
        )

    def validate_lead_id(self, field):
        if field.data == NO_CHOICE:
            raise ValidationError(_("Choose the delegation or body that leads the operation."))

    def validate_commodities(self, field):
        if any(len(name) > 200 for name in split_names(field.data)):
            raise ValidationError(_("Each name of goods can have at most %(most)s characters.", most=format_number(200)))

    def validate_other_transport_modes(self, field):
        if any(len(name) > 40 for name in split_names(field.data)):
            raise ValidationError(_("Each transport mode can have at most %(most)s characters.", most=format_number(40)))


class ParticipantRowForm(Form):
    organisation_id = SelectField(_l("Delegation or body"), coerce=int, default=NO_CHOICE)
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.PARTICIPANT.value)
    agency = StringField(_l("Administration"), validators=[Optional(), Length(max=200)])
    remove = BooleanField(_l("Remove"))

    @property
    def is_blank(self) -> bool:
        return self.organisation_id.data in (None, NO_CHOICE)


class ParticipantsForm(VersionedForm):
    rows = CappedFieldList(FormField(ParticipantRowForm), min_entries=1, max_entries=services.MAX_PARTICIPANTS)
    add_rows = SubmitField(_l("Add more rows"))
    submit = SubmitField(_l("Save participants"))

    @classmethod
    def for_request(cls, jco: Jco, method: str, organisations: list[Organisation]) -> ParticipantsForm:
        """The operation's participants plus blank rows (GET), or what was sent (POST)."""
        if method == "GET":
            rows = [{"organisation_id": p.organisation_id, "role": p.role, "agency": p.agency}
                    for p in participants_in_order(jco)]
            form = cls(formdata=None, version=jco.version, rows=rows)
        else:
            form = cls()
        if method == "GET" or form.add_rows.data:
            for _row in range(EXTRA_ROWS):
                form.rows.append_entry()
        choices = organisation_choices(organisations, _("— none —"))
        for entry in form.rows:
            entry.form.organisation_id.choices = choices
        return form

    @property
    def saving(self) -> bool:
        """Sent with "Save" (not "Add more rows") and valid."""
        return not self.add_rows.data and self.validate_on_submit()

    def participant_rows(self) -> list[services.ParticipantRow]:
        return [services.ParticipantRow(organisation_id=row.organisation_id.data, role=row.role.data,
                                        agency=(row.agency.data or "").strip())
                for row in self.kept_rows()]

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
                                              _("Already on row %(row)s: remove one of the two.",
                                                row=seen[row.organisation_id.data])]
                # The list's errors were gathered before this check; gather them again so the
                # summary links to the duplicate row.
                field.errors[:] = [e.errors for e in field.entries]
                raise ValidationError(_("Each delegation or body can take part only once."))
            seen[row.organisation_id.data] = number
        kept = self.kept_rows()
        if not kept:
            raise ValidationError(_("An operation needs at least its lead."))
        if not any(row.role.data == Role.LEAD for row in kept):
            raise ValidationError(_("Mark at least one delegation or body as the lead."))


class TransitionForm(FlaskForm):
    """A life-cycle button; withdrawing, postponing and cancelling ask for more (the reason)."""

    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])  # no Optional(): it skips validate_reason
    submit = SubmitField(_l("Confirm"))

    def __init__(self, step: Transition, **kwargs):
        super().__init__(prefix=step.value, **kwargs)
        self.step = step

    def validate_reason(self, field):
        # The life cycle names the steps that need a reason, and says what to ask for.
        if self.step in REASON_REQUIRED and not (field.data or "").strip():
            raise ValidationError(_(REASON_REQUIRED[self.step]))

    @property
    def note(self) -> str:
        return (self.reason.data or "").strip() if self.step in REASON_REQUIRED else ""


class OperationForm(VersionedForm):
    actual_start = DateField(_l("Actual start"), validators=[Optional()])
    actual_end = DateField(_l("Actual end"), validators=[
        Optional(), _end_not_before_start("actual_start", N_("The end cannot be before the start (%(day)s)."))])
    debriefing_date = DateField(_l("Debriefing date"), validators=[Optional()])
    debriefing_place = StringField(_l("Debriefing place"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Save"))

    def validate_actual_end(self, field):
        if field.data and not self.actual_start.data:
            raise ValidationError(_("Give the actual start as well."))

    def validate_debriefing_date(self, field):
        start = self.actual_start.data
        if field.data and start and field.data < start:
            raise ValidationError(_("The debriefing cannot be before the operational phase started."))


class ResultRowForm(Form):
    country = SelectField(_l("Country"), default="")
    commodity = StringField(_l("Commodity"))
    quantity = StringField(_l("Quantity"))
    unit = StringField(_l("Unit"))

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
    document_id = SelectField(_l("Final report"), coerce=int, default=NO_CHOICE)
    replace = BooleanField(_l("Replace the results already recorded for this operation"))


class ResultRowsForm(FlaskForm, _ResultsTarget):
    rows = CappedFieldList(FormField(ResultRowForm), min_entries=5, max_entries=MAX_TYPED_ROWS)
    add_rows = SubmitField(_l("Add more rows"))
    submit = SubmitField(_l("Add these results"))

    def validate_rows(self, field):
        if field.errors:
            raise ValidationError(_("Some rows have problems; nothing was added. Correct them and save again."))
        self.parsed = [entry.form.parsed for entry in field if entry.form.parsed is not None]
        if not self.parsed:
            raise ValidationError(_("Fill in at least one row."))


class ResultsUploadForm(FlaskForm, _ResultsTarget):
    file = FileField(_l("Results file (CSV)"), validators=[FileRequired(message=_l("Choose a CSV file to upload."))])
    submit = SubmitField(_l("Upload the results"))


class ResultsForms:
    """The results page's two forms, typed rows and a CSV file: only the one whose button was
    pressed reads the request. ``rows`` and ``sender`` are what to record, once they are valid."""

    def __init__(self, request, documents, countries: list[Organisation]) -> None:
        posted = request.form if request.method == "POST" else {}
        uploading = "upload-submit" in posted
        entering = request.method == "POST" and not uploading
        self.entry = ResultRowsForm(prefix="entry") if entering else ResultRowsForm(prefix="entry", formdata=None)
        self.upload = ResultsUploadForm(prefix="upload") if uploading else ResultsUploadForm(prefix="upload",
                                                                                            formdata=None)
        if entering and self.entry.add_rows.data:
            for _row in range(EXTRA_ROWS):
                self.entry.rows.append_entry()
        choices = options([(NO_CHOICE, _("— not tied to a document —"))] + [
            (d.id, d.reference + (f" ({d.marking})" if d.marking else "")) for d in documents])
        self.entry.document_id.choices = choices
        self.upload.document_id.choices = choices
        if len(documents) == 1:  # the one final report on record is the likely source; a sent form keeps its choice
            for form, sent in ((self.entry, entering), (self.upload, uploading)):
                if not sent:
                    form.document_id.data = documents[0].id
        by_country = country_choices(countries)
        for entry in self.entry.rows:
            entry.form.country.choices = by_country
        self.upload_problems: list[str] = []
        self.rows: list[ResultRow] | None = None
        self.sender = None
        if entering and "entry-submit" in posted and self.entry.validate_on_submit():
            self.rows, self.sender = self.entry.parsed, self.entry
        elif uploading and self.upload.validate_on_submit():
            self._read_upload()

    def document(self, session) -> Document | None:
        chosen = self.sender.document_id.data if self.sender is not None else None
        return session.get(Document, chosen) if chosen else None

    def _read_upload(self) -> None:
        try:
            text = self.upload.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.upload.file.errors = [_("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.")]
            return
        try:
            self.rows, self.sender = results.parse_results_csv(text), self.upload
        except results.ResultsError as error:
            self.upload_problems = error.messages
            self.upload.file.errors = [ngettext(
                "The file has %(num)d problem; nothing was added. Correct the line listed and upload it again.",
                "The file has %(num)d problems; nothing was added. Correct the lines listed and upload it again.",
                len(error.problems))]
