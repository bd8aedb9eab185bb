"""A meeting's agenda and its draft summary of discussions, in the layout of a Council note,
as DOCX (python-docx) and PDF (fpdf2).

The note is built once (``Note``), for one reader. Its marking is the one the Secretariat gives
the meeting's agenda or summary (``Meeting.agenda_marking`` / ``summary_marking``), by default that
of the registered note it is (CM 4063/15, 13305/15), LIMITE when none is registered: the same
stamp for every reader. What a reader is not cleared for is left out of that reader's version
(``permissions.document_title_in_note``): a classified title, and the reference, date and subject
codes of a classified note — never does the stamp change.
"""

from __future__ import annotations

import hashlib
import io
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from jco import permissions
from jco.core.dates import long_date, time_of_day
from jco.core.i18n import current_language
from jco.core.text import N_
from jco.documents.models import DocType, Document, Marking
from jco.documents.references import in_document_order
from jco.meetings.agenda import body_addressee
from jco.meetings.models import Meeting, Outcome
from jco.meetings.services import Purpose

SECRETARIAT = N_("General Secretariat of the Council")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass
class NoteItem:
    number: int
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Note:
    doc_type: str  # "NOTE", "NOTICE OF MEETING AND PROVISIONAL AGENDA", in the note's language
    place_and_date: str
    reference: str
    subject_codes: list[str]
    marking: str
    on: str
    to: str
    subject: str
    items: list[NoteItem]
    intro: str = ""
    language: str = "en"  # the language it is written in: the reader's, or the ?lang= asked for
    # Other notes (a compilation of comments) give their own header lines, labels included.
    header: list[tuple[str, str]] = field(default_factory=list)

    @property
    def header_lines(self) -> list[tuple[str, str]]:
        if self.header:
            return self.header
        return [(_("From"), _(SECRETARIAT)), (_("On"), self.on), (_("To"), self.to), (_("Subject"), self.subject)]


def _meeting_day(meeting: Meeting) -> str:
    return meeting.days_label


def _document_line(viewer, document: Document, marking: Marking) -> str:
    title = permissions.document_title_in_note(viewer, document, marking)
    shown = f" {document.marking}" if document.marking else ""
    return f"{document.reference}{shown} — {title}"


def note_marking(given: str | None, note: Document | None) -> Marking:
    """The stamp of an exported agenda or summary: the Secretariat's choice, else the note's own."""
    if given is not None:
        return Marking(given)
    return note.marking_enum if note is not None else Marking.LIMITE


def _cited(viewer, note: Document | None) -> Document | None:
    """The registered note, when this reader may know its reference, date and subject codes."""
    return note if note is not None and permissions.can_view_document_details(viewer, note) else None


def _items(meeting: Meeting, viewer, *, with_outcomes: bool, marking: Marking) -> list[NoteItem]:
    items = []
    for n, item in enumerate(sorted(meeting.items, key=lambda i: (i.position, i.id)), start=1):
        lines = []
        if item.jco:
            lines.append(_("Operation: JCO %(title)s", title=item.jco.title))
        if item.purpose != Purpose.INFORMATION:
            purpose = Purpose.LABELS.get(item.purpose)
            lines.append(_("For: %(purpose)s", purpose=_(purpose).lower() if purpose else item.purpose))
        if item.documents:
            lines.append(_("Documents: %(documents)s", documents="; ".join(
                _document_line(viewer, d, marking) for d in in_document_order(item.documents))))
        if with_outcomes:
            outcome = _(Outcome(item.outcome).label).lower() if item.outcome else _("not recorded")
            lines.append(_("Outcome: %(outcome)s. %(note)s", outcome=outcome, note=item.note) if item.note
                         else _("Outcome: %(outcome)s.", outcome=outcome))
        items.append(NoteItem(n, item.title, lines))
    return items


def find_notice(session: Session, meeting: Meeting) -> Document | None:
    if not meeting.notice_reference:
        return None
    return session.scalar(select(Document).where(Document.reference == meeting.notice_reference)
                          .options(selectinload(Document.subject_codes)))


