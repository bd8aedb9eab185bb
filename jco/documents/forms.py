"""The form to register a Council document, with or without its file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from jco.documents.models import DocType, Marking
from jco.documents.references import DocumentReference, InvalidReference, parse_subject_code
from jco.operations.lifecycle import RESULTS_STATES, State

JCO_DOC_TYPES = [DocType.BUSINESS_CASE, DocType.FINAL_REPORT, DocType.OTHER]
OTHER_DOC_TYPES = [DocType.NOTE, DocType.AGENDA, DocType.WORKING_DOCUMENT, DocType.COVER_NOTE,
                   DocType.I_ITEM_NOTE, DocType.OTHER]
# From the operational phase on, what an operation's lead uploads is its final report.
_REPORT_STAGES = {s.value for s in RESULTS_STATES | {State.OPERATIONAL}}


def _message(error: InvalidReference) -> str:
    text = str(error)
    return text[0].upper() + text[1:] if text else text


def _valid_reference(_form, field) -> None:
    try:
        DocumentReference.parse(field.data or "")
    except InvalidReference as error:
        raise ValidationError(_message(error)) from None


def _valid_previous(_form, field) -> None:
    if (field.data or "").strip():
        _valid_reference(_form, field)


def _valid_subject_codes(_form, field) -> None:
    for text in split_codes(field.data):
        try:
            parse_subject_code(text)
        except InvalidReference as error:
            raise ValidationError(_message(error)) from None


def split_codes(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class DocumentForm(FlaskForm):
    reference = StringField(
        _l("Reference"),
        validators=[DataRequired(message=_l("Enter the document's reference, like 12712/15.")), _valid_reference],
    )
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Enter the document's title.")),
                    Length(max=300, message=_l("The title can have at most 300 characters."))],
    )
    doc_type = SelectField(_l("Type"), choices=[(t.value, _l(t.label)) for t in JCO_DOC_TYPES])
    doc_date = DateField(_l("Date"), validators=[Optional()],
                         invalid_value_message=_l("Enter the date as a calendar date, like 2015-11-04."))
    # LIMITE by default: working-party documents usually are, and a forgotten choice must not publish one.
    marking = SelectField(_l("Marking"), choices=[(m.value, _l(m.label)) for m in Marking],
                          default=Marking.LIMITE.value)
    subject_codes = StringField(_l("Subject codes"), validators=[Optional(), Length(max=300), _valid_subject_codes])
    previous_reference = StringField(_l("Previous document"), validators=[Optional(), _valid_previous])
    file = FileField(_l("File"))
    submit = SubmitField(_l("Register the document"))

    def __init__(self, *args, jco_document: bool = True, likely_type: str | None = None, **kwargs):
        """``likely_type``: the kind to offer first (the deadline or step that led here asks for it)."""
        super().__init__(*args, **kwargs)
        types = JCO_DOC_TYPES if jco_document else OTHER_DOC_TYPES
        self.doc_type.choices = [(t.value, _l(t.label)) for t in types]
        if not self.is_submitted() and likely_type in {t.value for t in types}:
            self.doc_type.data = likely_type
        elif not jco_document and not self.doc_type.data:
            self.doc_type.data = DocType.NOTE.value


def likely_doc_type(state: str, asked: str | None) -> str:
    """The kind of document an operation most likely needs next: the one asked for (a link from a
    deadline or the next step), else a final report once the operational phase began."""
    if asked in {t.value for t in JCO_DOC_TYPES}:
        return asked
    return DocType.FINAL_REPORT.value if state in _REPORT_STAGES else DocType.BUSINESS_CASE.value


class AttachFileForm(FlaskForm):
    file = FileField(_l("File"))
    submit = SubmitField(_l("Store the file"))
