"""Accepting uploaded files: what they really are, how big, under which name, and where they go.

The type is read from the bytes, never from the name or the browser's content type: both are
chosen by the sender. Bytes are stored in a StoredFile row of the request's own transaction, so
a request that fails leaves no file behind and a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import filetype
from babel.numbers import format_decimal
from flask import current_app, has_app_context
from sqlmodel import Session
from werkzeug.utils import secure_filename

from jco.core.dates import current_locale
from jco.core.text import N_, _
from jco.documents.models import Marking, StoredFile
from jco.search.extract import file_text

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_STORED_MARKING = Marking.LIMITE
MAX_FILENAME_LENGTH = 120


@dataclass(frozen=True)
class FileKind:
    name: str  # the label people know: "PDF", "DOCX", "ODT"
    extension: str
    media_type: str


KINDS = {
    "pdf": FileKind("PDF", "pdf", "application/pdf"),
    "docx": FileKind("DOCX", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": FileKind("ODT", "odt", "application/vnd.oasis.opendocument.text"),
}
_ODT_MIMETYPE = KINDS["odt"].media_type.encode("ascii")

# What the commonest refused files are, in words a delegate recognises.
_DESCRIPTIONS = {
    "exe": N_("a Windows program (EXE)"),
    "elf": N_("a Linux program"),
    "zip": N_("a ZIP archive"),
    "doc": N_("an old Word document (DOC)"),
    "xlsx": N_("an Excel spreadsheet (XLSX)"),
    "xls": N_("an old Excel spreadsheet (XLS)"),
    "ods": N_("an OpenDocument spreadsheet (ODS)"),
    "pptx": N_("a PowerPoint presentation (PPTX)"),
    "odp": N_("an OpenDocument presentation (ODP)"),
    "rtf": N_("an RTF document"),
    "epub": N_("an e-book (EPUB)"),
    "ps": N_("a PostScript file"),
}


class FileRejected(ValueError):
    """An upload that cannot be accepted; the message is meant for the person who sent it."""


class Upload(Protocol):
    """What we need of werkzeug's FileStorage (and of anything else that carries an upload)."""

    filename: str | None
    stream: BinaryIO


def max_upload_bytes() -> int:
    if has_app_context():
        return int(current_app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES)
    return DEFAULT_MAX_BYTES


