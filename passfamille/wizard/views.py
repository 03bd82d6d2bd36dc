"""The citizen's wizard: one generic step view, Post/Redirect/Get, guards on the path."""

from datetime import date

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from ..extensions import db
from . import certify, creche, documents, household, store, submit
from .creche_forms import (
    ChildForm as CrecheChildForm,
)
from .creche_forms import (
    DemarcheForm,
    EstimateFallbackForm,
    criterion_field,
    document_field,
    situation_form,
    wishes_form,
)
from .forms import (
    ApplicantForm,
    ConfirmForm,
    DocumentForm,
    HouseholdForm,
    InformationForm,
    VerificationForm,
    as_choices,
)
from .steps import (
    BY_SLUG,
    DEPENDENTS,
    STEPS,
    Step,
    answers,
    creche_only,
    eaje,
    eaje_ok,
    outcome,
    path,
    uses_api,
    wants_creche,
    wants_pass_famille,
)
from .viewmodels import decision_view, details_hidden, recap_rows, verification_view

bp = Blueprint("wizard", __name__)

VERIFICATION_CHOICES = {
    "ok": (
        "Ces informations sont-elles correctes ?",
        [("yes", "Oui, elles sont correctes"), ("no", "Non, elles ne sont pas correctes")],
    ),
    "ok_hidden": (
        "Votre situation est-elle à jour auprès de la CAF ou de la MSA (enfants, adresse, ressources) ?",
        [("yes", "Oui, elle est à jour"), ("no", "Non, elle a changé récemment")],
    ),
    "identity": (
        "Que souhaitez-vous faire ?",
        [
            ("edit", "Corriger mes informations"),
            ("documents", "Fournir un justificatif de quotient familial"),
            ("full_price", "Continuer sans justificatif : le Pass Famille sera au plein tarif"),
        ],
    ),
    "not_found": (
        "Que souhaitez-vous faire ?",
        [
            ("documents", "Fournir un justificatif de quotient familial"),
            ("full_price", "Continuer sans justificatif : le Pass Famille sera au plein tarif"),
        ],
    ),
    "unavailable": (
        "Que souhaitez-vous faire ?",
        [
            ("retry", "Réessayer maintenant"),
            ("documents", "Fournir un justificatif de quotient familial"),
            ("later", "Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard"),
        ],
    ),
}
# Our token refused, or a request we built wrongly: the family cannot fix it, so it goes on without the API.
for outcome_code in ("refused", "bad_request", "limit"):
    VERIFICATION_CHOICES[outcome_code] = VERIFICATION_CHOICES["not_found"]

# A crèche request alone: without the CAF/MSA facts the family goes on, and chooses at "Estimation du tarif"
# between a proof of resources, a later re-check (service unavailable) or no estimate.
WITHOUT_CAF = ("continue", "Continuer sans les informations de la CAF ou de la MSA")
CRECHE_VERIFICATION_CHOICES = {
    "ok": VERIFICATION_CHOICES["ok"],
    "ok_hidden": VERIFICATION_CHOICES["ok_hidden"],
    "identity": ("Que souhaitez-vous faire ?", [("edit", "Corriger mes informations"), WITHOUT_CAF]),
    "unavailable": ("Que souhaitez-vous faire ?", [("retry", "Réessayer maintenant"), WITHOUT_CAF]),
}
for outcome_code in ("not_found", "refused", "bad_request", "limit"):
    CRECHE_VERIFICATION_CHOICES[outcome_code] = ("Que souhaitez-vous faire ?", [WITHOUT_CAF])


# --- forms per step ------------------------------------------------------------------------------------------


def make_form(step: Step, draft, formdata=None, csrf: bool = True):
    kwargs = {} if csrf else {"meta": {"csrf": False}}
    if formdata is not None:
        kwargs["formdata"] = formdata
    if step.name == "information":
        form = InformationForm(**kwargs)
        if creche_only(draft):
            form.mode.label.text = "Comment souhaitez-vous communiquer vos ressources ?"
            form.mode.choices = as_choices(
                [
                    ("api", "Récupérer mes informations auprès de la CAF ou de la MSA"),
                    ("documents", "Ne pas passer par la CAF ou la MSA : je fournirai moi-même un justificatif"),
                ]
            )
            form.mode.validators = [InputRequired("Choisissez comment communiquer vos ressources")]
        return form
    if step.name == "demandeur":
        return ApplicantForm(needs_birth_data=uses_api(draft), **kwargs)
    if step.name == "verification":
        key = outcome(draft) or ""
        if key == "ok" and details_hidden(draft):
            key = "ok_hidden"
        table = CRECHE_VERIFICATION_CHOICES if creche_only(draft) else VERIFICATION_CHOICES
        legend, choices = table.get(key, ("", []))
        return VerificationForm(legend=legend, choices=choices, **kwargs)
    if step.name == "justificatif":
        return DocumentForm(**kwargs)
    if step.name == "foyer":
        return HouseholdForm(needs_address=household.certified_address(draft) is None, **kwargs)
    today = date.today()
    if step.name == "enfant":
        rules = creche.settings().earliest_pre_registration
        return CrecheChildForm(
            household_choices=[(value, label) for value, label, _ in creche.household_choices(draft, today)],
            earliest=rules.earliest_date,
            pregnancy_month=rules.pregnancy_month,
            today=today,
            **kwargs,
        )
    if step.name == "souhaits":
        found = creche.child(draft, today)
        return wishes_form(
            creche.settings().structures,
            age_problem=lambda code, start: creche.age_problem(code, found, start),
            today=today,
            **kwargs,
        )
    if step.name == "situation":
        return situation_form(creche.settings().points_grid, **kwargs)
    if step.name == "estimation":
        return EstimateFallbackForm(later_allowed=creche.later_allowed(draft), **kwargs)
    return ConfirmForm(**kwargs)


