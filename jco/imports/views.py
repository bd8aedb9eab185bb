"""The Secretariat's import page: upload → dry-run report → confirm."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jco import permissions
from jco.core.db import get_session
from jco.imports.forms import ConfirmForm, UploadForm
from jco.imports.parsing import COLUMNS
from jco.imports.reading import Limits, UnreadableFile, read_table
from jco.imports.services import import_table, load_stash, plan_import, stash_upload

bp = Blueprint("imports", __name__)


@bp.route("/import", methods=["GET", "POST"])
def upload():
    if not permissions.is_secretariat(current_user):
        abort(403)
    session = get_session()
    form = UploadForm()
    report = None
    if form.validate_on_submit():
        content = form.file.data.read()
        filename = form.filename
        try:
            table = read_table(content, filename, Limits.from_config(current_app.config))
        except UnreadableFile as error:
            form.file.errors.append(str(error))
        else:
            digest = stash_upload(session, content, filename, current_user)
            report = plan_import(session, table, filename=filename, sha256=digest)
            session.commit()  # the stash only: the plan changed nothing
    return render_template("imports/upload.html", form=form, report=report,
                           confirm=ConfirmForm(sha256=report.sha256 if report else ""), columns=COLUMNS)


@bp.post("/import/confirm")
def confirm():
    if not permissions.is_secretariat(current_user):
        abort(403)
    session = get_session()
    form = ConfirmForm()
    stash = load_stash(session, form.sha256.data) if form.validate_on_submit() else None
    if stash is None:
        flash(_("The checked file is no longer here (a checked file is kept for a day, and only until it is "
                "imported). Upload it again."), "error")
        return redirect(url_for("imports.upload"))
    try:
        table = read_table(stash.content, stash.filename, Limits.from_config(current_app.config))
    except UnreadableFile as error:  # pragma: no cover - it was readable when stashed
        flash(str(error), "error")
        return redirect(url_for("imports.upload"))
    report = import_table(session, table, filename=stash.filename, sha256=stash.sha256, actor=current_user)
    session.delete(stash)
    session.commit()
    flash(_("Import of %(file)s done: %(summary)s.", file=report.filename, summary=report.summary), "success")
    return render_template("imports/upload.html", form=UploadForm(formdata=None), report=report,
                           confirm=None, columns=COLUMNS)