def size_label(n_bytes: int) -> str:
    """``3 KB``, ``1.5 MB`` (``1,5 Mo`` in French)."""
    if n_bytes < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(n_bytes // 1024, 1), locale=current_locale()))
    megabytes = round(n_bytes / (1024 * 1024), 1)
    return _("%(size)s MB", size=format_decimal(megabytes, format="#,##0.#", locale=current_locale()))


def kilobytes(n_bytes: int) -> str:
    """A stored file's size as its page shows it: ``12.3 KB`` (``12,3 Ko``)."""
    return _("%(size)s KB", size=format_decimal(round(n_bytes / 1024, 1), format="#,##0.0", locale=current_locale()))


def max_stored_marking() -> Marking:
    """The highest marking this deployment is accredited to hold files of."""
    if has_app_context():
        return Marking(current_app.config.get("JCO_MAX_STORED_MARKING", DEFAULT_MAX_STORED_MARKING) or "")
    return DEFAULT_MAX_STORED_MARKING


def may_store_files_marked(marking: Marking | str) -> bool:
    return Marking(marking or "").rank <= max_stored_marking().rank


def _zip_kind(content: bytes) -> str | None:
    """'docx', 'odt', 'zip' for other archives, or None when the bytes are not a readable ZIP.

    Only the member list and the tiny ``mimetype`` member are read, never the members' contents,
    so a ZIP bomb costs nothing here.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    with archive.open(info) as member:
                        if member.read(100).strip() == _ODT_MIMETYPE:
                            return "odt"
            return "zip"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, NotImplementedError, EOFError, OSError,
            RuntimeError):
        return None


def sniff(content: bytes) -> tuple[str | None, str]:
    """The file's kind ('pdf', 'docx', 'odt' or None) and a description of what it looks like
    (in the reader's language)."""
    if content.startswith(b"%PDF-"):
        return "pdf", _("a %(kind)s document", kind="PDF")
    if content.startswith(b"PK\x03\x04"):
        kind = _zip_kind(content)
        if kind in KINDS:
            return kind, _("a %(kind)s document", kind=KINDS[kind].name)
        if kind is None:
            return None, _("a damaged ZIP archive")
        guessed = filetype.guess(content)
        if guessed is not None and guessed.extension in _DESCRIPTIONS:
            return None, _(_DESCRIPTIONS[guessed.extension])
        return None, _(_DESCRIPTIONS["zip"])
    guessed = filetype.guess(content)
    if guessed is not None:
        if guessed.extension in _DESCRIPTIONS:
            return None, _(_DESCRIPTIONS[guessed.extension])
        return None, _("a %(kind)s file (%(mime)s)", kind=guessed.extension.upper(), mime=guessed.mime)
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return None, _("a web page (HTML)")
    if head.startswith(b"<"):
        return None, _("an XML or HTML file")
    try:
        content[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return None, _("a file of an unknown kind")
    return None, _("plain text")


def _allowed_names(allowed: tuple[str, ...]) -> str:
    names = [KINDS[a].name for a in allowed]
    return names[0] if len(names) == 1 else _("%(names)s or %(last)s", names=", ".join(names[:-1]), last=names[-1])


def safe_filename(original: str | None, kind: FileKind) -> str:
    """A name that is safe on every file system and ends with the file's real extension.

    ``../../etc/passwd.pdf`` becomes ``etc_passwd.pdf``; a PDF sent as ``report.docx`` is named
    ``report.pdf``, so that it opens in the right program when downloaded.
    """
    # Windows browsers may send a full path with backslashes; keep its parts apart.
    cleaned = secure_filename((original or "").replace("\\", "/"))
    stem = cleaned.rsplit(".", 1)[0] if "." in cleaned else cleaned
    stem = stem.strip("._-")[:MAX_FILENAME_LENGTH] or "document"
    return f"{stem}.{kind.extension}"


def check_content(content: bytes, *, allowed: tuple[str, ...] = ("pdf", "docx", "odt")) -> FileKind:
    """The kind of ``content`` if it is acceptable, or FileRejected saying why not."""
    limit = max_upload_bytes()
    if not content:
        raise FileRejected(_("The file is empty. Choose the document's file again."))
    if len(content) > limit:
        raise FileRejected(_("The file is larger than %(limit)s.", limit=size_label(limit)))
    kind_name, looks_like = sniff(content)
    if kind_name not in allowed:
        raise FileRejected(_("This file is not a %(kinds)s document (it looks like %(looks_like)s).",
                             kinds=_allowed_names(allowed), looks_like=looks_like))
    return KINDS[kind_name]


def store_bytes(
    session: Session, content: bytes, filename: str | None, *, allowed: tuple[str, ...] = ("pdf", "docx", "odt")
) -> StoredFile:
    kind = check_content(content, allowed=allowed)
    stored = StoredFile(
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type=kind.media_type,
        filename=safe_filename(filename, kind),
        content=content,
        text=file_text(content, kind.media_type),
    )
    session.add(stored)
    session.flush()
    return stored


def read_upload(file_storage: Upload) -> bytes:
    """The upload's bytes, reading at most one byte more than the limit (enough to refuse it)."""
    limit = max_upload_bytes()
    content = file_storage.stream.read(limit + 1)
    if len(content) > limit:
        raise FileRejected(_("The file is larger than %(limit)s.", limit=size_label(limit)))
    return content


def store_upload(
    session: Session, file_storage: Upload, *, allowed: tuple[str, ...] = ("pdf", "docx", "odt")
) -> StoredFile:
    """Check an uploaded file and add it to the session (flushed, not committed)."""
    return store_bytes(session, read_upload(file_storage), file_storage.filename, allowed=allowed)


def has_upload(file_storage: Upload | None) -> bool:
    """True when the person chose a file (browsers send an empty part when they did not)."""
    return file_storage is not None and bool(getattr(file_storage, "filename", None))
