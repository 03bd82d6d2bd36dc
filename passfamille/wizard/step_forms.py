"""Each step's form, built for the draft (the questions depend on the démarches and on the API's answer), and
whether a step's stored answers are complete: what the path guards and the recap revalidate."""

from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from . import creche, documents, household
from .creche_forms import ChildForm as CrecheChildForm
from .creche_forms import EstimateFallbackForm, situation_form, wishes_form
from .forms import (
    ApplicantForm,
    ConfirmForm,
    DocumentForm,
    HouseholdForm,
    InformationForm,
    VerificationForm,
    as_choices,
)
from .steps import Step, answers, creche_only, details_hidden, eaje_ok, outcome, uses_api

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
