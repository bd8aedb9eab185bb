"""The JSON API at /api/v1/: the register, documents, meetings, participation and deadlines to read;
written comments and final-report results to send.

Every request authenticates with a personal bearer token and gets the rights of its account —
never with the session cookie, so a page in someone's browser cannot make API calls on their
behalf (the API is therefore exempt from CSRF tokens). Errors are JSON (jco.api.errors).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from jco import permissions
from jco.accounts.models import Account
from jco.api import auth, deadlines, serializers
from jco.api.errors import ApiError, error_response
from jco.api.schemas import openapi as spec
from jco.api.validation import InvalidInput, parse_body, parse_query
from jco.comments import services as comments
from jco.comments.models import Comment, CommentRound
from jco.core import timeutil
from jco.core.db import contains, get_session
from jco.core.extensions import limiter
from jco.documents.models import Document, StoredFile
from jco.meetings.models import AgendaItem, Meeting
from jco.operations import queries
from jco.operations import results as results_service
from jco.operations.lifecycle import LifecycleError
from jco.operations.models import Commodity, Jco, Organisation, Participant, Role
from jco.operations.services import StaleEdit

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_RATE_LIMIT = "300 per minute"


def _rate_limit() -> str:
    return current_app.config.get("JCO_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def _rate_key() -> str:
    """Per token when one is sent (several clients may share an address), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + auth.token_digest(header)[:32]
    return "api-addr:" + (request.remote_addr or "-")


limiter.limit(_rate_limit, key_func=_rate_key)(bp)

_MESSAGES = {
    400: "The request could not be understood.",
    403: "Your account is not allowed to do this.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request body is larger than this system accepts.",
    415: "Send the body as JSON, with Content-Type: application/json.",
    429: "Too many requests. Wait a minute and try again.",
}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.message, error.fields, error.headers)


def _http_error(error: HTTPException):
    headers = {name: value for name, value in error.get_headers() if name in ("Allow", "Retry-After")}
    message = _MESSAGES.get(error.code, error.name)
    if error.code == 429 and error.description:
        message = f"Too many requests (the limit is {error.description}). Wait a minute and try again."
    return error_response(error.code, message, headers=headers)


# Registered per status so that they win over the pages' HTML error handlers for these codes.
for _code in _MESSAGES:
    bp.register_error_handler(_code, _http_error)


@bp.before_request
def _authenticate():
    if request.endpoint == "api.get_openapi" or request.method == "OPTIONS":
        return None
    try:
        account, _token = auth.authenticate(get_session(), request.headers.get("Authorization"))
    except auth.TokenRejected as rejected:
        return error_response(401, rejected.message, headers={"WWW-Authenticate": rejected.challenge})
    g.api_account = account
    return None


def api_user() -> Account:
    return g.api_account


# --- helpers ---------------------------------------------------------------------------------

def _get(model, ident: int, what: str):
    """The row, or 404 — also for ids no row can have, which must not reach the database."""
    row = get_session().get(model, ident) if 1 <= ident <= spec.MAX_ID else None
    if row is None:
        raise ApiError(404, f"There is no {what} with the id {ident}.")
    return row


