"""The citizen's wizard: one generic step view, Post/Redirect/Get, guards on the path."""

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .. import ratelimit
from ..extensions import db
from . import certify, creche, documents, household, store, submit
from .contexts import step_context
from .creche_forms import DemarcheForm, document_field
from .forms import ConfirmForm
from .parsing import ascii_int
from .step_forms import first_incomplete, form_values, make_form
from .steps import (
    BY_SLUG,
    DEPENDENTS,
    STEPS,
    Step,
    answers,
    eaje_ok,
    outcome,
    path,
    uses_api,
    wants_creche,
    wants_pass_famille,
)

bp = Blueprint("wizard", __name__)
HOUR = timedelta(hours=1)

# --- navigation ----------------------------------------------------------------------------------------------


def go(step_or_endpoint):
    if isinstance(step_or_endpoint, Step):
        return redirect(url_for("wizard.step", slug=step_or_endpoint.slug), 303)
    return redirect(url_for(step_or_endpoint), 303)


def next_step(draft, step: Step):
    """After a valid POST: back to the recap when the citizen came from it, else the next step on the path."""
    steps = path(draft)
    if request.args.get("retour") == "recapitulatif":
        return go(steps[-1])
    later = steps[steps.index(step) + 1 :] if step in steps else steps
    return go(later[0] if later else steps[-1])


def _anchor(field) -> str:
    """Where the error summary's link lands: a radio group's first option, else the field itself."""
    return f"{field.id}-0" if field.type == "RadioField" else field.id


def service_title(draft) -> str:
    """The name in the header and the tab's title: what the family is asking for."""
    title = current_app.extensions["commune"].pass_famille.title
    if not wants_creche(draft):
        return title
    return f"{title} et crèche" if wants_pass_famille(draft) else "Préinscription en crèche"


def render_step(step: Step, draft, form, status=200, **context):
    steps = path(draft)
    number = steps.index(step) + 1
    following = steps[number] if number < len(steps) else None
    errors = [(_anchor(field), message) for field in form for message in field.errors] if form else []
    html = render_template(
        step.template,
        step=step,
        form=form,
        errors=errors,
        service_title=service_title(draft),
        stepper={
            "number": number,
            "count": len(steps),
            "title": step.title,
            "next_title": following.title if following else None,
        },
        **context,
    )
    return make_response(html, 400 if errors and status == 200 else status)


# --- routes --------------------------------------------------------------------------------------------------


def render_start(form, status=200):
    settings = current_app.extensions["commune"]
    ruleset = settings.pass_famille.rules.applicable(date.today())
    errors = [(f"{field.id}-0", message) for field in form for message in field.errors]
    html = render_template(
        "wizard/accueil.html",
        form=form,
        draft=store.current_draft(),
        ruleset=ruleset,
        creche_settings=settings.creche,
        errors=errors,
    )
    return make_response(html, 400 if errors else status)


@bp.get("/")
def start():
    draft = store.current_draft()
    stored = answers(draft, "demarche") if draft is not None and not draft.application_id else {}
    return render_start(DemarcheForm(formdata=MultiDict(stored)))


@bp.post("/demande/commencer")
def begin():
    settings = current_app.extensions["commune"]
    if settings.creche is None:
        form = ConfirmForm()
        if not form.validate():
            abort(400)
        choice = "pass_famille"
    else:
        form = DemarcheForm()
        if not form.validate():
            if form.csrf_token.errors:
                abort(400)
            return render_start(form)
        choice = form.choice.data
    draft = store.current_draft()
    if draft is None or draft.application_id:
        # Drafts are stored for anyone who asks: their number per client address is bounded too.
        config = current_app.config
        if not ratelimit.hit("draft-address", request.remote_addr or "", config["DRAFTS_PER_ADDRESS_HOUR"], HOUR):
            html = render_template("wizard/trop-de-demandes.html", limit=config["DRAFTS_PER_ADDRESS_HOUR"])
            return make_response(html, 429)
        draft = store.new_draft()
    if store.save_answers(draft, "demarche", {"choice": choice}) and len(draft.answers) > 1:
        # Another démarche asks other questions and other CAF/MSA data: what depended on it is dropped.
        store.drop_answers(draft, *DEPENDENTS["demarche"])
        draft.certified = {key: value for key, value in (draft.certified or {}).items() if key == "identity_failures"}
    db.session.commit()
    return store.set_cookie(go(STEPS[0]), draft)


