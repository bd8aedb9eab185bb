"""Form pieces shared by every area."""

from __future__ import annotations

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, IntegerField, SelectMultipleField
from wtforms.utils import unset_value
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget


class EmptyForm(FlaskForm):
    """For button-only actions, so that even they carry a CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice, easier with a keyboard or a screen reader than <select
    multiple>; templates render them in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VersionField(IntegerField):
    """The version of the record the page showed. Without it a stale page would overwrite a newer
    edit, so a missing or malformed value is a form error, never a silent save nor a crash."""

    widget = HiddenInput()

    def __init__(self, label=_l("Version"), **kwargs):
        kwargs.setdefault("validators", [InputRequired(message=_l(
            "The page did not say which version it showed. Reload the page and make your change again."))])
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            return
        try:
            value = int(valuelist[0])
        except (TypeError, ValueError):
            self.data = None
            raise ValueError(_("The version the page sent is not a number. Reload the page and make your change "
                               "again.")) from None
        if not 0 <= value <= 2**31 - 1:
            self.data = None
            raise ValueError(_("The version the page sent is out of range. Reload the page and make your change again."))
        self.data = value


class VersionedForm(FlaskForm):
    """An edit form that remembers which version of the record the page showed."""

    version = VersionField()

    @classmethod
    def for_new(cls, *args, **kwargs):
        """The same form for a record that does not exist yet, hence has no version to check."""
        form = cls(*args, **kwargs)
        del form.version
        return form


class CappedFieldList(FieldList):
    """A list of rows with at most ``max_entries``: more rows sent are refused with a message, not
    silently cut (WTForms drops the extra ones) nor a crash when more rows are asked for."""

    too_many = 0

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.too_many = 0
        if formdata and self.max_entries:
            sent = len(set(self._extract_indices(self.name, formdata)))
            self.too_many = sent if sent > self.max_entries else 0
        super().process(formdata, data, extra_filters)

    def validate(self, form, extra_validators=()):
        if self.too_many:
            self.errors = [ngettext("%(sent)s rows were sent; at most %(most)s can be saved at once. Nothing was saved.",
                                    "%(sent)s rows were sent; at most %(most)s can be saved at once. Nothing was saved.",
                                    self.max_entries, sent=format_number(self.too_many),
                                    most=format_number(self.max_entries))]
            return False
        return super().validate(form, extra_validators)

    def append_entry(self, data=None):
        if self.max_entries and len(self.entries) >= self.max_entries:
            return None  # the list is full; the page says so through its row count
        return super().append_entry(data)
