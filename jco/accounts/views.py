"""Log in and out, the account page, and account management for the Secretariat."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from jco import permissions
from jco.accounts import services
from jco.accounts.forms import AccountForm, ChangePasswordForm, LoginForm, ReminderSettingsForm
from jco.accounts.models import Account
from jco.core.db import get_session
from jco.core.extensions import limiter, login_manager
from jco.core.security import safe_next_url
from jco.operations.models import Organisation
from jco.web.forms import EmptyForm

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    return services.load_for_session(get_session(), user_id)


def _login_key() -> str:
    return (request.form.get("email") or "").strip().lower() or "-"


def _safe_next(target: str | None) -> str:
    return safe_next_url(target) or url_for("mypage.my_page")


def _failed_login(response) -> bool:
    # Only failures count: an office behind one address can still log in all morning, while
    # guessing passwords for one account, or many from one address, is stopped.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_login_key, deduct_when=_failed_login,
               error_message="Too many attempts for this account. Wait a minute and try again.")
@limiter.limit("30 per minute", methods=["POST"], deduct_when=_failed_login,
               error_message="Too many attempts from your address. Wait a minute and try again.")
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        account = services.authenticate(session, form.email.data, form.password.data)
        if account is None:
            form.password.errors.append("The email or the password is not right.")
        else:
            session.commit()
            login_user(account)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    password_form = ChangePasswordForm(prefix="pw")
    reminders_form = ReminderSettingsForm(prefix="rem", reminders_enabled=current_user.reminders_enabled)
    session = get_session()
    if request.method == "POST" and "pw-submit" in request.form and password_form.validate_on_submit():
        try:
            services.change_password(session, current_user, password_form.current.data, password_form.new.data)
        except services.AccountError as error:
            password_form.current.errors.append(str(error))
        else:
            session.commit()
            login_user(current_user)  # the session nonce changed: keep this session
            flash("Your password has been changed. Other sessions of your account have ended.", "success")
            return redirect(url_for("accounts.account"))
    if request.method == "POST" and "rem-submit" in request.form and reminders_form.validate_on_submit():
        current_user.reminders_enabled = bool(reminders_form.reminders_enabled.data)
        session.add(current_user)
        session.commit()
        flash("Your reminder setting has been saved.", "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", password_form=password_form, reminders_form=reminders_form)


def _organisation_choices():
    rows = get_session().scalars(select(Organisation).order_by(Organisation.kind, Organisation.name))
    return [(0, "— none —")] + [(o.id, f"{o.name} ({o.code})") for o in rows]


@bp.route("/accounts", methods=["GET", "POST"])
def list_accounts():
    if not permissions.can_manage_accounts(current_user):
        abort(403)
    session = get_session()
    form = AccountForm()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            services.create_account(
                session, email=form.email.data, password=form.password.data, role=form.role.data,
                name=form.name.data or "", organisation_id=form.organisation_id.data or None,
                clearance=form.clearance.data, actor=current_user,
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            session.commit()
            flash(f"The account {form.email.data} has been created.", "success")
            return redirect(url_for("accounts.list_accounts"))
    accounts = session.scalars(
        select(Account).options(selectinload(Account.organisation)).order_by(Account.email)
    ).all()
    return render_template("accounts/list.html", accounts=accounts, form=form, toggle_form=EmptyForm())


@bp.post("/accounts/<int:account_id>/active")
def toggle_account(account_id: int):
    if not permissions.can_manage_accounts(current_user):
        abort(403)
    session = get_session()
    account = session.get(Account, account_id) or abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.set_active(session, account, not account.active, actor=current_user)
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            session.commit()
            flash(f"{account.email} is now {'enabled' if account.active else 'disabled'}.", "success")
    return redirect(url_for("accounts.list_accounts"))
