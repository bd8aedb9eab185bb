"""My page (the home page of every account), and watching an operation."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jco import permissions
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.deadlines.services import Settings
from jco.mypage import digest, queries, watching
from jco.mypage.forms import DigestForm
from jco.web import jco_or_abort
from jco.web.forms import EmptyForm

bp = Blueprint("mypage", __name__)


@bp.get("/")
def my_page():
    session = get_session()
    page = queries.my_page(session, current_user, today(), Settings.from_config(current_app.config))
    session.commit()  # the visit, so that the next one lists what changed after it
    return render_template("mypage/my_page.html", page=page, today=today(), action_form=EmptyForm())


def _set_watching(jco_id: int, watch: bool):
    jco = jco_or_abort(jco_id, permissions.can_watch)
    form = EmptyForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            watching.set_watching(session, current_user, jco, watch)
            session.commit()
        except watching.WatchError as error:
            session.rollback()
            flash(str(error), "error")
        else:
            flash(_("You are now watching JCO %(jco)s: its changes appear on My page.", jco=jco.title) if watch
                  else _("You no longer watch JCO %(jco)s.", jco=jco.title), "success")
    return redirect(url_for("operations.detail", jco_id=jco.id))


@bp.post("/jcos/<int:jco_id>/watch")
def watch(jco_id: int):
    return _set_watching(jco_id, True)


@bp.post("/jcos/<int:jco_id>/unwatch")
def unwatch(jco_id: int):
    return _set_watching(jco_id, False)


@bp.post("/account/digest")
def set_digest():
    form = DigestForm()
    if form.validate_on_submit():
        session = get_session()
        digest.set_digest(session, current_user, form.enabled.data == "1")
        session.commit()
        flash(_("You will receive the daily digest of changes.") if form.enabled.data == "1"
              else _("You will no longer receive the daily digest."), "success")
    else:
        flash(_("Nothing was changed: choose to turn the digest on or off."), "error")
    return redirect(url_for("accounts.account", _anchor="digest-h"))


@bp.app_template_global()
def digest_enabled_for(account) -> bool:
    return digest.digest_enabled(get_session(), account)
