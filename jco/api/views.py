"""The JSON API at /api/v1/: the register, documents, meetings, participation and deadlines to read;
written comments and final-report results to send.

Every request authenticates with a personal bearer token and gets the rights of its account —
never with the session cookie, so a page in someone's browser cannot make API calls on their
behalf (the API is therefore exempt from CSRF tokens). Errors are JSON (jco.api.errors). What each
route takes and answers is declared with it (jco.api.contract) as pydantic models (jco.api.schemas);
its reads are in jco.api.queries.
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session
from werkzeug.exceptions import HTTPException

from jco import permissions
from jco.accounts.models import Account
from jco.accounts.services import token_digest
from jco.api import auth, deadlines, schemas
from jco.api import queries as api_queries
from jco.api.contract import ITEM_ERRORS, READ_ERRORS, WRITE_ERRORS, Contract, parse_body, parse_query
from jco.api.errors import MESSAGES, ApiError, error_response
from jco.comments import services as comments
from jco.comments.models import CommentRound
from jco.core import timeutil
from jco.core.db import get_session
from jco.core.extensions import limiter
from jco.core.text import N_
from jco.documents.models import Document
from jco.documents.references import DocumentReference, InvalidReference
from jco.operations import queries
from jco.operations import results as results_service
from jco.operations.lifecycle import LifecycleError
from jco.operations.models import Organisation
from jco.operations.services import StaleEdit

bp = Blueprint("api", __name__, url_prefix="/api/v1")
api = Contract(bp)

DEFAULT_RATE_LIMIT = "300 per minute"


def _rate_limit() -> str:
    return current_app.config.get("JCO_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def _rate_key() -> str:
    """Per token when one is sent (several clients may share an address), else per address.

    The token as authentication reads it, not the raw header: spacing or the scheme's case must
    not open a fresh allowance for the same token. A header that holds no token counts against
    the address.
    """
    try:
        secret = auth.bearer_token(request.headers.get("Authorization"))
    except auth.TokenRejected:
        secret = None
    if secret:
        return "api-token:" + token_digest(secret)[:32]
    return "api-addr:" + (request.remote_addr or "-")


limiter.limit(_rate_limit, key_func=_rate_key)(bp)


@contextmanager
def refusals_as_api_errors(session: Session | None = None, *, rows: int = 0, conflict: str = ""):
    """A domain service's refusal as the API says it: the same words as the page, in JSON.

    With a session, the failed change is rolled back first, so a refused request changes nothing.
    """
    try:
        yield
    except (permissions.Refused, StaleEdit, LifecycleError, results_service.ResultsError,
            StaleDataError, IntegrityError) as error:
        if session is not None:
            session.rollback()
        if isinstance(error, results_service.ResultsError):
            # Row numbers count from 1; the body's rows array from 0.
            fields = {f"rows[{number - 1}]": message for number, message in error.problems if 1 <= number <= rows}
            raise ApiError(422, str(error), fields=fields) from None
        if isinstance(error, permissions.Refused):
            raise ApiError(error.status, str(error),
                           fields={error.field: str(error)} if error.field else None) from None
        if isinstance(error, StaleEdit):
            raise ApiError(409, str(error)) from None
        if isinstance(error, LifecycleError):  # the state changed since the check
            raise ApiError(422, str(error)) from None
        raise ApiError(409, conflict) from None


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.message, error.fields, error.headers)


def _http_error(error: HTTPException):
    headers = {name: value for name, value in error.get_headers() if name in ("Allow", "Retry-After")}
    message = _(MESSAGES[error.code]) if error.code in MESSAGES else error.name
    if error.code == 429 and error.description:
        message = _("Too many requests (the limit is %(limit)s). Wait a minute and try again.",
                    limit=error.description)
    return error_response(error.code, message, headers=headers)


# Registered per status so that they win over the pages' HTML error handlers for these codes.
for _code in MESSAGES:
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

# What a 404 says for each kind of row asked for by its id.
NOT_FOUND = {
    "JCO": N_("There is no JCO with the id %(id)d."),
    "document": N_("There is no document with the id %(id)d."),
    "meeting": N_("There is no meeting with the id %(id)d."),
    "round of comments": N_("There is no round of comments with the id %(id)d."),
}


def _not_found(what: str, ident: int) -> ApiError:
    return ApiError(404, _(NOT_FOUND[what], id=ident))


def _found(row, what: str, ident: int):
    """The row, or 404 naming what was asked for."""
    if row is None:
        raise _not_found(what, ident)
    return row


def _register_filters(query: schemas.RegisterQuery, sort: str = queries.DEFAULT_SORT,
                      page: int = 1) -> queries.RegisterFilters:
    return queries.RegisterFilters(
        state=query.state or "", lead=(query.lead or "").upper(), year=query.year, goods=query.goods,
        kind=query.kind or "", q=query.q or "", open_only=bool(query.open), sort=sort, page=page,
        framework=query.framework or queries.RegisterFilters.framework,
    )


def _reference(text: str | None) -> DocumentReference | None:
    """The reference a client asked for; 422 naming the fix when it cannot be read as one."""
    if not (text or "").strip():
        return None
    try:
        return DocumentReference.parse(text)
    except InvalidReference as error:
        raise ApiError(422, _("The reference cannot be read."), fields={"reference": str(error)}) from None


# --- the document --------------------------------------------------------------------------------

@api.get("/openapi.json", summary="This document.", public=True,
         responses={200: ({"application/json": {"schema": {"type": "object"}}}, "The OpenAPI 3.1 document.")})
def get_openapi():
    response = jsonify(api.document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- JCOs ------------------------------------------------------------------------------------

@api.get("/jcos", summary="The register of JCOs, filtered, sorted and paginated like the register page.",
         query=schemas.ListJcosQuery, responses={200: (schemas.JcoPage, "One page of JCOs.")}, errors=READ_ERRORS)
def list_jcos():
    query = parse_query(schemas.ListJcosQuery)
    filters = _register_filters(query, query.sort, query.page)
    items, total = api_queries.page(get_session(), queries.filtered(filters), queries.SORTS[filters.sort],
                                    query.page, query.per_page, options=api_queries.REGISTER_ROWS)
    return schemas.JcoPage(items=[schemas.JcoSummary.of(j) for j in items],
                           **schemas.Paged.meta(total, query.page, query.per_page))


@api.get("/jcos/<int:jco_id>", summary="One JCO with its participants, state, history and rounds of comments.",
         responses={200: (schemas.JcoDetail, "The JCO.")}, errors=ITEM_ERRORS)
def get_jco(jco_id: int):
    session = get_session()
    jco = queries.load_jco(session, jco_id)
    if jco is None or not permissions.can_view_jco(api_user(), jco):
        raise _not_found("JCO", jco_id)
    return schemas.JcoDetail.of(jco, queries.participants_in_order(jco), queries.jco_history(session, jco.id),
                                api_queries.comment_rounds(session, jco.id))


@api.post("/jcos/<int:jco_id>/results", body=schemas.ResultsRequest,
          summary="Record result rows of the JCO's final report (its lead delegation or the Secretariat).",
          responses={201: (schemas.Results, "The rows recorded.")}, errors=WRITE_ERRORS)
def add_results(jco_id: int):
    session, user = get_session(), api_user()
    jco = queries.load_jco(session, jco_id)
    if jco is None or not permissions.can_view_jco(user, jco):
        raise _not_found("JCO", jco_id)
    with refusals_as_api_errors():
        results_service.check_may_add_results(user, jco)  # the service's own rule, asked before reading the body
    data = parse_body(schemas.ResultsRequest)
    document = session.get(Document, data.document_id) if data.document_id is not None else None
    if data.document_id is not None and document is None:
        raise ApiError(422, _("The document is not known."),
                       fields={"document_id": _("There is no document with this id.")})
    rows = [results_service.ResultRow(country=row.country, commodity=row.commodity, quantity=row.quantity,
                                      unit=row.unit) for row in data.rows]
    with refusals_as_api_errors(session, rows=len(rows), conflict=_("Someone else changed this operation's results "
                                "at the same moment. Read them again, then send your rows.")):
        created = results_service.add_results(session, jco, rows, user, document=document, replace=data.replace)
        session.commit()
    organisations, commodities = api_queries.result_labels(session, created)
    return schemas.Results(items=[schemas.Result.of(r, organisations.get(r.organisation_id), commodities[r.commodity_id])
                                  for r in created]), 201


# --- documents -------------------------------------------------------------------------------

@api.get("/documents", summary="Council documents, newest first.", query=schemas.ListDocumentsQuery,
         description="A classified document's title is null for an account without the clearance.",
         responses={200: (schemas.DocumentPage, "One page of documents.")}, errors=(*READ_ERRORS, 422))
def list_documents():
    query = parse_query(schemas.ListDocumentsQuery)
    documents = api_queries.documents(jco_id=query.jco, reference=_reference(query.reference),
                                      doc_type=query.doc_type)
    items, total = api_queries.page(get_session(), documents, api_queries.DOCUMENT_ORDER, query.page, query.per_page)
    user = api_user()
    return schemas.DocumentPage(items=[schemas.DocumentSummary.of(d, user) for d in items],
                                **schemas.Paged.meta(total, query.page, query.per_page))


@api.get("/documents/<int:document_id>", summary="A document's metadata and its family.",
         description="For a classified document the account is not cleared for, the title, date, place, "
                     "language, from, to, subject codes, previous reference and file are withheld (null).",
         responses={200: (schemas.DocumentDetail, "The document.")}, errors=ITEM_ERRORS)
def get_document(document_id: int):
    session = get_session()
    user = api_user()
    document = _found(api_queries.load_document(session, document_id), "document", document_id)
    stored = None
    if document.file_id and permissions.can_view_document_details(user, document):
        stored = api_queries.file_metadata(session, document.file_id)
    return schemas.DocumentDetail.of(document, user, api_queries.family(session, document), stored)


@api.get("/documents/<int:document_id>/file", summary="The document's file.",
         description="403 when the account is not cleared for the document; 404 when no file is held.",
         responses={200: ({"*/*": {"schema": {"type": "string", "format": "binary"}}}, "The file, as uploaded.")},
         errors=(401, 403, 404, 429))
def get_document_file(document_id: int):
    session = get_session()
    document = _found(api_queries.load_document(session, document_id), "document", document_id)
    if document.file_id is None:
        message = (_("This system may not hold files marked %(marking)s: obtain %(reference)s through "
                     "your administration's accredited channel.", marking=document.marking,
                     reference=document.reference) if document.file_withheld
                   else _("No file has been uploaded for %(reference)s.", reference=document.reference))
        raise ApiError(404, message)
    if not permissions.can_download_document(api_user(), document):
        raise ApiError(403, _("%(reference)s is marked %(marking)s; your account is not cleared to open it.",
                              reference=document.reference, marking=document.marking))
    stored = api_queries.stored_file(session, document.file_id)
    response = Response(stored.content, mimetype=stored.media_type or "application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=stored.filename)
    response.headers["X-Content-SHA256"] = stored.sha256
    return response


# --- meetings --------------------------------------------------------------------------------

@api.get("/meetings", summary="Meetings, in date order.", query=schemas.ListMeetingsQuery,
         responses={200: (schemas.MeetingPage, "One page of meetings.")}, errors=READ_ERRORS)
def list_meetings():
    query = parse_query(schemas.ListMeetingsQuery)
    meetings = api_queries.meetings(body=query.body, from_=query.from_, until=query.until)
    items, total = api_queries.page(get_session(), meetings, api_queries.MEETING_ORDER, query.page, query.per_page)
    return schemas.MeetingPage(items=[schemas.MeetingSummary.of(m) for m in items],
                               **schemas.Paged.meta(total, query.page, query.per_page))


@api.get("/meetings/<int:meeting_id>", summary="A meeting with its agenda items.",
         responses={200: (schemas.MeetingDetail, "The meeting.")}, errors=ITEM_ERRORS)
def get_meeting(meeting_id: int):
    meeting = _found(api_queries.load_meeting(get_session(), meeting_id), "meeting", meeting_id)
    return schemas.MeetingDetail.of(meeting, api_user())


# --- participation and deadlines -------------------------------------------------------------

@api.get("/participation", summary="Per delegation or body: the number of JCOs it takes part in, by role.",
         description="Takes the register's filters: the counts cover the JCOs that match them.",
         query=schemas.RegisterQuery, responses={200: (schemas.Participation, "Counts, most active first.")},
         errors=READ_ERRORS)
def participation():
    query = parse_query(schemas.RegisterQuery)
    total, counts = api_queries.participation(get_session(), _register_filters(query))
    items = [schemas.RoleCounts(**{**c, "organisation": schemas.Organisation.of(c["organisation"])}) for c in counts]
    return schemas.Participation(jcos=total, items=items)


@api.get("/deadlines", summary="Deadlines (comments, revisions, final reports, adoptions, set by hand), "
                                "soonest first.", query=schemas.DeadlinesQuery,
         responses={200: (schemas.Deadlines, "The deadlines.")}, errors=READ_ERRORS)
def list_deadlines():
    query = parse_query(schemas.DeadlinesQuery)
    today = timeutil.today()
    since = query.from_ or today
    rows = deadlines.deadline_rows(get_session(), api_user(), since=since, until=query.until, today=today)
    return schemas.Deadlines(from_=since, until=query.until, items=rows)  # type: ignore[call-arg]  # by name: validate_by_name


# --- written comments ------------------------------------------------------------------------

@api.post("/rounds/<int:round_id>/comments", body=schemas.CommentRequest,
          summary="Send (or change) the written comment of the token's delegation in a round.",
          description="Delegates only. One comment per delegation and round; it can be changed until the "
                      "deadline (send the version you read). A comment sent after the deadline is marked late.",
          responses={200: (schemas.Comment, "The comment was changed."), 201: (schemas.Comment, "The comment was added.")},
          errors=WRITE_ERRORS)
def submit_comment(round_id: int):
    session, user = get_session(), api_user()
    round_ = _found(session.get(CommentRound, round_id), "round of comments", round_id)
    existing = comments.find_comment(session, round_, user.organisation_id) if user.organisation_id else None
    # The service's own rule, asked before reading the body; submit_comment asks it again.
    if (refusal := comments.comment_refusal(user, round_, existing, timeutil.today())) is not None:
        raise ApiError(refusal.status, str(refusal))
    data = parse_body(schemas.CommentRequest)
    if "\x00" in data.body:
        raise ApiError(422, _("The comment cannot be stored."),
                       fields={"body": _("Contains a NUL character, which cannot be stored.")})
    with refusals_as_api_errors(session, conflict=_("Your delegation's comment was changed by someone else at the "
                                "same moment. Read it again, then send your change.")):
        comment = comments.submit_comment(session, round_, organisation_id=user.organisation_id, author=user,
                                          body=data.body, version=data.version)
        session.commit()
    organisation = session.get(Organisation, comment.organisation_id)
    return schemas.Comment.of(comment, organisation), (200 if existing else 201)
