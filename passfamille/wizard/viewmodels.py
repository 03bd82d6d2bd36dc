"""What the templates show, built from the draft: templates never see a model or a raw API payload."""

from datetime import date

from flask import current_app, url_for

from .. import places, rules
from ..formatting import born, euros, month_year, short_date
from . import creche_recap, documents, household
from .certify import MAX_LOOKUPS_PER_DRAFT
from .forms import CHILD_REASONS, DOCUMENT_KINDS
from .parsing import ascii_int
from .steps import (
    answers,
    certified_ok,
    creche_only,
    demarche,
    details_hidden,
    mode,
    uses_api,
    wants_creche,
    wants_pass_famille,
)

PROVIDERS = {"CNAF": "CAF", "MSA": "MSA"}


def provider_label(code: str | None) -> str:
    return PROVIDERS.get(code or "", code or "")


def _person(person: dict) -> dict:
    names = [person.get("first_names"), person.get("birth_name")]
    if person.get("usage_name"):
        names.append(f"(nom d'usage {person['usage_name']})")
    return {
        "name": " ".join(n for n in names if n),
        "first_names": person.get("first_names"),
        "birth_date": short_date(person.get("birth_date")),
        "sex": person.get("sex"),
    }


def _qf(qf: dict | None) -> dict | None:
    if not qf:
        return None
    return {
        "value": qf["value"],
        "provider": provider_label(qf.get("provider")),
        "month": month_year(qf.get("year"), qf.get("month")),
    }


def verification_view(draft) -> dict:
    certified = draft.certified or {}
    return {
        "outcome": certified.get("outcome"),
        "identity_failures": certified.get("identity_failures", 0),
        "retry_after": certified.get("retry_after"),
        "allocataires": [_person(p) for p in certified.get("allocataires") or []],
        "children": [_person(p) for p in certified.get("children") or []],
        "address": certified.get("address"),
        "qf": _qf(certified.get("qf")),
        "has_children_scope": "children" in certified,
        "max_calls": MAX_LOOKUPS_PER_DRAFT,
        "limit": certified.get("limit"),
        "lookups_per_hour": current_app.config["LOOKUPS_PER_ADDRESS_HOUR"],
        "hidden": details_hidden(draft),
        "creche_only": creche_only(draft),
        "eaje": eaje
        if (eaje := certified.get("eaje") or {}).get("outcome") == "ok" and eaje.get("annual_resources") is not None
        else None,
    }


def decision_view(draft, today: date | None = None) -> dict:
    settings = current_app.extensions["commune"]
    today = today or date.today()
    facts = household.build(draft)
    ruleset = settings.pass_famille.rules.applicable(today)
    decision = rules.decide(facts, settings.pass_famille.rules, on=today)
    qf, qf_status = household.quotient_familial(draft)
    home, address_source = household.address(draft)
    resident = settings.territory.contains(home["postal_code"]) if home and home.get("postal_code") else None
    return {
        "decision": decision,
        "eligible": decision.eligible,
        "reasons": decision.reasons,
        "ruleset": ruleset,
        "bracket": decision.bracket,
        "qf": qf,
        "qf_status": qf_status,
        "qf_provider": provider_label(qf.provider) if qf else None,
        "qf_month": month_year(qf.year, qf.month) if qf else None,
        "covered_children": decision.covered_children,
        "home": home,
        "address_source": address_source,
        "resident": resident,
        "commune": settings.commune,
        # Figures from the CAF/MSA stay with the agents when the commune cannot identify the family.
        "hidden": details_hidden(draft) and certified_ok(draft),
    }


def _link(slug: str | None) -> str:
    if slug is None:
        return url_for("wizard.start")  # the démarches are chosen on the start page
    return url_for("wizard.step", slug=slug, retour="recapitulatif")


DEMARCHE_LABELS = {
    "pass_famille": "Le Pass Famille",
    "creche": "Une place en crèche (préinscription)",
    "both": "Le Pass Famille et une place en crèche (préinscription)",
}


