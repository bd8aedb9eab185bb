"""What an uploaded file really is, decided from its bytes; and the names it is stored under."""

import pytest

from jco.documents import files
from jco.documents.files import FileRejected, check_content, safe_filename, sniff
from jco.documents.placeholders import placeholder_pdf
from tests import filedata


@pytest.mark.parametrize(("content", "kind"), [
    (filedata.PDF, "pdf"),
    (filedata.docx(), "docx"),
    (filedata.odt(), "odt"),
])
def test_accepted_kinds_are_recognised_from_content(content, kind):
    assert sniff(content)[0] == kind
    assert check_content(content).extension == kind


@pytest.mark.parametrize(("content", "looks_like"), [
    (filedata.EXE, "a Windows program (EXE)"),
    (filedata.HTML, "a web page (HTML)"),
    (filedata.xlsx(), "an Excel spreadsheet (XLSX)"),
    (filedata.plain_zip(), "a ZIP archive"),
    (b"PK\x03\x04 truncated", "a damaged ZIP archive"),
    (b"just some words\n", "plain text"),
    (bytes(range(256)) * 4, "a file of an unknown kind"),
])
def test_other_content_is_refused_saying_what_it_looks_like(content, looks_like):
    with pytest.raises(FileRejected) as refused:
        check_content(content)
    assert str(refused.value) == f"This file is not a PDF, DOCX or ODT document (it looks like {looks_like})."


def test_allowed_kinds_can_be_narrowed():
    with pytest.raises(FileRejected, match=r"^This file is not a PDF document \(it looks like a DOCX document\)"):
        check_content(filedata.docx(), allowed=("pdf",))


def test_pdf_header_must_come_first():
    # A page that merely mentions %PDF- is not a PDF.
    with pytest.raises(FileRejected):
        check_content(b"<html>%PDF-1.4</html>")


def test_empty_file_is_refused():
    with pytest.raises(FileRejected, match="The file is empty"):
        check_content(b"")


def test_size_limit_without_app_is_twenty_megabytes():
    assert files.max_upload_bytes() == 20 * 1024 * 1024
    too_big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024)
    with pytest.raises(FileRejected, match=r"^The file is larger than 20 MB\.$"):
        check_content(too_big)


@pytest.mark.parametrize(("original", "kind", "stored"), [
    ("../../etc/passwd.pdf", "pdf", "etc_passwd.pdf"),
    ("..\\..\\windows\\system32\\evil.pdf", "pdf", "windows_system32_evil.pdf"),
    ("/absolute/path/report.pdf", "pdf", "absolute_path_report.pdf"),
    ("business case.DOCX", "docx", "business_case.docx"),
    ("report.docx", "pdf", "report.pdf"),  # a PDF sent under a .docx name is stored as what it is
    ("Übersicht Österreich.odt", "odt", "Ubersicht_Osterreich.odt"),
    ("..", "pdf", "document.pdf"),
    ("", "odt", "document.odt"),
    (None, "pdf", "document.pdf"),
    ("x" * 300 + ".pdf", "pdf", "x" * files.MAX_FILENAME_LENGTH + ".pdf"),
])
def test_stored_names_are_harmless_and_carry_the_real_extension(original, kind, stored):
    assert safe_filename(original, files.KINDS[kind]) == stored


def test_placeholder_pdf_is_a_pdf_and_labelled():
    pdf = placeholder_pdf("6512/15", "Final report (draft) — with “quotes”")
    assert sniff(pdf)[0] == "pdf"
    assert b"DEMO PLACEHOLDER" in pdf and b"Final report \\(draft\\) - with \"quotes\"" in pdf
    assert pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(("n_bytes", "label"), [
    (20 * 1024 * 1024, "20 MB"), (int(2.5 * 1024 * 1024), "2.5 MB"), (4000, "3 KB"), (10, "1 KB"),
])
def test_size_labels(n_bytes, label):
    assert files.size_label(n_bytes) == label
