"""The steps every démarche goes through: how the resources are known, who the family is, the CAF/MSA facts to
confirm (or the ways to go on without them), and the household."""

from datetime import date

from flask import current_app, redirect, request
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from ... import places, rules
from ...commune_settings import MUNICIPAL_QUOTIENT
from ...formatting import born, short_date
from ...forms_base import as_choices
from ...franceconnect import identity as fc_identity
from ...franceconnect import views as franceconnect_views
from ...parsing import ascii_int
from .. import certify, fiscal, household, store
from ..applicant_form import ApplicantForm, CertifiedApplicantForm
from ..draft import (
    FISCAL_ANSWERS,
    answers,
    certified,
    certified_ok,
    creche_only,
    demarche,
    details_hidden,
    mode,
    outcome,
    uses_api,
    via_franceconnect,
    wants_creche,
    wants_pass_famille,
)
from ..forms import CHILD_REASONS, HouseholdForm, InformationForm, VerificationForm
from ..step import Section, Step, form_values, step_url
from ..viewmodels import resident, verification_view

# --- information: the CAF/MSA or a proof -------------------------------------------------------------------------


def demarche_labels() -> dict[str, str]:
    """What the family asks for, in its words: the pass under the commune's own title (settings)."""
    title = current_app.extensions["commune"].pass_famille.title
    return {
        "pass_famille": f"Le {title}",
        "creche": "Une place en crèche (préinscription)",
        "both": f"Le {title} et une place en crèche (préinscription)",
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


# The page that changes the démarches (views.py): not a step, the choice is made before the first one.
DEMARCHES_PAGE = "demarches"


def information_recap(draft) -> list[Section]:
    sections = []
    if current_app.extensions["commune"].creche is not None:
        rows = [("Vous demandez", demarche_labels()[demarche(draft)])]
        sections.append(Section("Vos démarches", rows, DEMARCHES_PAGE, "vos démarches"))
    how = "Auprès de la CAF ou de la MSA" if mode(draft) == "api" else "Justificatif fourni par vous"
    what = "votre quotient familial" if wants_pass_famille(draft) else "vos ressources"
    if via_franceconnect(draft):
        # Changed on the start page (« Continuer sans FranceConnect »), not on a step.
        rows = [("Comment la mairie connaît " + what, f"{how}, avec FranceConnect")]
        sections.append(Section("CAF ou justificatif", rows))
        return sections
    rows = [("Comment la mairie connaît " + what, how)]
    sections.append(Section("CAF ou justificatif", rows, "information", "le choix entre la CAF et un justificatif"))
    return sections


INFORMATION = Step(
    "information",
    "Vos informations et la CAF",
    # FranceConnect is the CAF/MSA route, chosen on the start page, which says what is asked.
    applies=lambda draft: not via_franceconnect(draft),
    form=information_form,
    context=lambda draft, form: {
        "pass_famille": wants_pass_famille(draft),
        "creche": wants_creche(draft),
        "dgfip": fiscal.offered(draft),
        "municipal": fiscal.rules_basis() == MUNICIPAL_QUOTIENT,
    },
    save=save_information,
    invalidates=("verification", *FISCAL_ANSWERS, "justificatif", "foyer", "enfant", "estimation"),
    recap=information_recap,
)

# --- demandeur: the applicant's identity, the CAF/MSA called when it changes ----------------------------------------


def save_certified_applicant(step: Step, draft, form):
    """Identified by FranceConnect: only the e-mail changes. After a change of démarches the CAF/MSA is asked again,
    which needs a new FranceConnect access token: the family goes through FranceConnect again (one click within
    30 minutes of its login there)."""
    store.save_answers(draft, step.name, {**answers(draft, step.name), "email": form.email.data})
    if outcome(draft) is None:
        return franceconnect_views.start_login(draft, then=VERIFICATION.slug)
    return None


def save_applicant(step: Step, draft, form):
    if fc_identity.is_certified(answers(draft, step.name)):
        return save_certified_applicant(step, draft, form)
    values = form_values(form)
    if form.resolved_commune is not None:
        values["birth_commune_code"] = form.resolved_commune.code
    identity_changed = certify.identity_of(answers(draft, step.name)) != certify.identity_of(values)
    store.save_answers(draft, step.name, values)
    if identity_changed:
        # What the family confirmed belongs to the identity it read (eq-runner's dependent answers).
        store.drop_answers(draft, *step.invalidates)
    # The same identity is not looked up again once the family has answered the CAF/MSA page (a change of e-mail
    # from the recap goes back to it); a failed lookup not yet answered is, as the family asks by « Continuer ».
    answered = VERIFICATION.name in (draft.answers or {})
    found = outcome(draft)
    lookup = uses_api(draft) and (identity_changed or found is None or (found != "ok" and not answered))
    if not lookup:
        if identity_changed:
            store.forget_certified(draft)  # certified facts belong to the identity that fetched them
        return None
    # The lookup replaces the facts with its outcome (counters kept). They are not forgotten first: the lookup is
    # counted (and committed) before the call, and another tab or a double click reading the draft meanwhile
    # would find no outcome at all.
    found = certify.fetch(draft, values, request.remote_addr or "")
    if found == "identity" and certified(draft).identity_failures < 2:
        return redirect(step_url(step.slug), 303)
    return redirect(step_url(VERIFICATION.slug), 303)


def applicant_recap(draft) -> list[Section]:
    applicant = answers(draft, "demandeur")
    rows = identity_rows(draft, applicant)
    if fc_identity.is_certified(applicant):
        rows.append(("Identité", "Certifiée par FranceConnect"))
    rows.append(("Adresse électronique", applicant.get("email")))
    return [Section("Vous", rows, "demandeur", "les informations vous concernant")]


def identity_rows(draft, applicant: dict) -> list[tuple[str, str]]:
    """Who the applicant is, as the recap and the certified « Vous » page show it."""
    first_names = [applicant.get(k) for k in ("first_name_1", "first_name_2", "first_name_3") if applicant.get(k)]
    rows = [("Nom de naissance", applicant.get("birth_name"))]
    if applicant.get("usage_name"):
        rows.append(("Nom d'usage", applicant["usage_name"]))
    rows.append(("Prénoms", ", ".join(first_names) or "Aucun prénom"))
    if uses_api(draft):
        sex = applicant.get("sex")
        sex_label = {"F": "Féminin", "M": "Masculin"}.get(sex, "")
        rows.append(("Naissance", f"{sex_label}, {born(sex)} le {_birth_date(applicant)} à {_birth_place(applicant)}"))
    return rows


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


def applicant_form(draft, **kwargs):
    """The identity typed by the family, or only the e-mail when FranceConnect certified the identity."""
    if fc_identity.is_certified(answers(draft, "demandeur")):
        return CertifiedApplicantForm(**kwargs)
    return ApplicantForm(needs_birth_data=uses_api(draft), **kwargs)


APPLICANT = Step(
    "demandeur",
    "Vous",
    applies=lambda draft: True,
    form=applicant_form,
    context=lambda draft, form: {
        "notice": outcome(draft) if uses_api(draft) and outcome(draft) in ("identity", "not_found") else None,
        "lookup_again": uses_api(draft) and outcome(draft) is None and bool(answers(draft, "demandeur")),
        "certified": identity_rows(draft, answers(draft, "demandeur"))
        if isinstance(form, CertifiedApplicantForm)
        else None,
    },
    save=save_applicant,
    invalidates=("verification", *FISCAL_ANSWERS, "foyer", "enfant", "estimation"),
    recap=applicant_recap,
    # Through the CAF/MSA, the identity is complete once it was looked up for the démarches asked: after a change of
    # démarches (which forgets the facts), the family is brought back here, its answers kept, to have it made again.
    holds=lambda draft: not uses_api(draft) or outcome(draft) is not None,
)

# --- verification: the family confirms the CAF/MSA facts, or chooses how to go on without them ------------------

# A typo is the usual reason why no file is found: checking what was typed comes first, everything typed kept.
CHECK_TYPED = ("edit", "Vérifier ce que j'ai saisi")
# The pass is named as the commune titles it: "{title}" is filled in by verification_form.
FULL_PRICE = ("full_price", "Continuer sans justificatif : le {title} sera au plein tarif")
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
            FULL_PRICE,
        ],
    ),
    "not_found": (
        "Que souhaitez-vous faire ?",
        [
            CHECK_TYPED,
            ("documents", "Fournir un justificatif de quotient familial"),
            FULL_PRICE,
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
# Our token refused, a request we built wrongly, or no lookup left: typing again cannot help, so the family goes on
# without the API.
for outcome_code in ("refused", "bad_request", "limit"):
    VERIFICATION_CHOICES[outcome_code] = ("Que souhaitez-vous faire ?", VERIFICATION_CHOICES["not_found"][1][1:])

# A crèche request alone: without the CAF/MSA facts the family goes on, and chooses at "Estimation du tarif"
# between a proof of resources, a later re-check (service unavailable) or no estimate. A single way on is a
# button (verification.html), not a group of one radio button.
WITHOUT_CAF = ("continue", "Continuer sans les informations de la CAF ou de la MSA")
CRECHE_VERIFICATION_CHOICES = {
    "ok": VERIFICATION_CHOICES["ok"],
    "ok_hidden": VERIFICATION_CHOICES["ok_hidden"],
    "identity": ("Que souhaitez-vous faire ?", [("edit", "Corriger mes informations"), WITHOUT_CAF]),
    "not_found": ("Que souhaitez-vous faire ?", [CHECK_TYPED, WITHOUT_CAF]),
    "unavailable": ("Que souhaitez-vous faire ?", [("retry", "Réessayer maintenant"), WITHOUT_CAF]),
}
for outcome_code in ("refused", "bad_request", "limit"):
    CRECHE_VERIFICATION_CHOICES[outcome_code] = ("Que souhaitez-vous faire ?", [WITHOUT_CAF])


# The way on to the DGFiP's avis when the CAF/MSA gave nothing and the rules may read the avis (wizard/fiscal.py).
USE_AVIS = (fiscal.USE_AVIS, "Utiliser mon avis d'imposition : la mairie l'obtiendra auprès des impôts (DGFiP)")

# Identified by FranceConnect: the identity is certified, so there is nothing typed to check; asking again needs a
# new access token (60 s of life), so « Réessayer » goes through FranceConnect, and so does an expired token.
RECONNECT = ("reconnect", "Me reconnecter avec FranceConnect")
FRANCECONNECT_CHOICES = {
    "not_found": ("Que souhaitez-vous faire ?", VERIFICATION_CHOICES["not_found"][1][1:]),
    "reconnect": ("Que souhaitez-vous faire ?", [RECONNECT, *VERIFICATION_CHOICES["not_found"][1][1:]]),
}
CRECHE_FRANCECONNECT_CHOICES = {
    "not_found": ("Que souhaitez-vous faire ?", [WITHOUT_CAF]),
    "reconnect": ("Que souhaitez-vous faire ?", [RECONNECT, WITHOUT_CAF]),
}


def verification_form(draft, **kwargs):
    key = outcome(draft) or ""
    if key == "ok" and details_hidden(draft):
        key = "ok_hidden"
    table = CRECHE_VERIFICATION_CHOICES if creche_only(draft) else VERIFICATION_CHOICES
    if via_franceconnect(draft):
        table = {**table, **(CRECHE_FRANCECONNECT_CHOICES if creche_only(draft) else FRANCECONNECT_CHOICES)}
    legend, choices = table.get(key, ("", []))
    if key not in ("ok", "ok_hidden") and not creche_only(draft) and fiscal.may_ask(draft):
        # No CAF/MSA QF: the rules may read the avis, which the DGFiP gives (wizard/fiscal.py).
        at = next((i for i, (value, _) in enumerate(choices) if value == "documents"), len(choices))
        choices = [*choices[:at], USE_AVIS, *choices[at:]]
    title = current_app.extensions["commune"].pass_famille.title
    choices = [(value, label.format(title=title) if value == FULL_PRICE[0] else label) for value, label in choices]
    return VerificationForm(legend=legend, choices=choices, **kwargs)


def save_verification(step: Step, draft, form):
    choice = form.choice.data
    if choice == "edit":
        return redirect(step_url(APPLICANT.slug), 303)
    if choice == "reconnect" or (choice == "retry" and via_franceconnect(draft)):
        return franceconnect_views.start_login(draft, then=step.slug)
    if choice == "retry":
        certify.fetch(draft, answers(draft, APPLICANT.name), request.remote_addr or "", retry=True)
        return redirect(step_url(step.slug), 303)
    # A changed answer voids what was built on the previous one. A first answer voids nothing: after a change of
    # démarches the facts are fetched again and confirmed, and the household typed meanwhile still holds.
    previous = answers(draft, step.name)
    if store.save_answers(draft, step.name, {"choice": choice}) and previous:
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
    invalidates=(*FISCAL_ANSWERS, "justificatif", "foyer", "enfant", "estimation"),
)

# --- foyer: children (certified, added) and the address -------------------------------------------------------------

CHILD_FIELDS = ("child_first_name", "child_birth_day", "child_birth_month", "child_birth_year", "child_reason")


def household_context(draft, form) -> dict:
    today = date.today()
    ruleset = current_app.extensions["commune"].pass_famille.rules.applicable(today)
    # The age limit is the Pass Famille's: a family asking only for a crèche place is told nothing about it.
    limit = ruleset.children_age_limit if wants_pass_famille(draft) else None
    return {
        "certified_children": _with_coverage(household.certified_children(draft), limit, today),
        "added_children": _with_coverage(household.added_children(draft), limit, today),
        "changing": household.changing_child(draft, request.values.get("modifier")),
        "certified_address": household.certified_address(draft),
        "territory_check": resident(draft),
        "hidden": details_hidden(draft),
        "ruleset": ruleset,
        "age_limit": limit,
    }


def _with_coverage(children: list[dict], limit: int | None, today: date) -> list[dict]:
    """Each child, with `too_old` when the Pass Famille asked for does not cover it (the rules' age limit, as on
    the result page)."""
    return [{**child, "too_old": _too_old(child.get("birth_date"), limit, today)} for child in children]


def _too_old(birth_date: str | None, limit: int | None, today: date) -> bool:
    if limit is None or not birth_date:
        return False
    try:
        born = date.fromisoformat(birth_date)
    except ValueError:
        return False
    return rules.age_on(born, today) >= limit


def save_household(step: Step, draft, form):
    values = form_values(form, skip=CHILD_FIELDS)
    changing = household.changing_child(draft, request.form.get("modifier"))
    values["added_children"] = household.with_child(household.added_children(draft), form.new_child, changing)
    set_added_children(draft, values)
    # The child typed is added by either button: « Continuer » adds the last (often the only) one and goes on, with
    # no reload of this page; « Enregistrer et ajouter un autre enfant » comes back for the next. Pressing Enter
    # submits with that first button: with no child typed, it means « Continuer ».
    if request.form.get("action") == "ajouter" and form.new_child:
        return redirect(step_url(step.slug), 303)
    return None


def household_form(draft, **kwargs):
    """The household's form; « Modifier » on an added child (?modifier=N) shows that child in the child's fields."""
    formdata = kwargs.get("formdata")
    shown = formdata is not None and request.method == "GET"  # not the stored answers checked after a POST
    changing = household.changing_child(draft, request.args.get("modifier")) if shown else None
    if changing is not None:
        kwargs["formdata"] = MultiDict({**formdata.to_dict(), **household.child_fields(changing[1])})
    return HouseholdForm(
        needs_address=household.certified_address(draft) is None,
        adding=request.method == "POST" and request.form.get("action") == "ajouter",
        **kwargs,
    )


def remove_added_child(draft, index: int | None) -> None:
    children = household.added_children(draft)
    # The list as the page showed it: a second click (or another tab) after the list changed removes nothing.
    shown = ascii_int(request.form.get("nombre", ""), 3)
    if shown is not None and shown != len(children):
        return
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


def household_recap(draft) -> list[Section]:
    hidden = details_hidden(draft) and certified_ok(draft)
    certified_children = household.certified_children(draft)
    if hidden:
        rows = [("Connus de la CAF ou de la MSA", str(len(certified_children)))] if certified_children else []
    else:
        rows = [
            (c["first_names"], f"{born(c.get('sex'))} le {short_date(c.get('birth_date'))} (CAF/MSA)")
            for c in certified_children
        ]
    reasons = dict(CHILD_REASONS)
    rows += [
        (
            c["first_names"],
            f"né ou née le {short_date(c.get('birth_date'))} (ajouté : {reasons.get(c.get('reason'), '').lower()})",
        )
        for c in household.added_children(draft)
    ]
    sections = [Section("Enfants", rows or [("Enfants", "Aucun enfant")], "foyer", "les enfants du foyer")]
    facts = household.known(draft)
    home, source = facts.home, facts.address_source
    if home:
        text = ", ".join([*home.get("lines", []), f"{home.get('postal_code')} {home.get('city') or ''}".strip()])
        if hidden and source == "api":
            text = "Connue de la CAF ou de la MSA"
        # A certified address is corrected with the CAF/MSA: its link leads to the "Non" answer, not to a field.
        if source == "api":
            sections.append(Section("Adresse", [("Adresse (CAF/MSA)", text)], VERIFICATION.slug, "l'adresse"))
        else:
            sections.append(Section("Adresse", [("Adresse", text)], "foyer", "l'adresse"))
    return sections


HOUSEHOLD = Step(
    "foyer",
    "Votre foyer",
    applies=lambda draft: True,
    form=household_form,
    context=household_context,
    # The crèche's child chosen among the added children is dropped by set_added_children when the list changes.
    save=save_household,
    recap=household_recap,
)


# Where they stand on the path: how the resources are known and who the family is, then (after the Pass Famille's
# proof) the household.
IDENTITY_STEPS = (INFORMATION, APPLICANT, VERIFICATION)
HOUSEHOLD_STEPS = (HOUSEHOLD,)