def recap_rows(draft) -> list[dict]:
    """Sections of "Vérifiez votre demande", each row with its "Modifier" link back to the recap."""
    applicant = answers(draft, "demandeur")
    first_names = [applicant.get(k) for k in ("first_name_1", "first_name_2", "first_name_3") if applicant.get(k)]
    you = [
        ("Nom de naissance", applicant.get("birth_name"), "demandeur"),
        ("Nom d'usage", applicant.get("usage_name") or "Aucun", "demandeur"),
        ("Prénoms", ", ".join(first_names) or "Aucun prénom", "demandeur"),
    ]
    if uses_api(draft):
        you.append(("Sexe", {"F": "Féminin", "M": "Masculin"}.get(applicant.get("sex"), ""), "demandeur"))
        you.append(("Date de naissance", _birth_date(applicant), "demandeur"))
        you.append(("Lieu de naissance", _birth_place(applicant), "demandeur"))
    you.append(("Adresse électronique", applicant.get("email"), "demandeur"))
    sections = []
    if current_app.extensions["commune"].creche is not None:
        sections.append({"title": "Vos démarches", "rows": [("Vous demandez", DEMARCHE_LABELS[demarche(draft)], None)]})
    sections += [
        {
            "title": "Justification du quotient familial" if wants_pass_famille(draft) else "Vos ressources",
            "rows": [
                (
                    "Mode choisi",
                    "Auprès de la CAF ou de la MSA" if mode(draft) == "api" else "Justificatif fourni",
                    "information",
                )
            ],
        },
        {"title": "Vous", "rows": you},
    ]
    qf, qf_status = household.quotient_familial(draft)
    qf_rows = []
    hidden = details_hidden(draft) and certified_ok(draft)
    if hidden:
        qf_rows.append(("Quotient familial", "Obtenu auprès de la CAF ou de la MSA", "verification"))
    elif certified_ok(draft) and qf:
        qf_rows.append(
            (
                "Quotient familial",
                f"{euros(qf.value)} ({provider_label(qf.provider)}, {month_year(qf.year, qf.month)})",
                "verification",
            )
        )
    elif qf and qf.source == "document":
        document = documents.summary(documents.for_draft(draft))
        kind = dict(DOCUMENT_KINDS).get(answers(draft, "justificatif").get("kind"), "")
        qf_rows.append(
            (
                "Justificatif",
                f"{kind} ({document['label']}, {document['size_kb']} Ko)" if document else kind,
                "justificatif",
            )
        )
        qf_rows.append(("Quotient familial déclaré", euros(qf.value), "justificatif"))
    elif qf_status == "pending":
        qf_rows.append(("Quotient familial", "La mairie interrogera la CAF ou la MSA plus tard", "verification"))
    else:
        qf_rows.append(
            ("Quotient familial", "Non fourni : plein tarif", "verification" if uses_api(draft) else "information")
        )
    if wants_pass_famille(draft):
        sections.append({"title": "Quotient familial", "rows": qf_rows})
    certified = household.certified_children(draft)
    if hidden:
        children = [("Enfants connus de la CAF ou de la MSA", str(len(certified)), "foyer")] if certified else []
    else:
        children = [
            (c["first_names"], f"{born(c.get('sex'))} le {short_date(c.get('birth_date'))} (CAF/MSA)", "foyer")
            for c in certified
        ]
    reasons = dict(CHILD_REASONS)
    children += [
        (
            c["first_names"],
            f"né ou née le {short_date(c.get('birth_date'))} (ajouté : {reasons.get(c.get('reason'), '').lower()})",
            "foyer",
        )
        for c in household.added_children(draft)
    ]
    sections.append({"title": "Enfants", "rows": children or [("Enfants", "Aucun enfant", "foyer")]})
    home, source = household.address(draft)
    if home:
        text = ", ".join([*home.get("lines", []), f"{home.get('postal_code')} {home.get('city') or ''}".strip()])
        if hidden and source == "api":
            text = "Connue de la CAF ou de la MSA"
        sections.append(
            # A certified address is corrected with the CAF/MSA: its link leads to the "Non" answer, not to a field.
            {
                "title": "Adresse",
                "rows": [
                    ("Adresse (CAF/MSA)", text, "verification") if source == "api" else ("Adresse", text, "foyer")
                ],
            }
        )
    if wants_creche(draft):
        sections += creche_recap.sections(draft)
    for section in sections:
        section["rows"] = [
            {"label": label, "value": value, "href": _link(slug)} for label, value, slug in section["rows"]
        ]
    return sections


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