@bp.route("/demande/<slug>", methods=["GET", "POST"])
def step(slug):
    step = BY_SLUG.get(slug)
    if step is None:
        abort(404)
    draft = store.current_draft()
    if draft is None:
        return render_template("wizard/session-expiree.html"), 200
    if draft.application_id:
        return go("wizard.confirmation")
    steps = path(draft)
    if step not in steps:
        abort(404)
    blocking = first_incomplete(draft, steps)
    if blocking is not None and steps.index(step) > steps.index(blocking):
        return go(blocking)
    handler = HANDLERS.get(step.name, show_step)
    return handler(step, draft)


def show_step(step: Step, draft):
    if request.method == "POST":
        abort(405)
    return render_step(step, draft, None, **step_context(step, draft))


def form_step(step: Step, draft):
    """GET shows the stored answers; an invalid POST keeps every value; a valid one goes to the step's saver."""
    if request.method == "GET":
        form = make_form(step, draft, formdata=MultiDict(answers(draft, step.name)))
        return render_step(step, draft, form, **step_context(step, draft))
    form = make_form(step, draft)
    if not form.validate():
        return render_step(step, draft, form, **step_context(step, draft))
    return SAVERS.get(step.name, save_and_continue)(step, draft, form)


def save_and_continue(step: Step, draft, form):
    values = form_values(form)
    if store.save_answers(draft, step.name, values) and step.name in DEPENDENTS:
        store.drop_answers(draft, *DEPENDENTS[step.name])
        if step.name == "information" and values.get("mode") != "api":
            draft.certified = {}
    db.session.commit()
    return next_step(draft, step)


def save_applicant(step: Step, draft, form):
    values = form_values(form)
    if form.resolved_commune is not None:
        values["birth_commune_code"] = form.resolved_commune.code
    previous = answers(draft, step.name)
    identity_changed = certify.identity_of(previous) != certify.identity_of(values)
    store.save_answers(draft, step.name, values)
    if identity_changed:
        # Certified facts belong to the identity that fetched them (eq-runner's dependent answers).
        store.drop_answers(draft, *DEPENDENTS["demandeur"])
        if draft.certified:
            draft.certified = {key: value for key, value in draft.certified.items() if key == "identity_failures"}
    if uses_api(draft) and (identity_changed or outcome(draft) != "ok"):
        result = certify.fetch(draft, values, request.remote_addr or "")
        db.session.commit()
        if result == "identity" and draft.certified["identity_failures"] < 2:
            return redirect(url_for("wizard.step", slug=step.slug), 303)
        return go(next(s for s in path(draft) if s.name == "verification"))
    db.session.commit()
    return next_step(draft, step)


def save_verification(step: Step, draft, form):
    choice = form.choice.data
    if choice == "edit":
        return redirect(url_for("wizard.step", slug="demandeur"), 303)
    if choice == "retry":
        certify.fetch(draft, answers(draft, "demandeur"), request.remote_addr or "")
        db.session.commit()
        return redirect(url_for("wizard.step", slug=step.slug), 303)
    if store.save_answers(draft, step.name, {"choice": choice}):
        store.drop_answers(draft, *DEPENDENTS[step.name])
    db.session.commit()
    return next_step(draft, step)


def document_step(step: Step, draft):
    """Like form_step, but a good file is kept even when another field is wrong: nothing entered is lost."""
    if request.method == "GET":
        return form_step(step, draft)
    form = make_form(step, draft)
    valid = form.validate()
    upload = request.files.get(form.file.name)
    file_error = None
    if upload and upload.filename:
        file_error = documents.store_upload(draft, upload, kind=form.kind.data or "")
    elif not documents.for_draft(draft):
        file_error = "Joignez votre justificatif au format PDF, JPEG ou PNG"
    if file_error:
        form.file.errors = [*form.file.errors, file_error]
        valid = False
    db.session.commit()
    if not valid:
        return render_step(step, draft, form, **step_context(step, draft))
    return save_and_continue(step, draft, form)


def situation_step(step: Step, draft):
    """Criteria and their proofs: a good file is kept even when another is missing; unticking deletes a file."""
    if request.method == "GET":
        form = make_form(step, draft, formdata=MultiDict(answers(draft, step.name)))
        return render_step(
            step, draft, form, points=creche.total_points(creche.criteria(draft)), **step_context(step, draft)
        )
    form = make_form(step, draft)
    valid = form.validate()
    declared = form.declared()
    for criterion in creche.settings().points_grid:
        if not criterion.requires_document:
            continue
        kind = documents.CRITERION_PREFIX + criterion.code
        field = form[document_field(criterion.code)]
        if criterion.code not in declared:
            documents.delete_kind(draft, kind)
            continue
        upload = request.files.get(field.name)
        error = None
        if upload and upload.filename:
            error = documents.store_upload(draft, upload, kind=kind)
        elif documents.for_draft(draft, kind) is None:
            error = f"Joignez le justificatif de ce critère ({criterion.document_label}), ou décochez le critère"
        if error:
            field.errors = [*field.errors, error]
            valid = False
    db.session.commit()
    if not valid:
        return render_step(step, draft, form, points=creche.total_points(declared), **step_context(step, draft))
    return save_and_continue(step, draft, form)