def stored_form(step: Step, draft):
    return make_form(step, draft, formdata=MultiDict(answers(draft, step.name)), csrf=False)


def form_values(form, skip=()) -> dict:
    """A form's data as strings, as a browser would post them, so that it can be validated again later."""
    values = {}
    for field in form:
        if field.name == "csrf_token" or field.name in skip or field.type == "FileField":
            continue
        if field.type == "BooleanField":
            if field.data:
                values[field.name] = "y"
        else:
            values[field.name] = "" if field.data is None else str(field.data)
    return values


def is_complete(step: Step, draft) -> bool:
    if not step.has_answers:
        return True
    if step.name == "estimation" and eaje_ok(draft):
        return True  # the estimate is shown, nothing to answer
    if step.name not in (draft.answers or {}):
        return False
    if step.name == "justificatif" and not documents.for_draft(draft):
        return False
    if step.name == "situation" and missing_criterion_documents(draft, creche.criteria(draft)):
        return False
    if (
        step.name == "estimation"
        and answers(draft, "estimation").get("psu_choice") == "documents"
        and not documents.for_draft(draft, documents.CRECHE_RESOURCES)
    ):
        return False
    return stored_form(step, draft).validate()


def missing_criterion_documents(draft, codes) -> list:
    """The ticked criteria that need a proof the draft does not hold."""
    return [
        c
        for c in creche.settings().points_grid
        if c.code in codes
        and c.requires_document
        and documents.for_draft(draft, documents.CRITERION_PREFIX + c.code) is None
    ]


def first_incomplete(draft, steps: list[Step]) -> Step | None:
    return next((step for step in steps if not is_complete(step, draft)), None)


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
        draft = store.new_draft()
    if store.save_answers(draft, "demarche", {"choice": choice}) and len(draft.answers) > 1:
        # Another démarche asks other questions and other CAF/MSA data: what depended on it is dropped.
        store.drop_answers(draft, *DEPENDENTS["demarche"])
        kept = ("identity_failures", "calls")
        draft.certified = {key: (draft.certified or {})[key] for key in kept if key in (draft.certified or {})}
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


def step_context(step: Step, draft) -> dict:
    if step.name == "verification":
        return {"view": verification_view(draft)}
    if step.name == "foyer":
        return {
            "certified_children": household.certified_children(draft),
            "added_children": household.added_children(draft),
            "certified_address": household.certified_address(draft),
            "territory_check": decision_view(draft).get("resident"),
            "hidden": details_hidden(draft),
            "ruleset": current_app.extensions["commune"].pass_famille.rules.applicable(date.today()),
        }
    if step.name == "justificatif":
        return {"document": documents.summary(documents.for_draft(draft))}
    if step.name == "resultat":
        return {"result": decision_view(draft)}
    if step.name == "recapitulatif":
        return {"rows": recap_rows(draft), "result": decision_view(draft) if wants_pass_famille(draft) else None}
    if step.name == "demandeur":
        return {"identity_notice": outcome(draft) == "identity" and uses_api(draft)}
    if step.name == "information":
        return {"pass_famille": wants_pass_famille(draft), "creche": wants_creche(draft)}
    if step.name == "souhaits":
        return {"structures": creche.settings().structures, "child": creche.child_label(creche.child(draft))}
    if step.name == "situation":
        return {
            "sent": creche.criterion_documents(draft),
            "criterion_field": criterion_field,
            "document_field": document_field,
        }
    if step.name == "estimation":
        steps = path(draft)
        following = steps[steps.index(step) + 1] if step in steps and steps[-1] is not step else None
        return {
            "estimate": estimate_view(draft),
            "eaje_outcome": eaje(draft).get("outcome"),
            "document": documents.summary(documents.for_draft(draft, documents.CRECHE_RESOURCES)),
            "stepper_next_slug": following.slug if following else None,
        }
    return {}


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
            kept = ("identity_failures", "calls")
            draft.certified = {key: draft.certified[key] for key in kept if key in draft.certified}
    if uses_api(draft) and (identity_changed or outcome(draft) != "ok"):
        result = certify.fetch(draft, values)
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
        certify.fetch(draft, answers(draft, "demandeur"))
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


def estimate_view(draft) -> dict | None:
    found = creche.draft_estimates(draft, date.today())
    if not found:
        return None
    facts = eaje(draft)
    return {"facts": facts, "tables": found, "hours_per_week": creche.hours_per_week(draft)}


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
    index = request.form.get("index", "")
    children = household.added_children(draft)
    if index.isdigit() and int(index) < len(children):
        values = dict(answers(draft, "foyer"))
        values["added_children"] = children[: int(index)] + children[int(index) + 1 :]
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
