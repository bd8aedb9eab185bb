"""JCO Tracker: follows EU Joint Customs Operations through the Council's working party."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """The application factory: settings, database, CSRF, login, blueprints and CLI commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    from jco.core import config as settings

    app.config.from_mapping(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)

    from jco.core import cache, db, i18n, security
    from jco.core.extensions import compress, csrf, limiter, login_manager
    from jco.web import assets

    db.init_app(app)
    cache.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    i18n.init_app(app)

    from jco import web

    web.init_app(app)

    from jco.accounts.views import bp as accounts_bp
    from jco.audit.views import bp as audit_bp
    from jco.comments.views import bp as comments_bp
    from jco.dashboards import totals as _totals  # noqa: F401  (keeps the result totals current on every flush)
    from jco.dashboards.views import bp as dashboards_bp
    from jco.deadlines.views import bp as deadlines_bp
    from jco.documents.views import bp as documents_bp
    from jco.imports.views import bp as imports_bp
    from jco.meetings.agenda_views import bp as agendas_bp
    from jco.meetings.views import bp as meetings_bp
    from jco.mypage.views import bp as mypage_bp
    from jco.operations.exports import bp as exports_bp
    from jco.operations.views import bp as operations_bp
    from jco.search import index as _search_index  # noqa: F401  (keeps the index current on every flush)
    from jco.search.views import bp as search_bp
    from jco.web import vendor

    app.register_blueprint(mypage_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(operations_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(dashboards_bp)
    vendor.init_app(app)
    app.register_blueprint(deadlines_bp)
    app.register_blueprint(agendas_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(search_bp)

    from jco import api

    api.init_app(app)

    from jco import cli
    from jco.core import backup

    cli.init_app(app)
    backup.init_app(app)

    return app