def _paginate(query, order_by, values: dict, options=()) -> tuple[list, dict]:
    session = get_session()
    page, per_page = values["page"], values["per_page"]
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(session.scalars(
        query.order_by(*order_by).options(*options).limit(per_page).offset((page - 1) * per_page)
    ))
    pages = max((total + per_page - 1) // per_page, 1)
    args = request.args.to_dict()

    def link(number: int) -> str:
        return url_for(request.endpoint, **{**request.view_args, **args, "page": number})

    meta = {
        "page": page, "per_page": per_page, "total": total, "pages": pages,
        "links": {"next": link(page + 1) if page < pages else None,
                  "prev": link(min(page - 1, pages)) if page > 1 else None},
    }
    return items, meta


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _json_body(schema: dict) -> dict:
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw:
        raise InvalidInput({}, "Send a JSON object as the request body.")
    if not request.is_json:
        raise ApiError(415, _MESSAGES[415])
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise InvalidInput({}, "The request body is not valid JSON.") from None
    return parse_body(schema, body)


def _register_filters(values: dict) -> queries.RegisterFilters:
    return queries.RegisterFilters(
        state=values["state"] or "", lead=(values["lead"] or "").upper(), year=values["year"],
        goods=values["goods"], kind=values["kind"] or "", q=values["q"] or "",
        sort=values.get("sort") or queries.DEFAULT_SORT, page=values.get("page") or 1,
        framework=values.get("framework") or queries.RegisterFilters.framework,
    )


# --- the document --------------------------------------------------------------------------------

@bp.get("/openapi.json")
def get_openapi():
    response = jsonify(spec.document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- JCOs ------------------------------------------------------------------------------------

@bp.get("/jcos")
def list_jcos():
    values = parse_query(spec.LIST_JCOS, request.args)
    filters = _register_filters(values)
    items, meta = _paginate(
        queries.filtered(filters), queries.SORTS[filters.sort], values,
        options=(selectinload(Jco.participants).selectinload(Participant.organisation),
                 selectinload(Jco.commodities)),
    )
    return jsonify(items=[serializers.jco_summary(j) for j in items], **meta)


@bp.get("/jcos/<int:jco_id>")
def get_jco(jco_id: int):
    session = get_session()
    jco = queries.load_jco(session, jco_id) if jco_id <= spec.MAX_ID else None
    if jco is None or not permissions.can_view_jco(api_user(), jco):
        raise ApiError(404, f"There is no JCO with the id {jco_id}.")
    rounds = session.execute(
        select(CommentRound, Document).join(Document, Document.id == CommentRound.document_id)
        .where(CommentRound.jco_id == jco.id).order_by(CommentRound.deadline, CommentRound.id)
    ).all()
    return jsonify(serializers.jco_detail(
        jco, queries.participants_in_order(jco), queries.jco_history(session, jco.id), rounds,
    ))


@bp.post("/jcos/<int:jco_id>/results")
def add_results(jco_id: int):
    session = get_session()
    user = api_user()
    jco = queries.load_jco(session, jco_id) if jco_id <= spec.MAX_ID else None
    if jco is None or not permissions.can_view_jco(user, jco):
        raise ApiError(404, f"There is no JCO with the id {jco_id}.")
    if not permissions.can_add_results(user, jco):
        may_record = permissions.is_secretariat(user) or permissions.leads_jco(user, jco)
        if may_record and not results_service.accepts_results(jco):
            # The right account at the wrong moment: the operation has to run first.
            raise ApiError(422, f"Results are recorded once the operation has run (from the debriefing on); "
                                f"{jco.title} is at “{jco.state_enum.label}”.")
        if may_record:
            raise ApiError(403, f"{jco.title} is closed: only the Secretariat may still correct its results.")
        raise ApiError(403, f"Only the lead delegation of {jco.title} or the Secretariat may record its results.")
    data = _json_body(spec.RESULTS_BODY)
    document = None
    if data.get("document_id") is not None:
        document = session.get(Document, data["document_id"])
        if document is not None and document.jco_id != jco.id:
            raise ApiError(422, f"{document.reference} is not a document of {jco.title}.",
                           fields={"document_id": f"Choose one of the documents of {jco.title}."})
        if document is None:
            raise ApiError(422, "The document is not known.",
                           fields={"document_id": "There is no document with this id."})
    rows = [
        results_service.ResultRow(country=row.get("country"), commodity=row["commodity"],
                                  quantity=float(row["quantity"]), unit=row["unit"])
        for row in data["rows"]
    ]
    try:
        created = results_service.add_results(session, jco, rows, user, document=document,
                                              replace=bool(data.get("replace", False)))
        session.commit()
    except results_service.ResultsError as error:
        session.rollback()
        # Row numbers count from 1; the body's rows array from 0.
        fields = {f"rows[{number - 1}]": message for number, message in error.problems
                  if 1 <= number <= len(rows)}
        raise ApiError(422, str(error), fields=fields) from None
    except LifecycleError as error:  # the state changed since the check above
        session.rollback()
        raise ApiError(422, str(error)) from None
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise ApiError(409, "Someone else changed this operation's results at the same moment. "
                            "Read them again, then send your rows.") from None
    organisations = {o.id: o for o in session.scalars(
        select(Organisation).where(Organisation.id.in_({r.organisation_id for r in created if r.organisation_id})))}
    commodities = dict(session.execute(
        select(Commodity.id, Commodity.name).where(Commodity.id.in_({r.commodity_id for r in created}))).all())
    body = {"items": [serializers.result(r, organisations.get(r.organisation_id), commodities[r.commodity_id])
                      for r in created]}
    return jsonify(body), 201


# --- documents -------------------------------------------------------------------------------

@bp.get("/documents")
def list_documents():
    values = parse_query(spec.LIST_DOCUMENTS, request.args)
    query = select(Document)
    if values["jco"]:
        query = query.where(Document.jco_id == values["jco"])
    if values["reference"]:
        query = query.where(contains(Document.reference, values["reference"].strip()))
    if values["doc_type"]:
        query = query.where(Document.doc_type == values["doc_type"])
    order = (Document.year.desc(), Document.number.desc(), Document.prefix,
             func.coalesce(Document.addendum, 0), func.coalesce(Document.corrigendum, 0),
             func.coalesce(Document.revision, 0), Document.id)
    items, meta = _paginate(query, order, values)
    user = api_user()
    return jsonify(items=[serializers.document_summary(d, user) for d in items], **meta)


def _load_document(document_id: int) -> Document:
    document = None
    if document_id <= spec.MAX_ID:
        document = get_session().scalar(
            select(Document).where(Document.id == document_id)
            .options(selectinload(Document.subject_codes), selectinload(Document.jco))
        )
    if document is None:
        raise ApiError(404, f"There is no document with the id {document_id}.")
    return document


@bp.get("/documents/<int:document_id>")
def get_document(document_id: int):
    session = get_session()
    user = api_user()
    document = _load_document(document_id)
    family = sorted(session.scalars(
        select(Document).where(Document.prefix == document.prefix, Document.number == document.number,
                               Document.year == document.year)
    ), key=lambda d: d.sort_key)
    stored = None
    if document.file_id and permissions.can_view_document_details(user, document):
        # Only the metadata: the bytes stay in the database until someone downloads them.
        stored = session.execute(
            select(StoredFile.filename, StoredFile.size, StoredFile.media_type, StoredFile.sha256)
            .where(StoredFile.id == document.file_id)
        ).one()
    return jsonify(serializers.document_detail(document, user, family, stored))


@bp.get("/documents/<int:document_id>/file")
def get_document_file(document_id: int):
    user = api_user()
    document = _load_document(document_id)
    if document.file_id is None:
        message = (f"This system may not hold files marked {document.marking}: obtain {document.reference} through "
                   "your administration's accredited channel." if document.file_withheld
                   else f"No file has been uploaded for {document.reference}.")
        raise ApiError(404, message)
    if not permissions.can_download_document(user, document):
        raise ApiError(403, f"{document.reference} is marked {document.marking}; your account is not cleared to "
                            "open it.")
    stored = get_session().get(StoredFile, document.file_id)
    response = Response(stored.content, mimetype=stored.media_type or "application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=stored.filename)
    response.headers["X-Content-SHA256"] = stored.sha256
    return response


# --- meetings --------------------------------------------------------------------------------

@bp.get("/meetings")
def list_meetings():
    values = parse_query(spec.LIST_MEETINGS, request.args)
    query = select(Meeting)
    if values["body"]:
        query = query.where(Meeting.body == values["body"])
    if values["from"]:
        query = query.where(Meeting.end_date >= values["from"])
    if values["until"]:
        query = query.where(Meeting.start_date <= values["until"])
    items, meta = _paginate(query, (Meeting.start_date, Meeting.id), values)
    return jsonify(items=[serializers.meeting_summary(m) for m in items], **meta)


@bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int):
    meeting = None
    if meeting_id <= spec.MAX_ID:
        meeting = get_session().scalar(
            select(Meeting).where(Meeting.id == meeting_id).options(
                selectinload(Meeting.items).selectinload(AgendaItem.jco),
                selectinload(Meeting.items).selectinload(AgendaItem.documents),
            )
        )
    if meeting is None:
        raise ApiError(404, f"There is no meeting with the id {meeting_id}.")
    return jsonify(serializers.meeting_detail(meeting, api_user()))


# --- participation and deadlines -------------------------------------------------------------

@bp.get("/participation")
def participation():
    session = get_session()
    values = parse_query(spec.PARTICIPATION, request.args)
    jco_ids = queries.filtered(_register_filters(values)).with_only_columns(Jco.id)
    rows = session.execute(
        select(Organisation, Participant.role, func.count())
        .join(Participant, Participant.organisation_id == Organisation.id)
        .where(Participant.jco_id.in_(jco_ids))
        .group_by(Organisation.id, Participant.role)
    ).all()
    counts: dict[int, dict] = {}
    for org, role, count in rows:
        entry = counts.setdefault(org.id, {"organisation": serializers.organisation(org),
                                           **{r.value: 0 for r in Role}, "total": 0})
        if role in entry:
            entry[role] += count
        # A JCO lists an organisation once (one role), so the roles add up to its JCOs.
        entry["total"] += count
    items = sorted(counts.values(), key=lambda e: (-e["total"], e["organisation"]["name"]))
    total = session.scalar(select(func.count()).select_from(jco_ids.subquery()))
    return jsonify(jcos=total, items=items)


@bp.get("/deadlines")
def list_deadlines():
    values = parse_query(spec.DEADLINES, request.args)
    today = timeutil.today()
    since = values["from"] or today
    rows = deadlines.deadline_rows(get_session(), api_user(), since=since, until=values["until"], today=today)
    return jsonify({"from": since.isoformat(), "until": values["until"].isoformat() if values["until"] else None,
                    "items": rows})


# --- written comments ------------------------------------------------------------------------

@bp.post("/rounds/<int:round_id>/comments")
def submit_comment(round_id: int):
    session = get_session()
    user = api_user()
    round_ = _get(CommentRound, round_id, "round of comments")
    if not permissions.can_comment(user, round_):
        raise ApiError(403, "Only a delegation's delegates send written comments.")
    if not permissions.can_write_comment(user, round_):
        jco = round_.jco
        if not jco.state_enum.is_open:
            raise ApiError(403, f"{jco.title} is {jco.state_enum.label.lower()}: it takes no more comments.")
        raise ApiError(403, "Your account is not cleared to read the document of this round, so it cannot "
                            "comment on it.")
    data = _json_body(spec.COMMENT_BODY)
    if "\x00" in data["body"]:
        raise ApiError(422, "The comment cannot be stored.",
                       fields={"body": "Contains a NUL character, which cannot be stored."})
    existed = session.scalar(select(Comment.id).where(
        Comment.round_id == round_.id, Comment.organisation_id == user.organisation_id))
    try:
        comment = comments.submit_comment(
            session, round_, organisation_id=user.organisation_id, author=user, body=data["body"],
            version=data.get("version"),
        )
        session.commit()
    except StaleEdit as error:
        session.rollback()
        raise ApiError(409, str(error)) from None
    except comments.CommentError as error:
        session.rollback()
        raise ApiError(422, str(error), fields={error.field: str(error)} if error.field else None) from None
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise ApiError(409, "Your delegation's comment was changed by someone else at the same moment. "
                            "Read it again, then send your change.") from None
    organisation = session.get(Organisation, comment.organisation_id)
    return jsonify(serializers.comment(comment, organisation)), (200 if existed else 201)
