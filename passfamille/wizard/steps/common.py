"""The steps every démarche goes through: how the resources are known, who the family is, the CAF/MSA facts to
confirm (or the ways to go on without them), and the household."""

from datetime import date

from flask import current_app, redirect, request, url_for
from wtforms.validators import InputRequired

from ... import places
from ...formatting import born, short_date
from ...forms_base import as_choices
from ...parsing import ascii_int
from .. import certify, household, store
from ..applicant_form import ApplicantForm
from ..draft import (
    answers,
    certified,
    certified_ok,
    creche_only,
    demarche,
    details_hidden,
    mode,
    outcome,
    uses_api,
    wants_creche,
    wants_pass_famille,
)
from ..forms import CHILD_REASONS, HouseholdForm, InformationForm, VerificationForm
from ..step import Step, form_values
from ..viewmodels import resident, verification_view

# --- information: the CAF/MSA or a proof -------------------------------------------------------------------------

DEMARCHE_LABELS = {
    "pass_famille": "Le Pass Famille",
    "creche": "Une place en crèche (préinscription)",
    "both": "Le Pass Famille et une place en crèche (préinscription)",
}


def information_form(draft, **kwargs):
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


def save_information(step: Step, draft, form):
    values = form_values(form)
    if store.save_answers(draft, step.name, values):
        store.drop_answers(draft, *step.invalidates)
        if values.get("mode") != "api":
            store.forget_certified(draft)
    return None


def information_recap(draft) -> list[dict]:
    sections = []
    if current_app.extensions["commune"].creche is not None:
        sections.append({"title": "Vos démarches", "rows": [("Vous demandez", DEMARCHE_LABELS[demarche(draft)], None)]})
    how = "Auprès de la CAF ou de la MSA" if mode(draft) == "api" else "Justificatif fourni"
    title = "Justification du quotient familial" if wants_pass_famille(draft) else "Vos ressources"
    sections.append({"title": title, "rows": [("Mode choisi", how, "information")]})
    return sections


INFORMATION = Step(
    "information",
    "Vos informations et la CAF",
    applies=lambda draft: True,
    form=information_form,
    context=lambda draft, form: {"pass_famille": wants_pass_famille(draft), "creche": wants_creche(draft)},
    save=save_information,
    invalidates=("verification", "justificatif", "foyer", "enfant", "estimation"),
    recap=information_recap,
)

# --- demandeur: the applicant's identity, the CAF/MSA called when it changes ----------------------------------------


def save_applicant(step: Step, draft, form):
    values = form_values(form)
    if form.resolved_commune is not None:
        values["birth_commune_code"] = form.resolved_commune.code
    identity_changed = certify.identity_of(answers(draft, step.name)) != certify.identity_of(values)
    store.save_answers(draft, step.name, values)
    if identity_changed:
        # What the family confirmed belongs to the identity it read (eq-runner's dependent answers).
        store.drop_answers(draft, *step.invalidates)
    lookup = uses_api(draft) and (identity_changed or outcome(draft) != "ok")
    if not lookup:
        if identity_changed:
            store.forget_certified(draft)  # certified facts belong to the identity that fetched them
        return None
    # The lookup replaces the facts with its outcome (counters kept). They are not forgotten first: the lookup is
    # counted (and committed) before the call, and another tab or a double click reading the draft meanwhile
    # would find no outcome at all.
    found = certify.fetch(draft, values, request.remote_addr or "")
    if found == "identity" and certified(draft).identity_failures < 2:
        return redirect(url_for("wizard.step", slug=step.slug), 303)
    return redirect(url_for("wizard.step", slug=VERIFICATION.slug), 303)


def applicant_recap(draft) -> list[dict]:
    applicant = answers(draft, "demandeur")
    first_names = [applicant.get(k) for k in ("first_name_1", "first_name_2", "first_name_3") if applicant.get(k)]
    rows = [
        ("Nom de naissance", applicant.get("birth_name"), "demandeur"),
        ("Nom d'usage", applicant.get("usage_name") or "Aucun", "demandeur"),
        ("Prénoms", ", ".join(first_names) or "Aucun prénom", "demandeur"),
    ]
    if uses_api(draft):
        rows.append(("Sexe", {"F": "Féminin", "M": "Masculin"}.get(applicant.get("sex"), ""), "demandeur"))
        rows.append(("Date de naissance", _birth_date(applicant), "demandeur"))
        rows.append(("Lieu de naissance", _birth_place(applicant), "demandeur"))
    rows.append(("Adresse électronique", applicant.get("email"), "demandeur"))
    return [{"title": "Vous", "rows": rows}]


def _birth_date(applicant: dict) -> str:
    day, month, year = (applicant.get(k) for k in ("birth_day", "birth_month", "birth_year"))
    if day and month and year:
        try:
            return short_date(date(ascii_int(year, 4), ascii_int(month, 2), ascii_int(day, 2)))
        except (TypeError, ValueError):
            pass  # stored before the form checked every part: shown as typed
    parts = [p for p in (day, month, year) if p]
    return "/".join(p.zfill(2) for p in parts) + " (incomplète)" if parts else "Inconnue"


def _birth_place(applicant: dict) -> str:
    if applicant.get("born_in") == "abroad":
        country = places.country(applicant.get("birth_country") or "")
        return country.name if country else ""
    department = places.department(applicant.get("birth_department") or "")
    return f"{applicant.get('birth_commune')} ({department.name if department else ''})"