def estimation_step(step: Step, draft):
    """With the CAF/MSA facts: the estimate and a link on. Without: the ways to finish, as for the Pass Famille."""
    if eaje_ok(draft):
        if request.method == "POST":
            abort(405)
        return render_step(step, draft, None, **step_context(step, draft))
    if request.method == "GET":
        return form_step(step, draft)
    form = make_form(step, draft)
    valid = form.validate()
    kind = documents.CRECHE_RESOURCES
    if form.psu_choice.data == "documents":
        upload = request.files.get(form.file.name)
        error = None
        if upload and upload.filename:
            error = documents.store_upload(draft, upload, kind=kind)
        elif documents.for_draft(draft, kind) is None:
            error = "Joignez votre justificatif de ressources au format PDF, JPEG ou PNG"
        if error:
            form.file.errors = [*form.file.errors, error]
            valid = False
    elif valid:
        documents.delete_kind(draft, kind)
    db.session.commit()
    if not valid:
        return render_step(step, draft, form, **step_context(step, draft))
    return save_and_continue(step, draft, form)


CHILD_FIELDS = ("child_first_name", "child_birth_day", "child_birth_month", "child_birth_year", "child_reason")


def save_household(step: Step, draft, form):
    values = form_values(form, skip=CHILD_FIELDS)
    values["added_children"] = household.added_children(draft) + ([form.new_child] if form.new_child else [])
    store.save_answers(draft, step.name, values)
    forget_added_child_choice(draft)
    db.session.commit()
    # Pressing Enter submits with the first button ("Ajouter"): with no child typed, it means "Continuer".
    if request.form.get("action") == "ajouter" and form.new_child:
        return redirect(url_for("wizard.step", slug=step.slug, retour=request.args.get("retour")), 303)
    return next_step(draft, step)


def forget_added_child_choice(draft) -> None:
    """The crèche's child was picked among the added children by position: a changed list voids the choice."""
    if answers(draft, "enfant").get("child", "").startswith("ajoute-") and "enfant" in (draft.answers or {}):
        chosen = answers(draft, "enfant")
        if chosen.get("children_snapshot") != household.added_children(draft):
            store.drop_answers(draft, "enfant")


@bp.post("/demande/foyer/retirer")
def remove_child():
    draft = store.current_draft()
    form = ConfirmForm()
    if draft is None or not form.validate():
        abort(400)
    index = ascii_int(request.form.get("index", ""), 3)
    children = household.added_children(draft)
    if index is not None and index < len(children):
        values = dict(answers(draft, "foyer"))
        values["added_children"] = children[:index] + children[index + 1 :]
        store.save_answers(draft, "foyer", values)
        forget_added_child_choice(draft)
        db.session.commit()
    return redirect(url_for("wizard.step", slug="foyer"), 303)


def recap_step(step: Step, draft):
    if request.method == "GET":
        return render_step(step, draft, ConfirmForm(), **step_context(step, draft))
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    # Revalidate every step from storage: a draft edited in another tab must not slip through.
    blocking = first_incomplete(draft, path(draft))
    if blocking is not None and blocking is not step:
        return go(blocking)
    if not submit.claim(draft):
        # A double click or another tab got there first: its confirmation is this request's answer too.
        db.session.rollback()
        return go("wizard.confirmation")
    submit.submit(draft, today=date.today())
    return go("wizard.confirmation")


@bp.get("/demande/confirmation")
def confirmation():
    draft = store.current_draft()
    if draft is None or draft.application is None:
        return go("wizard.start")
    settings = current_app.extensions["commune"]
    return render_template(
        "wizard/confirmation.html",
        application=draft.application,
        applications=submit.recorded(draft.application),
        settings=settings,
    )


HANDLERS = {
    "information": form_step,
    "demandeur": form_step,
    "verification": form_step,
    "justificatif": document_step,
    "foyer": form_step,
    "enfant": form_step,
    "souhaits": form_step,
    "situation": situation_step,
    "estimation": estimation_step,
    "recapitulatif": recap_step,
}


def save_child(step: Step, draft, form):
    values = form_values(form)
    # Which added child "ajoute-N" meant: kept so that a later change of the household voids the choice.
    values["children_snapshot"] = household.added_children(draft)
    store.save_answers(draft, step.name, values)
    db.session.commit()
    return next_step(draft, step)


SAVERS = {
    "demandeur": save_applicant,
    "verification": save_verification,
    "foyer": save_household,
    "enfant": save_child,
}
