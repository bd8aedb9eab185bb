"""The search page: GET /search?q=…"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from jco import permissions
from jco.core.db import get_session
from jco.search import queries

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    if not permissions.can_view(current_user):
        abort(403)
    results = queries.search(get_session(), current_user, request.args.get("q", ""))
    return render_template("search/results.html", results=results)
