"""Rows as the JSON the API publishes (shapes declared in jco.api.schemas.openapi).

Whatever the pages withhold from an account, these withhold too: they ask the same predicates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import url_for

from jco import permissions
from jco.accounts.models import Account
from jco.comments.models import Comment, CommentRound
from jco.documents.models import Document, StoredFile
from jco.meetings.models import AgendaItem, Meeting
from jco.operations.lifecycle import State
from jco.operations.models import Jco, JcoEvent, Organisation, Participant, Result


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns UTC datetimes without their zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def hh_mm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def organisation(org: Organisation) -> dict:
    return {"code": org.code, "name": org.name, "kind": org.kind}


def jco_ref(jco: Jco) -> dict:
    return {"id": jco.id, "title": jco.title, "url": url_for("api.get_jco", jco_id=jco.id)}


def jco_summary(jco: Jco) -> dict:
    """Needs participants (with organisations) and commodities loaded."""
    return {
        "id": jco.id,
        "name": jco.name,
        "edition": jco.edition,
        "title": jco.title,
        "kind": jco.kind,
        "state": jco.state,
        "state_label": State(jco.state).label,
        "year": jco.year,
        "planned_start": iso_date(jco.planned_start),
        "planned_end": iso_date(jco.planned_end),
        "actual_start": iso_date(jco.actual_start),
        "actual_end": iso_date(jco.actual_end),
        "leads": [organisation(p.organisation) for p in jco.leads],
        "commodities": sorted(c.name for c in jco.commodities),
        "updated_at": iso_datetime(jco.updated_at),
        "url": url_for("api.get_jco", jco_id=jco.id),
    }


def participant(p: Participant) -> dict:
    return {"organisation": organisation(p.organisation), "role": p.role, "agency": p.agency}


def history_event(event: JcoEvent, actor_email: str | None, meeting: Meeting | None,
                  document: Document | None) -> dict:
    return {
        "at": iso_datetime(event.at),
        "on": iso_date(event.on),
        "transition": event.transition,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "body": event.body,
        "note": event.note,
        "actor": actor_email,
        "meeting": meeting_ref(meeting) if meeting else None,
        # A reference is never withheld, on the pages either; the title may be.
        "document": {"id": document.id, "reference": document.reference,
                     "url": url_for("api.get_document", document_id=document.id)} if document else None,
    }


def comment_round(round_: CommentRound, document: Document) -> dict:
    return {
        "id": round_.id,
        "deadline": iso_date(round_.deadline),
        "document": {"id": document.id, "reference": document.reference,
                     "url": url_for("api.get_document", document_id=document.id)},
        "comments_url": url_for("api.submit_comment", round_id=round_.id),
    }


def jco_detail(jco: Jco, participants: list[Participant], history: list, rounds: list) -> dict:
    return {
        **jco_summary(jco),
        "version": jco.version,
        "description": jco.description,
        "report_prior_body": jco.report_prior_body,
        "debriefing_date": iso_date(jco.debriefing_date),
        "debriefing_place": jco.debriefing_place,
        "withdrawn_reason": jco.withdrawn_reason,
        "postponed_reason": jco.postponed_reason,
        "cancelled_reason": jco.cancelled_reason,
        "report_next_body": jco.report_next_body,
        "action": {"code": jco.action.code, "title": jco.action.title} if jco.action else None,
        "transport_modes": sorted(m.name for m in jco.transport_modes),
        "projects": [{"acronym": p.acronym, "name": p.name, "funded_by": p.funded_by} for p in jco.projects],
        "participants": [participant(p) for p in participants],
        "history": [history_event(*row) for row in history],
        "comment_rounds": [comment_round(r, d) for r, d in rounds],
        "documents_url": url_for("api.list_documents", jco=jco.id),
    }


def document_summary(document: Document, user: Account) -> dict:
    visible = permissions.can_view_document_details(user, document)
    return {
        "id": document.id,
        "reference": document.reference,
        "doc_type": document.doc_type,
        "marking": document.marking,
        "title": document.title if visible else None,
        "details_withheld": not visible,
        "jco_id": document.jco_id,
        "has_file": document.file_id is not None,
        "file_withheld": document.file_withheld,
        "url": url_for("api.get_document", document_id=document.id),
        "file_url": url_for("api.get_document_file", document_id=document.id)
        if permissions.can_download_document(user, document) else None,
    }


def document_detail(document: Document, user: Account, family: list[Document], stored: StoredFile | None) -> dict:
    """``stored`` holds the file's metadata; pass None when the account may not see it."""
    visible = permissions.can_view_document_details(user, document)
    details = {
        "doc_date": iso_date(document.doc_date),
        "place": document.place,
        "original_language": document.original_language,
        "from": document.from_text,
        "to": document.to_text,
        "subject_codes": [{"series": c.series, "number": c.number, "year": c.year} for c in document.subject_codes],
        "previous_reference": document.previous_reference,
    }
    if not visible:
        # Exactly what the document page leaves out for an account without the clearance.
        details = {key: ([] if key == "subject_codes" else None) for key in details}
    return {
        **document_summary(document, user),
        **details,
        "made_public_on": iso_date(document.made_public_on),
        "partially_public": document.partially_public,
        "jco": jco_ref(document.jco) if document.jco else None,
        "file": {"filename": stored.filename, "size": stored.size, "media_type": stored.media_type,
                 "sha256": stored.sha256} if stored and visible else None,
        "family": [{"id": d.id, "reference": d.reference, "marking": d.marking,
                    "url": url_for("api.get_document", document_id=d.id)} for d in family],
    }


def meeting_ref(meeting: Meeting) -> dict:
    return {"id": meeting.id, "title": meeting.display_title, "start_date": iso_date(meeting.start_date),
            "url": url_for("api.get_meeting", meeting_id=meeting.id)}


def meeting_summary(meeting: Meeting) -> dict:
    return {
        "id": meeting.id,
        "body": meeting.body,
        "title": meeting.display_title,
        "start_date": iso_date(meeting.start_date),
        "end_date": iso_date(meeting.end_date),
        "start_time": hh_mm(meeting.start_time),
        "end_time": hh_mm(meeting.end_time),
        "timezone": meeting.timezone,
        "place": meeting.place,
        "notice_reference": meeting.notice_reference,
        "url": url_for("api.get_meeting", meeting_id=meeting.id),
    }


def agenda_item(item: AgendaItem, user: Account) -> dict:
    return {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "purpose": item.purpose,
        "outcome": item.outcome,
        "note": item.note,
        "jco": jco_ref(item.jco) if item.jco else None,
        "documents": [document_summary(d, user) for d in item.documents],
    }


def meeting_detail(meeting: Meeting, user: Account) -> dict:
    return {**meeting_summary(meeting), "items": [agenda_item(i, user) for i in meeting.items]}


def comment(c: Comment, org: Organisation) -> dict:
    return {
        "id": c.id,
        "round_id": c.round_id,
        "organisation": organisation(org),
        "body": c.body,
        "late": c.late,
        "submitted_at": iso_datetime(c.submitted_at),
        "updated_at": iso_datetime(c.updated_at),
        "version": c.version,
    }


def result(r: Result, org: Organisation | None, commodity_name: str) -> dict:
    return {
        "id": r.id,
        "jco_id": r.jco_id,
        "document_id": r.document_id,
        "country": org.code if org else None,
        "commodity": commodity_name,
        "quantity": r.quantity,
        "unit": r.unit,
        "year": r.year,
    }
