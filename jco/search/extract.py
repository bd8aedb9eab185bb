"""The text of a stored PDF or DOCX file, for the search index. Pure: bytes in, text out.

pypdf reads PDFs (pure Python, already used by the tests to read our own exports); python-docx,
which the app already uses to write agendas, reads DOCX paragraphs and tables. A file neither can
read (a scanned PDF, a damaged file) gives no text rather than an error: the upload still counts.
"""

from __future__ import annotations

import io
import logging

from jco.search.text import MAX_TERMS_CHARS

log = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= MAX_TERMS_CHARS:
            break
    return "\n".join(parts)


def _docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(p for p in parts if p)


READERS = {PDF: _pdf_text, DOCX: _docx_text}


def file_text(content: bytes, media_type: str) -> str:
    reader = READERS.get(media_type)
    if reader is None or not content:
        return ""
    try:
        return reader(content)[:MAX_TERMS_CHARS]
    except Exception:  # noqa: BLE001 - any unreadable file is simply not searchable
        log.warning("could not read the text of a %s file for search", media_type, exc_info=True)
        return ""
