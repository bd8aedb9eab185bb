"""The API tokens section of the account page: create a token (shown once), list and revoke them.

These are pages, not API calls: they use the login session and carry CSRF tokens like every form.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jco import permissions
from jco.accounts.models import ApiToken
from jco.api import auth
from jco.api.forms import CreateTokenForm
from jco.core.db import get_session
from jco.web.forms import EmptyForm

bp = Blueprint("api_tokens", __name__)


@dataclass
class TokenPanel:
    tokens: list[ApiToken]
    create_form: CreateTokenForm
    revoke_form: EmptyForm


def panel() -> TokenPanel:
    """What templates/api/_tokens.html shows; called from the template, so the account view needs no change."""
    return TokenPanel(tokens=auth.active_tokens(get_session(), current_user),
                      create_form=CreateTokenForm(prefix="token"), revoke_form=EmptyForm(prefix="revoke"))


@bp.route("/account/tokens/new", methods=["GET", "POST"])
def create_token():
    if not permissions.can_create_api_token(current_user):
        abort(403)
    form = CreateTokenForm(prefix="token")
    if form.validate_on_submit():
        session = get_session()
        try:
            token, secret = auth.create_token(session, current_user, form.name.data)
        except auth.TokenError as error:
            form.name.errors.append(str(error))
        else:
            session.commit()
            # Rendered, not redirected: the token must not travel through a cookie or a URL.
            return render_template("api/token_created.html", token=token, secret=secret,
                                   api_root=request.url_root.rstrip("/") + url_for("api.list_jcos"))
    return render_template("api/token_new.html", form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    session = get_session()
    token = session.get(ApiToken, token_id)
    if token is None or not permissions.can_revoke_api_token(current_user, token):
        abort(404)
    if EmptyForm(prefix="revoke").validate_on_submit():
        auth.revoke_token(session, token, current_user)
        session.commit()
        flash(_("The token “%(name)s” has been revoked: programs using it can no longer call the API.",
                name=token.name), "success")
    else:
        flash(_("The form had expired. Please try again."), "error")
    return redirect(url_for("accounts.account") + "#api-tokens-h")