def agenda_note(session: Session, meeting: Meeting, viewer, today: date) -> Note:
    registered = find_notice(session, meeting)
    marking = note_marking(meeting.agenda_marking, registered)
    notice = _cited(viewer, registered)
    when = _meeting_day(meeting)
    if meeting.start_time:
        when += f", {time_of_day(meeting.start_time)}" + (f"–{time_of_day(meeting.end_time)}" if meeting.end_time else "")
    return Note(
        doc_type=_("NOTICE OF MEETING AND PROVISIONAL AGENDA"),
        place_and_date=_("%(place)s, %(day)s", place=_place(notice.place if notice else ""),
                         day=long_date(notice.doc_date if notice and notice.doc_date else today)),
        reference=meeting.notice_reference if notice is not None or registered is None else "",
        subject_codes=[str(c) for c in notice.subject_codes] if notice else [],
        marking=marking.value,
        on=when, to=_(body_addressee(meeting.body)),
        subject=_("Provisional agenda — %(meeting)s, %(place)s", meeting=meeting.title or _(meeting.body_enum.label),
                  place=_place(meeting.place)),
        items=_items(meeting, viewer, with_outcomes=False, marking=marking),
        language=current_language(),
    )


def find_summary(session: Session, meeting: Meeting) -> Document | None:
    """The registered summary of discussions of this meeting, if any: a note titled "Summary of
    discussions …" that names the meeting's date (as 13305/15 does for 20 October 2015)."""
    candidates = session.scalars(
        select(Document).where(Document.doc_type == DocType.NOTE.value,
                               func.lower(Document.title).like("summary of discussions%"))
        .options(selectinload(Document.subject_codes))
    ).all()
    day = long_date(meeting.start_date, "en")  # registered titles are in English, whatever the reader reads
    return next((d for d in candidates if day in d.title), None)


def summary_note(session: Session, meeting: Meeting, viewer, today: date) -> Note:
    registered = find_summary(session, meeting)
    marking = note_marking(meeting.summary_marking, registered)
    known = _cited(viewer, registered)
    return Note(
        doc_type=_("NOTE"),
        place_and_date=_("%(place)s, %(day)s", place=_place(known.place if known else meeting.place),
                         day=long_date(known.doc_date if known and known.doc_date else today)),
        reference=known.reference if known else "",
        subject_codes=[str(c) for c in known.subject_codes] if known else [],
        marking=marking.value,
        on=long_date(meeting.start_date) if meeting.start_date == meeting.end_date else _meeting_day(meeting),
        to=_(body_addressee(meeting.body)),
        subject=_("Summary of discussions (Experts)") if meeting.body == "ccwp_experts" else _("Summary of discussions"),
        intro=_("Draft prepared by JCO Tracker from the recorded outcomes; to be completed by the Secretariat."),
        items=_items(meeting, viewer, with_outcomes=True, marking=marking),
        language=current_language(),
    )


def _place(place: str | None) -> str:
    """The city as the note's language writes it (Brussels, Bruxelles); other places as given."""
    place = (place or "").strip() or "Brussels"
    return _(place) if place in _CITIES else place


_CITIES = {N_("Brussels"), N_("Luxembourg")}


# --- DOCX ----------------------------------------------------------------------------------------

def to_docx(note: Note) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Docx()
    doc.core_properties.title = f"{note.reference} {note.subject}".strip()
    doc.core_properties.author = _(SECRETARIAT)
    doc.core_properties.language = note.language
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    for part in (doc.sections[0].header, doc.sections[0].footer):
        if note.marking:
            p = part.paragraphs[0]
            p.text = note.marking
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.runs[0].bold = True

    def para(text: str, *, bold: bool = False, align=None, size: int | None = None, space_after: int = 4):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(space_after)
        return p

    para(_("Council of the European Union"), bold=True, size=13)
    para(f"{note.place_and_date} (OR. {note.language})", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(note.reference or _("(document number not yet known)"), bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, size=13)
    if note.subject_codes:
        para("\n".join(note.subject_codes), bold=True)
    if note.marking:
        para(note.marking, bold=True)
    para(note.doc_type, bold=True, size=13, space_after=10)
    for label, value in note.header_lines:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(2)
        p.add_run(f"{label}:\t").bold = True
        p.add_run(value)
    if note.intro:
        para(note.intro, space_after=10).runs[0].italic = True
    for item in note.items:
        para(f"{item.number}. {item.title}", bold=True, space_after=2)
        for line in item.lines:
            para(line, space_after=2)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------------

# Typographic marks and the letters that do not decompose into a Latin-1 letter plus an accent.
_LATIN1 = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...",
                         "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Œ": "OE", "œ": "oe",
                         "€": "EUR"})


