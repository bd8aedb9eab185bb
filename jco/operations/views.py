"""The register of JCOs and the page of one JCO."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from jco import permissions
from jco.db import get_session
from jco.operations import queries
from jco.operations.lifecycle import State
from jco.operations.models import JcoKind

bp = Blueprint("operations", __name__)


@bp.get("/jcos")
def register():
    session = get_session()
    filters = queries.RegisterFilters.from_args(request.args)
    page = queries.register_page(session, filters, current_app.config["JCO_PAGE_SIZE"])
    return render_template(
        "operations/register.html",
        page=page,
        filters=filters,
        options=queries.filter_options(session),
        states=list(State),
        kinds=list(JcoKind),
        sorts=queries.SORTS,
    )


@bp.get("/jcos/<int:jco_id>")
def detail(jco_id: int):
    session = get_session()
    jco = queries.load_jco(session, jco_id)
    if jco is None or not permissions.can_view_jco(current_user, jco):
        abort(404)
    documents = queries.jco_documents(session, jco_id)
    return render_template(
        "operations/detail.html",
        jco=jco,
        participants=queries.participants_in_order(jco),
        families=queries.document_families(documents),
        agenda_items=queries.jco_agenda_items(session, jco_id),
        history=queries.jco_history(session, jco_id),
    )
