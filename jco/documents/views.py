"""A document's page and its file."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from jco import permissions
from jco.db import get_session
from jco.documents.models import Document, StoredFile
from jco.operations.queries import document_families

bp = Blueprint("documents", __name__)


@bp.get("/documents/<int:document_id>")
def detail(document_id: int):
    session = get_session()
    document = session.scalar(
        select(Document).where(Document.id == document_id).options(
            selectinload(Document.subject_codes), selectinload(Document.jco)
        )
    )
    if document is None:
        abort(404)
    family = session.scalars(
        select(Document).where(
            Document.prefix == document.prefix, Document.number == document.number, Document.year == document.year
        )
    ).all()
    file_info = None
    if document.file_id and permissions.can_view_document_details(current_user, document):
        file_info = session.execute(
            select(StoredFile.filename, StoredFile.size, StoredFile.media_type, StoredFile.sha256).where(
                StoredFile.id == document.file_id
            )
        ).one()
    return render_template(
        "documents/detail.html",
        document=document,
        family=document_families(list(family))[0] if family else [],
        file_info=file_info,
        details_visible=permissions.can_view_document_details(current_user, document),
    )