def _latin1(text: str) -> str:
    """For fpdf2's core fonts (no DejaVu installed): keep what Latin-1 can say, approximate the rest."""
    text = text.translate(_LATIN1)
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1") or "?")
    return "".join(out)


# PDFs laid out lately, by what went into them. Before a meeting every delegation fetches the same
# agenda; fpdf2 reads, measures and subsets the font for each file (about 0.2 s), so the same note
# in the same language is laid out once and its file served again (a few dozen files of ~30 KB).
_KEPT_PDFS: OrderedDict[bytes, bytes] = OrderedDict()
_KEPT_PDFS_LOCK = threading.Lock()
KEEP_PDFS = 32


def to_pdf(note: Note, font_dir: Path = FONT_DIR) -> bytes:
    """The note as a PDF. Kept by its content — every field of the note, the language its fixed words
    are written in and the fonts — so a note that differs in anything is laid out anew."""
    key = hashlib.sha256(repr((note, current_language(), str(font_dir))).encode()).digest()
    with _KEPT_PDFS_LOCK:
        if (kept := _KEPT_PDFS.get(key)) is not None:
            _KEPT_PDFS.move_to_end(key)
            return kept
    body = _lay_out_pdf(note, font_dir)
    with _KEPT_PDFS_LOCK:
        _KEPT_PDFS[key] = body
        while len(_KEPT_PDFS) > KEEP_PDFS:
            _KEPT_PDFS.popitem(last=False)
    return body


def _lay_out_pdf(note: Note, font_dir: Path) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
    unicode_font = regular.exists() and bold.exists()
    clean = (lambda s: s) if unicode_font else _latin1

    class CouncilNote(FPDF):
        def header(self):
            if note.marking:
                self.set_font(family, "B", 10)
                self.cell(0, 6, clean(note.marking), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(2)

        def footer(self):
            self.set_y(-15)
            self.set_font(family, "", 9)
            text = f"{note.reference}    {note.marking}    {self.page_no()}".strip()
            self.cell(0, 8, clean(text), align="C")

    pdf = CouncilNote(format="A4")
    if unicode_font:
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        family = "DejaVu"
    else:
        family = "helvetica"
    pdf.set_title(clean(f"{note.reference} {note.subject}".strip()))
    pdf.set_author(clean(_(SECRETARIAT)))
    pdf.set_creator("JCO Tracker")
    pdf.set_lang(note.language)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()

    def write(text: str, *, bold: bool = False, size: int = 11, align: str = "L", after: float = 1.5):
        pdf.set_font(family, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, clean(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(after)

    write(_("Council of the European Union"), bold=True, size=13)
    write(f"{note.place_and_date} (OR. {note.language})", bold=True, align="R")
    write(note.reference or _("(document number not yet known)"), bold=True, size=13, align="R")
    if note.subject_codes:
        write("\n".join(note.subject_codes), bold=True)
    if note.marking:
        write(note.marking, bold=True)
    write(note.doc_type, bold=True, size=13, after=4)
    for label, value in note.header_lines:
        pdf.set_font(family, "B", 11)
        pdf.cell(25, 5.5, clean(f"{label}:"))
        pdf.set_font(family, "", 11)
        pdf.multi_cell(0, 5.5, clean(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    if note.intro:
        write(note.intro, size=10, after=4)
    for item in note.items:
        write(f"{item.number}. {item.title}", bold=True, after=1)
        for line in item.lines:
            write(line, after=0.5)
        pdf.ln(2)
    return bytes(pdf.output())
