"""The Pass Famille's own steps: the quotient familial proof when the CAF/MSA does not give it, and the result
computed from the commune's rules. Also the recap's « Quotient familial » section, whichever step gave it."""

from datetime import date

from ... import documents, rules
from ...avis_figures import french_parts
from ...commune_settings import MUNICIPAL_QUOTIENT
from ...documents import AVIS_KIND, DOCUMENT_KINDS
from ...formatting import euros, month_year, months_duration
from ...months import calendar_months
from .. import fiscal, household
from ..draft import answers, certified_ok, details_hidden, fiscal_choice, uses_api, wants_documents, wants_pass_famille
from ..forms import DocumentForm
from ..step import Section, Step, receive_file
from ..viewmodels import OLD_QF_MONTHS, decision_view, provider_label
from . import fiscal as fiscal_steps
from .common import INFORMATION, VERIFICATION

MISSING_PROOF = "Joignez votre justificatif au format PDF, JPEG ou PNG"


def receive_proof(draft, form) -> bool:
    if form is None:
        return documents.for_draft(draft) is not None
    return receive_file(draft, form.file, MISSING_PROOF, kind=form.kind.data or "")


def qf_recap(draft) -> list[Section]:
    """How the quotient familial is known: from the CAF/MSA, a proof, later, or not at all (full price)."""
    if not wants_pass_famille(draft):
        return []
    facts = household.known(draft)
    qf, qf_status = facts.qf, facts.qf_status
    avis = fiscal.confirmed(draft)
    if avis is not None:
        # The DGFiP's avis, confirmed by the family: changed on « Vérifiez les informations des impôts ».
        year = f", revenus {avis.year}" if avis.year else ""
        if fiscal.details_hidden(draft):
            rows = [("Avis d'imposition", f"Obtenu auprès des impôts (DGFiP{year})")]
        else:
            rows = [
                ("Avis d'imposition", f"Obtenu auprès des impôts (DGFiP{year})"),
                ("Revenu fiscal de référence", euros(avis.rfr)),
                ("Nombre de parts", french_parts(fiscal.parts(avis))),
            ]
        change = fiscal_steps.VERIFICATION_IMPOTS.slug
    elif details_hidden(draft) and certified_ok(draft):
        rows, change = [("Quotient familial", "Obtenu auprès de la CAF ou de la MSA")], VERIFICATION.slug
    elif certified_ok(draft) and qf:
        text = f"{euros(qf.value)} ({provider_label(qf.provider)}, {month_year(qf.year, qf.month)})"
        months = calendar_months(qf.year, qf.month, date.today()) if qf.year else None
        if months is not None and months >= OLD_QF_MONTHS:
            text += f", il y a {months_duration(months)} : ancien"
        rows, change = [("Quotient familial", text)], VERIFICATION.slug
    elif (qf and qf.source == "document") or qf_status == "to_compute":
        document = documents.summary(documents.for_draft(draft))
        kind = dict(DOCUMENT_KINDS).get(answers(draft, "justificatif").get("kind"), "")
        rows = [("Justificatif", f"{kind} ({document['label']}, {document['size_kb']} Ko)" if document else kind)]
        figures = facts.household.fiscal
        if qf:
            rows.append(("Quotient familial déclaré", euros(qf.value)))
        elif figures is not None and household.rules_use_avis():
            rows += [
                ("Revenu fiscal de référence", euros(figures.rfr)),
                ("Nombre de parts", french_parts(figures.parts)),
            ]
        else:
            rows.append(("Quotient familial", "Calculé par la mairie d'après votre avis d'imposition"))
        change = PROOF.slug
    elif qf_status == "pending":
        rows, change = [("Quotient familial", "La mairie interrogera la CAF ou la MSA plus tard")], VERIFICATION.slug
    else:
        rows = [("Quotient familial", "Non fourni : plein tarif")]
        change = VERIFICATION.slug if uses_api(draft) else INFORMATION.slug
    if household.rules_use_avis():
        rows = [*_basis_rows(draft), *rows]
    return [Section("Quotient familial", rows, change, "le quotient familial")]


def _basis_rows(draft) -> list[tuple[str, str]]:
    """Where the rules may read the CAF/MSA QF or the avis: which one this family's result uses, and the municipal
    quotient it gives."""
    result = decision_view(draft)
    if result["basis"] != MUNICIPAL_QUOTIENT:
        return [("Base du calcul", "Quotient familial de la CAF ou de la MSA")]
    rows = [("Base du calcul", "Quotient municipal, calculé d'après votre avis d'imposition")]
    if result["quotient"] is not None and not result["hidden"]:
        provisional = " (provisoire : la mairie vérifiera l'avis)" if result["municipal"]["provisional"] else ""
        rows.append(("Quotient municipal", f"{euros(result['quotient'])}{provisional}"))
    return rows


def _avis_first(draft) -> dict:
    """Coming from the DGFiP's page (its avis not found, or not right), the avis d'imposition is chosen already."""
    return {"kind": AVIS_KIND} if fiscal_choice(draft) in ("no", "documents") else {}


PROOF = Step(
    "justificatif",
    "Votre justificatif",
    applies=wants_documents,
    form=lambda draft, **kwargs: DocumentForm(
        asks_avis_figures=household.rules_use_avis(), **_avis_first(draft), **kwargs
    ),
    context=lambda draft, form: {"document": documents.summary(documents.for_draft(draft))},
    files=receive_proof,
    recap=qf_recap,
    numbered_with=VERIFICATION.name,  # « Étape 3 » either way: the CAF/MSA's facts, or the proof instead
)


def qf_notes(result: dict, today: date) -> list[dict]:
    """What is unusual about the quotient familial the result was worked out from, for the family to read: a QF
    of 0, a QF month in the future or long ago (or older than the rules accept, with its age and the limit)."""
    qf = result["qf"]
    if qf is None or result["hidden"]:
        return []
    notes = []
    if qf.value == 0:
        notes.append({"code": "zero"})
    if qf.year is not None:
        months = calendar_months(qf.year, qf.month, today)
        limit = result["ruleset"].qf_max_age_months
        if months < 0:
            notes.append({"code": "future", "month": result["qf_month"]})
        elif rules.QF_TOO_OLD in result["reasons"]:
            notes.append(
                {"code": "too_old", "month": result["qf_month"], "age": months_duration(months), "limit": limit}
            )
        elif months >= OLD_QF_MONTHS:
            notes.append({"code": "old", "month": result["qf_month"], "age": months_duration(months)})
    return notes


def children_view(draft, result: dict, today: date) -> list[dict]:
    """Every child of the household, and whether the pass covers it — and if not, why (the rules' age limit)."""
    covered = set(result["covered_children"])
    views = []
    for child in household.known(draft).household.children:
        age = rules.age_on(child.birth_date, today) if child.birth_date else None
        views.append({"first_names": child.first_names, "covered": child in covered, "age": age})
    return views


def result_context(draft, form) -> dict:
    result = decision_view(draft)
    today = date.today()
    return {"result": result, "children": children_view(draft, result, today), "qf_notes": qf_notes(result, today)}


RESULT = Step(
    "resultat",
    "Votre résultat",
    applies=wants_pass_famille,
    form=lambda draft, **kwargs: None,
    context=result_context,
    has_answers=False,
)

# The proof comes right after the CAF/MSA facts it replaces; the result just before the recap.
PROOF_STEPS = (PROOF,)
RESULT_STEPS = (RESULT,)
