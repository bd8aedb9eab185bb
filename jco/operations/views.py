"""The register, the page of one JCO, and the forms that take a JCO through its life cycle.

Every handler goes: load → check permission → validate the form → one service call → commit →
redirect. On a refusal the session is rolled back and the form shown again with the user's input.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from jco import permissions
from jco.core import cache
from jco.core.db import get_session
from jco.core.timeutil import today
from jco.documents.models import DocType, Document, Marking
from jco.operations import lifecycle, queries, results, services
from jco.operations.forms import (
    EXTRA_ROWS,
    NO_CHOICE,
    JcoForm,
    OperationForm,
    ParticipantsForm,
    ResultRowsForm,
    ResultsUploadForm,
    TransitionForm,
    options,
    split_names,
)
from jco.operations.lifecycle import Body, LifecycleError, State, Transition
from jco.operations.models import (
    ActionPlanAction,
    Commodity,
    FundedProject,
    Jco,
    JcoKind,
    Organisation,
    OrgKind,
    Result,
    TransportMode,
)
from jco.web import jco_or_abort

bp = Blueprint("operations", __name__)

# An edit can fail because the page was stale (the version it showed is old) or because another
# request changed the row between our read and our write; the user is told the same thing.
STALE_ERRORS = (services.StaleEdit, StaleDataError)


def _stale_message(error: Exception) -> str:
    if isinstance(error, services.StaleEdit):
        return str(error)
    return str(services.StaleEdit("This operation"))


@bp.get("/jcos")
def register():
    session = get_session()
    filters = queries.RegisterFilters.from_args(request.args)
    version = cache.current_version(session)
    page = queries.register_page(session, filters, current_app.config["JCO_PAGE_SIZE"], version)
    return render_template(
        "operations/register.html",
        page=page,
        filters=filters,
        options=queries.filter_options(session, version),
        states=list(State),
        kinds=list(JcoKind),
        sorts=queries.SORTS,
    )


@bp.get("/jcos/<int:jco_id>")
def detail(jco_id: int):
    return _render_detail(jco_or_abort(jco_id))


def _render_detail(jco: Jco, transition_forms: dict | None = None, status: int = 200):
    session = get_session()
    documents = queries.jco_documents(session, jco.id)
    actions = [t for t in lifecycle.available_transitions(jco.state)
               if permissions.can_transition(current_user, jco, t)]
    forms = {t: TransitionForm(prefix=t.value, formdata=None) for t in actions}
    forms.update(transition_forms or {})
    return render_template(
        "operations/detail.html",
        jco=jco,
        participants=queries.participants_in_order(jco),
        families=queries.document_families(documents),
        agenda_items=queries.jco_agenda_items(session, jco.id),
        history=queries.jco_history(session, jco.id),
        transitions=actions,
        transition_forms=forms,
        results=_results_summary(session, jco.id),
    ), status


def _results_summary(session, jco_id: int) -> queries.ResultsSummary:
    """Three aggregates over what may be thousands of result rows: cached until the data changes
    (jco.core.cache), per clearance, so nobody is served sums that count documents they may not see."""
    cleared = tuple(permissions.markings_cleared_for(current_user))
    return cache.cached(session, ("jco_results", jco_id, cleared),
                        lambda: queries.jco_results_summary(session, jco_id, list(cleared)))


# --- creating and editing ---------------------------------------------------------------------

def _organisation_choices(session, blank: str) -> list[SelectChoice]:
    """Member States, then bodies, then other countries, each group by name."""
    day = today()
    groups: dict[str, list[SelectChoice]] = {"EU Member States": [], "Agencies and bodies": [], "Other countries": []}
    for org in session.scalars(select(Organisation).order_by(Organisation.name)):
        if org.kind == OrgKind.BODY:
            group = "Agencies and bodies"
        elif org.is_member_state_on(day):
            group = "EU Member States"
        else:
            group = "Other countries"
        groups[group].append(SelectChoice(value=org.id, label=f"{org.name} ({org.code})", optgroup=group))
    return [SelectChoice(value=NO_CHOICE, label=blank), *(c for group in groups.values() for c in group)]


def _prepare_jco_form(session, form: JcoForm, *, choose_lead: bool) -> None:
    form.transport_modes.choices = options(
        (m.id, m.name) for m in session.scalars(select(TransportMode).order_by(TransportMode.id))
    )
    form.action_id.choices = options([(NO_CHOICE, "— none —")] + [
        (a.id, f"{a.code} {a.title}") for a in session.scalars(select(ActionPlanAction).order_by(ActionPlanAction.code))
    ])
    form.project_ids.choices = options(
        (p.id, f"{p.acronym} — {p.name}" + (f" (funded by {p.funded_by})" if p.funded_by else ""))
        for p in session.scalars(select(FundedProject).order_by(FundedProject.acronym))
    )
    if choose_lead:
        form.lead_id.choices = _organisation_choices(session, "— choose —")
    else:
        del form.lead_id


def _details(form: JcoForm) -> services.JcoDetails:
    chosen = set(form.transport_modes.data or [])
    modes = [choice.label for choice in form.transport_modes.choices if choice.value in chosen]
    return services.JcoDetails(
        name=form.name.data,
        edition=form.edition.data or "",
        kind=form.kind.data,
        description=form.description.data or "",
        action_id=form.action_id.data or None,
        report_prior_body=Body.MAC.value if form.report_adoption.data == Body.MAC.value else None,
        planned_start=form.planned_start.data,
        planned_end=form.planned_end.data,
        commodities=split_names(form.commodities.data),
        transport_modes=modes + split_names(form.other_transport_modes.data),
        project_ids=list(form.project_ids.data or []),
    )


def _known_goods(session) -> list[str]:
    return list(session.scalars(select(Commodity.name).order_by(Commodity.name).limit(200)))


@bp.route("/jcos/new", methods=["GET", "POST"])
def create():
    if not permissions.can_create_jco(current_user):
        abort(403)
    session = get_session()
    choose_lead = permissions.can_create_jco_for_any_lead(current_user)
    form = JcoForm()
    _prepare_jco_form(session, form, choose_lead=choose_lead)
    own = None if choose_lead else session.get(Organisation, current_user.organisation_id)
    if form.validate_on_submit():
        lead = session.get(Organisation, form.lead_id.data) if choose_lead else own
        try:
            jco = services.create_jco(session, _details(form), current_user, lead=lead,
                                      lead_agency=form.lead_agency.data or "")
            session.commit()
        except (ValueError, IntegrityError) as error:
            session.rollback()
            message = str(error) if isinstance(error, ValueError) else (
                "There is already an operation with this name and edition.")
            form.name.errors = [*form.name.errors, message]
        else:
            flash(f"The operation {jco.title} has been created. It is at “{State(jco.state).label}”.", "success")
            return redirect(url_for("operations.detail", jco_id=jco.id))
    return render_template("operations/jco_form.html", form=form, jco=None, own_organisation=own,
                           known_goods=_known_goods(session))


@bp.route("/jcos/<int:jco_id>/edit", methods=["GET", "POST"])
def edit(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_edit_jco)
    session = get_session()
    if request.method == "GET":
        form = JcoForm(
            formdata=None, version=jco.version, name=jco.name, edition=jco.edition, kind=jco.kind,
            description=jco.description, planned_start=jco.planned_start, planned_end=jco.planned_end,
            commodities=", ".join(c.name for c in jco.commodities),
            transport_modes=[m.id for m in jco.transport_modes],
            project_ids=[p.id for p in jco.projects],
            action_id=jco.action_id or NO_CHOICE,
            report_adoption=Body.MAC.value if jco.report_prior_body == Body.MAC else "working_party",
        )
    else:
        form = JcoForm()
    _prepare_jco_form(session, form, choose_lead=False)
    del form.lead_agency
    if form.validate_on_submit():
        try:
            services.update_jco(session, jco, _details(form), current_user, version=form.version.data)
            session.commit()
        except STALE_ERRORS as error:
            session.rollback()
            form.form_errors.append(_stale_message(error))
        except (ValueError, IntegrityError) as error:
            session.rollback()
            form.name.errors = [*form.name.errors, str(error) if isinstance(error, ValueError) else
                                "There is already an operation with this name and edition."]
        else:
            flash("The details of the operation have been saved.", "success")
            return redirect(url_for("operations.detail", jco_id=jco.id))
    return render_template("operations/jco_form.html", form=form, jco=jco, known_goods=_known_goods(session))


@bp.route("/jcos/<int:jco_id>/participants", methods=["GET", "POST"])
def participants(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_edit_participants)
    session = get_session()
    if request.method == "GET":
        rows = [{"organisation_id": p.organisation_id, "role": p.role, "agency": p.agency}
                for p in queries.participants_in_order(jco)]
        form = ParticipantsForm(formdata=None, version=jco.version, rows=rows)
        for _ in range(EXTRA_ROWS):
            form.rows.append_entry()
    else:
        form = ParticipantsForm()
        if form.add_rows.data:
            for _ in range(EXTRA_ROWS):
                form.rows.append_entry()
    choices = _organisation_choices(session, "— none —")
    for entry in form.rows:
        entry.form.organisation_id.choices = choices
    if request.method == "POST" and not form.add_rows.data and form.validate_on_submit():
        rows = [services.ParticipantRow(organisation_id=row.organisation_id.data, role=row.role.data,
                                        agency=(row.agency.data or "").strip())
                for row in form.kept_rows()]
        try:
            services.set_participants(session, jco, rows, current_user, version=form.version.data)
            session.commit()
        except STALE_ERRORS as error:
            session.rollback()
            form.form_errors.append(_stale_message(error))
        except (ValueError, IntegrityError) as error:
            session.rollback()
            form.form_errors.append(str(error) if isinstance(error, ValueError) else
                                    "Each delegation or body can take part only once.")
        else:
            flash("The participants have been saved.", "success")
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
    form = TransitionForm(prefix=step.value)
    if not form.validate_on_submit():
        return _render_detail(jco, {step: form}, 400)
    reason = (form.reason.data or "").strip() if step in lifecycle.REASON_REQUIRED else ""
    if step in lifecycle.REASON_REQUIRED and not reason:
        form.reason.errors = [lifecycle.REASON_REQUIRED[step]]
        return _render_detail(jco, {step: form}, 400)
    session = get_session()
    try:
        services.apply_transition(session, jco, step, current_user, note=reason)
        session.commit()
    except LifecycleError as error:
        session.rollback()
        flash(str(error), "error")
    except StaleDataError:
        session.rollback()
        flash(_stale_message(StaleDataError()), "error")
    else:
        flash(f"Done: {step.label.lower()}. The operation is now at “{State(jco.state).label}”.", "success")
    return redirect(url_for("operations.detail", jco_id=jco.id))


@bp.route("/jcos/<int:jco_id>/operation", methods=["GET", "POST"])
def operation(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_record_operation)
    session = get_session()
    form = OperationForm(formdata=None, obj=jco) if request.method == "GET" else OperationForm()
    if form.validate_on_submit():
        try:
            services.record_operation(
                session, jco, current_user, actual_start=form.actual_start.data, actual_end=form.actual_end.data,
                debriefing_date=form.debriefing_date.data, debriefing_place=form.debriefing_place.data or "",
                version=form.version.data,
            )
            session.commit()
        except STALE_ERRORS as error:
            session.rollback()
            form.form_errors.append(_stale_message(error))
        except ValueError as error:
            session.rollback()
            form.form_errors.append(str(error))
        else:
            flash("The operational phase and the debriefing have been recorded.", "success")
            return redirect(url_for("operations.detail", jco_id=jco.id))
    return render_template("operations/operation.html", form=form, jco=jco)


# --- results of the final report ----------------------------------------------------------------

def _report_documents(session, jco: Jco) -> list[Document]:
    """The JCO's final-report documents that results may cite: those this reader is cleared for and
    whose marking this deployment may hold (results are content, not just metadata)."""
    limit = Marking(current_app.config["JCO_MAX_STORED_MARKING"]).rank
    documents = session.scalars(
        select(Document).where(Document.jco_id == jco.id, Document.doc_type == DocType.FINAL_REPORT)
    ).all()
    return sorted(
        (d for d in documents if Marking(d.marking).rank <= limit and permissions.can_view_document_details(current_user, d)),
        key=lambda d: d.sort_key,
    )


def _prepare_results_form(form, documents: list[Document], countries=None) -> None:
    form.document_id.choices = options([(NO_CHOICE, "— not tied to a document —")] + [
        (d.id, d.reference + (f" ({d.marking})" if d.marking else "")) for d in documents
    ])
    if countries is not None:
        for entry in form.rows:
            entry.form.country.choices = countries


def _country_choices(session) -> list[SelectChoice]:
    """Member States first: most results are theirs; then every other country."""
    day = today()
    members, others = [], []
    for org in session.scalars(select(Organisation).where(Organisation.kind == OrgKind.COUNTRY).order_by(Organisation.name)):
        group = members if org.is_member_state_on(day) else others
        group.append(SelectChoice(value=org.code, label=f"{org.name} ({org.code})",
                                  optgroup="EU Member States" if group is members else "Other countries"))
    return [SelectChoice(value="", label="— not by country —"), *members, *others]


@bp.route("/jcos/<int:jco_id>/results", methods=["GET", "POST"])
def add_results(jco_id: int):
    jco = jco_or_abort(jco_id, permissions.can_add_results)
    session = get_session()
    documents = _report_documents(session, jco)
    countries = _country_choices(session)
    posted = request.form if request.method == "POST" else {}
    # Two forms on one page: only the one whose button was pressed reads the request.
    uploading = "upload-submit" in posted
    entering = request.method == "POST" and not uploading
    rows_form = ResultRowsForm(prefix="entry") if entering else ResultRowsForm(prefix="entry", formdata=None)
    upload_form = ResultsUploadForm(prefix="upload") if uploading else ResultsUploadForm(prefix="upload", formdata=None)
    if entering and rows_form.add_rows.data:
        for _ in range(EXTRA_ROWS):
            rows_form.rows.append_entry()
    _prepare_results_form(rows_form, documents, countries)
    _prepare_results_form(upload_form, documents)
    upload_problems: list[str] = []

    def save(rows: list[results.ResultRow], form) -> bool:
        document = next((d for d in documents if d.id == form.document_id.data), None)
        try:
            results.add_results(session, jco, rows, current_user, document=document, replace=bool(form.replace.data))
            session.commit()
        except results.ResultsError as error:
            session.rollback()
            form.form_errors.extend(error.messages)
            return False
        except (LifecycleError, ValueError) as error:
            session.rollback()
            form.form_errors.append(str(error))
            return False
        flash(f"{len(rows)} result row{'s' if len(rows) != 1 else ''} recorded for {jco.title}.", "success")
        return True

    if entering and "entry-submit" in posted and rows_form.validate_on_submit():
        if save(rows_form.parsed, rows_form):
            return redirect(url_for("operations.detail", jco_id=jco.id, _anchor="results-h"))
    elif uploading and upload_form.validate_on_submit():
        raw = upload_form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            upload_form.file.errors = ["The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."]
        else:
            try:
                rows = results.parse_results_csv(text)
            except results.ResultsError as error:
                upload_problems = error.messages
                upload_form.file.errors = [
                    f"The file has {len(error.problems)} problem{'s' if len(error.problems) != 1 else ''}; "
                    "nothing was added. Correct the lines listed and upload it again."
                ]
            else:
                if save(rows, upload_form):
                    return redirect(url_for("operations.detail", jco_id=jco.id, _anchor="results-h"))
    recorded = session.scalar(select(Result.id).where(Result.jco_id == jco.id).limit(1)) is not None
    return render_template(
        "operations/results.html", jco=jco, rows_form=rows_form, upload_form=upload_form,
        upload_problems=upload_problems, has_results=recorded, known_goods=_known_goods(session),
        known_units=_known_units(session),
    )


def _known_units(session) -> list[str]:
    used = session.scalars(select(Result.unit).distinct().order_by(Result.unit).limit(100)).all()
    return sorted({*used, "kg", "pieces", "litres", "cigarettes", "EUR"}, key=str.lower)
