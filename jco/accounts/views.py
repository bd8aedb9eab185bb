"""Log in and out, the account page, and account management for the Secretariat and admins."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from jco import permissions
from jco.accounts import queries, services
from jco.accounts.forms import (
    AccountChangeForm,
    AccountForm,
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    ReminderSettingsForm,
)
from jco.accounts.models import Account
from jco.accounts.sessions import renew_session
from jco.core.db import get_session
from jco.core.extensions import limiter, login_manager
from jco.core.security import safe_next_url
from jco.web import saving
from jco.web.forms import EmptyForm

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    return services.load_for_session(get_session(), user_id)


def _safe_next(target: str | None) -> str:
    return safe_next_url(target) or url_for("mypage.my_page")


def _failed_login(response) -> bool:
    # Only failures count: an office behind one address can still log in all morning, while
    # guessing passwords for many accounts from one address is stopped. (Guesses at one account are
    # counted before each check, in services.authenticate.)
    return response.status_code != 302


def _log_in(account: Account) -> None:
    renew_session(session)  # a session id planted before the log-in is worthless after it
    login_user(account)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"], deduct_when=_failed_login,
               error_message=lambda: _("Too many attempts from your address. Wait a minute and try again."))
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            account = services.authenticate(db, form.email.data, form.password.data)
        except services.TooManyAttempts as error:
            form.password.errors.append(str(error))
            return render_template("accounts/login.html", form=form), 429
        if account is None:
            form.password.errors.append(_("The email or the password is not right."))
        else:
            db.commit()
            _log_in(account)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        renew_session(session)  # the stored session ends: a copy of the cookie opens nothing
        flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


def _account_page(password_form, reminders_form, status: int = 200, language_form=None):
    language_form = language_form or LanguageForm(prefix="lang", language=current_user.language)
    return render_template("accounts/account.html", password_form=password_form,
                           reminders_form=reminders_form, language_form=language_form), status


@bp.route("/account", methods=["GET", "POST"])
def account():
    password_form = ChangePasswordForm(prefix="pw")
    reminders_form = ReminderSettingsForm(prefix="rem", reminders_enabled=current_user.reminders_enabled)
    if request.method == "POST" and "pw-submit" in request.form and password_form.validate_on_submit():
        return _change_password(password_form, reminders_form)
    if request.method == "POST" and "lang-submit" in request.form:
        return _change_language(password_form, reminders_form)
    if request.method == "POST" and "rem-submit" in request.form and reminders_form.validate_on_submit():
        services.set_reminders(get_session(), current_user._get_current_object(), bool(reminders_form.reminders_enabled.data))
        get_session().commit()
        flash(_("Your reminder setting has been saved."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(password_form, reminders_form)


def _change_language(password_form, reminders_form):
    form = LanguageForm(prefix="lang")
    if not form.validate_on_submit():
        return _account_page(password_form, reminders_form, 400, language_form=form)
    services.set_language(get_session(), current_user._get_current_object(), form.language.data or "")
    get_session().commit()
    session.pop("lang", None)  # the account's choice now leads; the header switch may change it again
    refresh()  # say it in the language just chosen
    flash(_("Your language has been saved."), "success")
    return redirect(url_for("accounts.account"))


def _change_password(password_form, reminders_form):
    db, me = get_session(), current_user._get_current_object()
    try:
        services.change_password(db, me, password_form.current.data, password_form.new.data)
    except services.AccountError as error:
        password_form.current.errors.append(str(error))
        return _account_page(password_form, reminders_form, 429 if isinstance(error, services.TooManyAttempts) else 200)
    db.commit()
    _log_in(me)  # every stored session of the account ended: this one carries on under a new id
    flash(_("Your password has been changed. Other sessions of your account have ended. Its API tokens and "
            "calendar address no longer work: create new ones if you need them."), "success")
    return redirect(url_for("accounts.account"))


def _accounts_page(form):
    db = get_session()
    return render_template("accounts/list.html", accounts=queries.accounts_with_organisations(db), form=form,
                           toggle_form=EmptyForm())


@bp.route("/accounts", methods=["GET", "POST"])
def list_accounts():
    if not permissions.is_secretariat(current_user):
        abort(403)
    db = get_session()
    form = AccountForm().offer_to(current_user, queries.organisation_choices(db))
    if form.validate_on_submit():
        with saving(form) as saved:
            services.create_account(
                db, email=form.email.data, password=form.password.data, role=form.role.data,
                name=form.name.data or "", organisation_id=form.organisation_id.data or None,
                clearance=form.clearance.data, actor=current_user,
            )
        if saved.ok:
            flash(_("The account %(email)s has been created.", email=form.email.data), "success")
            return redirect(url_for("accounts.list_accounts"))
    return _accounts_page(form)


def _account_or_abort(account_id: int) -> Account:
    if not permissions.is_secretariat(current_user):
        abort(403)
    return get_session().get(Account, account_id) or abort(404)


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
def edit_account(account_id: int):
    account = _account_or_abort(account_id)
    if not permissions.can_manage_account(current_user, account):
        abort(403)
    db = get_session()
    form = AccountChangeForm(obj=account if request.method == "GET" else None)
    form.offer_to(current_user, queries.organisation_choices(db), account)
    if form.validate_on_submit():
        with saving(form) as saved:
            services.update_account(db, account, role=form.role.data, clearance=form.clearance.data,
                                    organisation_id=form.organisation_id.data or None, name=form.name.data or "",
                                    actor=current_user)
        if saved.ok:
            flash(_("The account %(email)s has been saved.", email=account.email), "success")
            return redirect(url_for("accounts.list_accounts"))
    return render_template("accounts/edit.html", account=account, form=form)


@bp.post("/accounts/<int:account_id>/active")
def toggle_account(account_id: int):
    account = _account_or_abort(account_id)
    if EmptyForm().validate_on_submit():
        with saving() as saved:  # a refusal is flashed
            services.set_active(get_session(), account, not account.active, actor=current_user)
        if saved.ok:
            flash(_("%(email)s is now enabled.", email=account.email) if account.active else
                  _("%(email)s is now disabled. Its sessions have ended; its API tokens and calendar address "
                    "no longer work.", email=account.email), "success")
    return redirect(url_for("accounts.list_accounts"))
