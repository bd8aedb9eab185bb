"""The change log: a JCO's own, and the whole log for the Secretariat and administrators. Read-only by design."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from jco import permissions
from jco.audit import queries
from jco.audit.describe import Describer, kind_label
from jco.audit.forms import AuditFilterForm
from jco.core.db import get_session
from jco.core.security import bounded_int
from jco.web import jco_or_abort

bp = Blueprint("audit", __name__)


def _page_number() -> int:
    return bounded_int(request.args.get("page", 1), minimum=1) or 1


@bp.get("/jcos/<int:jco_id>/history")
def jco_history(jco_id: int):
    session = get_session()
    jco = jco_or_abort(jco_id, permissions.can_view_jco_history)
    entries, page = queries.entries_page(session, _page_number(), current_app.config["JCO_PAGE_SIZE"], jco_id=jco_id)
    rows = Describer(queries.named(session, entries), current_user).rows(entries)
    return render_template("audit/jco_history.html", jco=jco, rows=rows, page=page)


@bp.get("/audit")
def log():
    if not permissions.can_view_audit_log(current_user):
        abort(403, _("The audit log is for the Secretariat and administrators."))
    session = get_session()
    form = AuditFilterForm(request.args)
    form.offer([(str(a.id), a.name or a.email) for a in queries.actors(session)],
               sorted(((k, kind_label(k)) for k in queries.actions(session)), key=lambda choice: choice[1].lower()))
    valid = form.validate()
    entries, page = queries.entries_page(session, _page_number(), current_app.config["JCO_PAGE_SIZE"],
                                         filters=form.filters()) if valid else ([], None)
    rows = Describer(queries.named(session, entries), current_user).rows(entries)
    return render_template("audit/log.html", rows=rows, page=page, form=form, args=form.as_args(), valid=valid)
