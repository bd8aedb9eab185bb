"""The Secretariat's import page: upload → dry-run report → confirm."""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired, Regexp

from jco import permissions
from jco.core.db import get_session
from jco.imports.parsing import COLUMNS
from jco.imports.reading import Limits, UnreadableFile, read_table
from jco.imports.services import import_table, load_stash, plan_import, stash_upload

bp = Blueprint("imports", __name__)


class UploadForm(FlaskForm):
    file = FileField("Register file (CSV or Excel .xlsx)", validators=[
        FileRequired(message="Choose the file to check."),
        FileAllowed(["csv", "xlsx"], message="Upload a .csv or .xlsx file."),
    ])
    submit = SubmitField("Check the file")


class ConfirmForm(FlaskForm):
    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    submit = SubmitField("Import")


def _filename(storage) -> str:
    # Browsers on Windows may send a full path; only the name is shown and kept.
    name = PurePath((storage.filename or "upload").replace("\\", "/")).name
    return name[:255] or "upload"


@bp.route("/import", methods=["GET", "POST"])
def upload():
    if not permissions.can_import(current_user):
        abort(403)
    session = get_session()
    form = UploadForm()
    report = None
    if form.validate_on_submit():
        content = form.file.data.read()
        filename = _filename(form.file.data)
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
    if not permissions.can_import(current_user):
        abort(403)
    session = get_session()
    form = ConfirmForm()
    stash = load_stash(session, form.sha256.data) if form.validate_on_submit() else None
    if stash is None:
        flash("The checked file is no longer here (a checked file is kept for a day, and only until it is "
              "imported). Upload it again.", "error")
        return redirect(url_for("imports.upload"))
    try:
        table = read_table(stash.content, stash.filename, Limits.from_config(current_app.config))
    except UnreadableFile as error:  # pragma: no cover - it was readable when stashed
        flash(str(error), "error")
        return redirect(url_for("imports.upload"))
    report = import_table(session, table, filename=stash.filename, sha256=stash.sha256, actor=current_user)
    session.delete(stash)
    session.commit()
    flash(f"Import of {report.filename} done: {report.summary}.", "success")
    return render_template("imports/upload.html", form=UploadForm(formdata=None), report=report,
                           confirm=None, columns=COLUMNS)