APPLICANT = Step(
    "demandeur",
    "Vous",
    applies=lambda draft: True,
    form=lambda draft, **kwargs: ApplicantForm(needs_birth_data=uses_api(draft), **kwargs),
    context=lambda draft, form: {"identity_notice": outcome(draft) == "identity" and uses_api(draft)},
    save=save_applicant,
    invalidates=("verification", "foyer", "enfant", "estimation"),
    recap=applicant_recap,
)

# --- verification: the family confirms the CAF/MSA facts, or chooses how to go on without them ------------------

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


def verification_form(draft, **kwargs):
    key = outcome(draft) or ""
    if key == "ok" and details_hidden(draft):
        key = "ok_hidden"
    table = CRECHE_VERIFICATION_CHOICES if creche_only(draft) else VERIFICATION_CHOICES
    legend, choices = table.get(key, ("", []))
    return VerificationForm(legend=legend, choices=choices, **kwargs)


def save_verification(step: Step, draft, form):
    choice = form.choice.data
    if choice == "edit":
        return redirect(url_for("wizard.step", slug=APPLICANT.slug), 303)
    if choice == "retry":
        certify.fetch(draft, answers(draft, APPLICANT.name), request.remote_addr or "")
        return redirect(url_for("wizard.step", slug=step.slug), 303)
    if store.save_answers(draft, step.name, {"choice": choice}):
        store.drop_answers(draft, *step.invalidates)
    return None


VERIFICATION = Step(
    "verification",
    "Vérifiez les informations de la CAF/MSA",
    slug="verification-caf",
    applies=uses_api,
    form=verification_form,
    context=lambda draft, form: {"view": verification_view(draft)},
    save=save_verification,
    invalidates=("justificatif", "foyer", "enfant", "estimation"),
)

# --- foyer: children (certified, added) and the address -------------------------------------------------------------

CHILD_FIELDS = ("child_first_name", "child_birth_day", "child_birth_month", "child_birth_year", "child_reason")


def household_context(draft, form) -> dict:
    return {
        "certified_children": household.certified_children(draft),
        "added_children": household.added_children(draft),
        "certified_address": household.certified_address(draft),
        "territory_check": resident(draft),
        "hidden": details_hidden(draft),
        "ruleset": current_app.extensions["commune"].pass_famille.rules.applicable(date.today()),
    }


def save_household(step: Step, draft, form):
    values = form_values(form, skip=CHILD_FIELDS)
    values["added_children"] = household.added_children(draft) + ([form.new_child] if form.new_child else [])
    set_added_children(draft, values)
    # Pressing Enter submits with the first button ("Ajouter"): with no child typed, it means "Continuer".
    if request.form.get("action") == "ajouter" and form.new_child:
        return redirect(url_for("wizard.step", slug=step.slug, retour=request.args.get("retour")), 303)
    return None


def remove_added_child(draft, index: int | None) -> None:
    children = household.added_children(draft)
    if index is not None and index < len(children):
        set_added_children(
            draft, {**answers(draft, "foyer"), "added_children": children[:index] + children[index + 1 :]}
        )


def set_added_children(draft, values: dict) -> None:
    store.save_answers(draft, "foyer", values)
    # The crèche's child was picked among the added children by position: a changed list voids the choice.
    chosen = answers(draft, "enfant")
    if chosen.get("child", "").startswith("ajoute-") and chosen.get("children_snapshot") != values["added_children"]:
        store.drop_answers(draft, "enfant")


def household_recap(draft) -> list[dict]:
    hidden = details_hidden(draft) and certified_ok(draft)
    certified_children = household.certified_children(draft)
    if hidden:
        rows = (
            [("Enfants connus de la CAF ou de la MSA", str(len(certified_children)), "foyer")]
            if certified_children
            else []
        )
    else:
        rows = [
            (c["first_names"], f"{born(c.get('sex'))} le {short_date(c.get('birth_date'))} (CAF/MSA)", "foyer")
            for c in certified_children
        ]
    reasons = dict(CHILD_REASONS)
    rows += [
        (
            c["first_names"],
            f"né ou née le {short_date(c.get('birth_date'))} (ajouté : {reasons.get(c.get('reason'), '').lower()})",
            "foyer",
        )
        for c in household.added_children(draft)
    ]
    sections = [{"title": "Enfants", "rows": rows or [("Enfants", "Aucun enfant", "foyer")]}]
    facts = household.known(draft)
    home, source = facts.home, facts.address_source
    if home:
        text = ", ".join([*home.get("lines", []), f"{home.get('postal_code')} {home.get('city') or ''}".strip()])
        if hidden and source == "api":
            text = "Connue de la CAF ou de la MSA"
        # A certified address is corrected with the CAF/MSA: its link leads to the "Non" answer, not to a field.
        row = ("Adresse (CAF/MSA)", text, VERIFICATION.slug) if source == "api" else ("Adresse", text, "foyer")
        sections.append({"title": "Adresse", "rows": [row]})
    return sections


HOUSEHOLD = Step(
    "foyer",
    "Votre foyer",
    applies=lambda draft: True,
    form=lambda draft, **kwargs: HouseholdForm(needs_address=household.certified_address(draft) is None, **kwargs),
    context=household_context,
    # The crèche's child chosen among the added children is dropped by set_added_children when the list changes.
    save=save_household,
    recap=household_recap,
)


# Where they stand on the path: how the resources are known and who the family is, then (after the Pass Famille's
# proof) the household.
IDENTITY_STEPS = (INFORMATION, APPLICANT, VERIFICATION)
HOUSEHOLD_STEPS = (HOUSEHOLD,)
