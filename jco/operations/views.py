"""The register, the page of one JCO, and the forms that take a JCO through its life cycle.

Every handler goes: load → check permission → validate the form → one service call → commit →
redirect. On a refusal the session is rolled back and the form shown again with the user's input.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from jco import permissions
from jco.comments import queries as comment_queries
from jco.comments.forms import open_round_form_for
from jco.core import cache
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.deadlines import services as deadline_services
from jco.meetings.models import OUTCOME_LABELS
from jco.mypage import queries as mypage_queries
from jco.mypage import steps
from jco.operations import lifecycle, queries, results, services
from jco.operations.forms import JcoForm, OperationForm, ParticipantsForm, ResultsForms, TransitionForm
from jco.operations.frameworks import FILTER_CHOICES
from jco.operations.lifecycle import State, Transition
from jco.operations.models import JcoKind, Organisation
from jco.operations.page import jco_page
from jco.web import jco_or_abort, saving

bp = Blueprint("operations", __name__)


DUPLICATE_JCO = _l("There is already an operation with this name and edition.")


@bp.get("/jcos")
def register():
    session = get_session()
    filters = queries.RegisterFilters.from_args(request.args)
    version = cache.current_version(session)
    per_page = current_app.config["JCO_PAGE_SIZE"]
    page = queries.register_page(session, filters, per_page, version)
    options = queries.filter_options(session, version)
    return render_template(
        "operations/register.html",
        page=page,
        filters=filters,
        version=version,
        listing=filters.listing(per_page),
        options=options,
        lead_choices=queries.lead_choices(options),
        states=list(State),
        kinds=list(JcoKind),
        frameworks=FILTER_CHOICES,
        sorts=queries.SORTS,
    )


@bp.get("/jcos/<int:jco_id>")
def detail(jco_id: int):
    return _render_detail(jco_id)


def _render_detail(jco_id: int, transition_forms: dict | None = None, status: int = 200):
    """What every reader sees comes from jco.operations.page (cached until the data changes); what
    this reader may do, and the results at their clearance, are added here."""
    session = get_session()
    now, version = today(), cache.current_version(session)
    page = jco_page(session, jco_id, now, deadline_services.Settings.from_config(current_app.config), version)
    if page is None or not permissions.can_view_jco(current_user, page.jco):
        abort(404)
    jco = page.jco
    actions = [t for t in lifecycle.available_transitions(jco.state) if permissions.can_transition(current_user, jco, t)]
    forms = {t: TransitionForm(t, formdata=None) for t in actions} | (transition_forms or {})
    return render_template(
        "operations/detail.html", jco=jco, participants=page.participants, families=page.families,
        agenda_items=page.agenda_items, history=page.history, transitions=actions, transition_forms=forms,
        results=_results_summary(session, jco_id, version),
        rounds=comment_queries.with_responses(session, page.rounds, current_user),
        round_form=open_round_form_for(session, jco, current_user), deadlines=page.deadlines, today=now,
        deadline_actions=steps.deadline_actions(session, current_user, page.deadlines, now,
                                                jcos={jco.id: jco}),  # type: ignore[dict-item]
        extras=mypage_queries.jco_page_extras(session, current_user, jco, now, page.deadlines, page.facts, version),
        body_labels=lifecycle.BODY_LABELS, outcome_labels=OUTCOME_LABELS, version=version,
    ), status


def _results_summary(session, jco_id: int, version: int | None) -> queries.ResultsSummary:
    """Three aggregates over what may be thousands of result rows: cached until the data changes
    (jco.core.cache), per clearance, so nobody is served sums that count documents they may not see."""
    cleared = tuple(permissions.markings_cleared_for(current_user))
    return cache.cached(session, ("jco_results", jco_id, cleared),
                        lambda: queries.jco_results_summary(session, jco_id, list(cleared)), version=version)


# --- creating and editing ---------------------------------------------------------------------

@bp.route("/jcos/new", methods=["GET", "POST"])
def create():
    if not permissions.can_create_jco(current_user):
        abort(403)
    session = get_session()
    choose_lead = permissions.is_secretariat(current_user)
    form = JcoForm.for_new().offer(queries.jco_form_choices(session, choose_lead=choose_lead))
    own = None if choose_lead else session.get(Organisation, current_user.organisation_id)
    if form.validate_on_submit():
        lead = session.get(Organisation, form.lead_id.data) if choose_lead else own
        with saving(form, duplicate=DUPLICATE_JCO, field="name") as saved:
            jco = services.create_jco(session, form.details(), current_user, lead=lead,
                                      lead_agency=form.lead_agency.data or "")
        if saved.ok:
            flash(_("The operation %(jco)s has been created. It is at “%(state)s”.", jco=jco.title,
                    state=_(State(jco.state).label)), "success")
            return redirect(url_for("operations.detail", jco_id=jco.id))
    return render_template("operations/jco_form.html", form=form, jco=None, own_organisation=own,
                           known_goods=results.known_vocabulary(session, current_user)[0])


@bp.route("/jcos/<int:jco_id>/edit", methods=["GET", "POST"])
def edit(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_edit_jco)
    session = get_session()
    form = JcoForm.for_jco(jco) if request.method == "GET" else JcoForm()
    form.offer(queries.jco_form_choices(session, choose_lead=False))
    del form.lead_agency
    if form.validate_on_submit():
        with saving(form, what=_("This operation"), duplicate=DUPLICATE_JCO, field="name") as saved:
            services.update_jco(session, jco, form.details(), current_user, version=form.version.data)
        if saved.ok:
            flash(_("The details of the operation have been saved."), "success")
            return redirect(url_for("operations.detail", jco_id=jco.id))
    return render_template("operations/jco_form.html", form=form, jco=jco,
                           known_goods=results.known_vocabulary(session, current_user)[0])


@bp.route("/jcos/<int:jco_id>/participants", methods=["GET", "POST"])
def participants(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_edit_participants)
    session = get_session()
    form = ParticipantsForm.for_request(jco, request.method, queries.organisations_by_name(session))
    if request.method == "POST" and form.saving:
        with saving(form, what=_("This operation"),
                    duplicate=_("Each delegation or body can take part only once.")) as saved:
            services.set_participants(session, jco, form.participant_rows(), current_user, version=form.version.data)
        if saved.ok:
            flash(_("The participants have been saved."), "success")
            return redirect(url_for("operations.detail", jco_id=jco.id))
    return render_template("operations/participants.html", form=form, jco=jco)


# --- life-cycle steps ---------------------------------------------------------------------------

@bp.post("/jcos/<int:jco_id>/transitions/<transition>")
def transition(jco_id: int, transition: str):
    try:
        step = Transition(transition)
    except ValueError:
        abort(404)
    jco = jco_or_abort(jco_id, lambda user, jco: permissions.can_transition(user, jco, step))
    form = TransitionForm(step)
    if not form.validate_on_submit():
        return _render_detail(jco_id, {step: form}, 400)
    with saving(what=_("This operation")) as saved:
        services.apply_transition(get_session(), jco, step, current_user, note=form.note)
    if saved.ok:
        flash(_("Done: %(step)s. The operation is now at “%(state)s”.", step=_(step.label).lower(),
                state=_(State(jco.state).label)), "success")
    return redirect(url_for("operations.detail", jco_id=jco.id))


@bp.route("/jcos/<int:jco_id>/operation", methods=["GET", "POST"])
def operation(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_record_operation)
    form = OperationForm(formdata=None, obj=jco) if request.method == "GET" else OperationForm()
    if form.validate_on_submit():
        with saving(form, what=_("This operation")) as saved:
            services.record_operation(
                get_session(), jco, current_user, actual_start=form.actual_start.data,
                actual_end=form.actual_end.data, debriefing_date=form.debriefing_date.data,
                debriefing_place=form.debriefing_place.data or "", version=form.version.data,
            )
        if saved.ok:
            flash(_("The operational phase and the debriefing have been recorded."), "success")
            return redirect(url_for("operations.detail", jco_id=jco.id))
    return render_template("operations/operation.html", form=form, jco=jco)


# --- results of the final report ----------------------------------------------------------------

@bp.route("/jcos/<int:jco_id>/results", methods=["GET", "POST"])
def add_results(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_add_results)
    session = get_session()
    forms = ResultsForms(request, results.citable_documents(session, jco, current_user),
                         queries.organisations_by_name(session, countries_only=True))
    if forms.rows is not None:
        # The service decides whether this document may be cited, whatever the form offered.
        with saving(forms.sender) as saved:
            results.add_results(session, jco, forms.rows, current_user, document=forms.document(session),
                                replace=bool(forms.sender.replace.data))
        if saved.ok:
            n = len(forms.rows)
            flash(ngettext("%(count)s result row recorded for %(jco)s.", "%(count)s result rows recorded for %(jco)s.",
                           n, count=format_number(n), jco=jco.title), "success")
            return redirect(url_for("operations.detail", jco_id=jco.id, _anchor="results-h"))
    goods, units = results.known_vocabulary(session, current_user)
    return render_template(
        "operations/results.html", jco=jco, rows_form=forms.entry, upload_form=forms.upload,
        upload_problems=forms.upload_problems, has_results=queries.has_results(session, jco.id),
        known_goods=goods, known_units=units,
    )
