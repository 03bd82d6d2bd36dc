"""The DGFiP's avis d'imposition (issue 14), after the CAF/MSA's page: « Votre numéro fiscal », then « Vérifiez les
informations des impôts » (or the ways on without it). When they are on the path: wizard/fiscal.py.

The numéro fiscal is used for one call and never kept: the first step stores {"asked": "y"} and is complete once
the DGFiP's outcome is known. So a later re-check (the DGFiP unavailable) would need the family to type it again:
« Réessayer maintenant » brings it back to the field, and no « later » re-check by the mairie is offered (the
`adhesions recheck` command asks the CAF/MSA only)."""

from flask import current_app, redirect, request

from ...avis_figures import french_parts
from ...formatting import short_date
from ...impot_particulier import FAMILY_SITUATIONS, InvalidSpi
from .. import fiscal, store
from ..draft import FISCAL_ANSWERS, FISCAL_VERIFICATION, answers, uses_api, via_franceconnect
from ..forms import SPI_MESSAGE, NumeroFiscalForm, VerificationForm
from ..step import Step, step_url

NUMERO_FISCAL_NAME = FISCAL_ANSWERS[0]
VERIFICATION_NAME = "verification"  # the CAF/MSA's page (steps/common.py), whose number these pages share


def _render_error(step: Step, draft, form):
    from ..views import render_step  # the generic view renders every step (imported late: it imports the steps)

    return render_step(step, draft, form)


def save_numero(step: Step, draft, form):
    """The DGFiP is called at once with the number typed; only the outcome is kept. A number the DGFiP refuses as
    malformed is said at the field, the number typed shown again (never stored)."""
    if not form.spi.raw_data:
        return redirect(step_url(step.slug), 303)  # a POST without the field: nothing to ask
    try:
        fiscal.fetch(draft, request.remote_addr or "", spi=form.spi.data)
    except InvalidSpi:
        form.spi.errors = [SPI_MESSAGE]
        return _render_error(step, draft, form)
    store.save_answers(draft, step.name, {"asked": "y"})
    # A new answer from the DGFiP: the family confirms it again.
    store.drop_answers(draft, *step.invalidates)
    return redirect(step_url(VERIFICATION_IMPOTS.slug), 303)


NUMERO_FISCAL = Step(
    NUMERO_FISCAL_NAME,
    "Votre numéro fiscal",
    slug="numero-fiscal",
    template="wizard/numero-fiscal.html",
    applies=lambda draft: fiscal.asked(draft) and not fiscal.by_franceconnect(draft),
    form=lambda draft, **kwargs: NumeroFiscalForm(**kwargs),
    context=lambda draft, form: {"previous": fiscal.lookup(draft).outcome},
    save=save_numero,
    invalidates=(FISCAL_VERIFICATION, "justificatif"),
    holds=lambda draft: fiscal.lookup(draft).outcome is not None,
    # The avis stands in for the CAF/MSA's facts: the same stage of the démarche (« Étape 3 »), so the total of
    # « Étape N sur M » does not change mid-journey (as the proof's, steps/pass_famille.py).
    numbered_with=VERIFICATION_NAME,
)

# --- « Vérifiez les informations des impôts » ----------------------------------------------------------------

CHECK_NUMBER = ("edit", "Vérifier le numéro saisi")
UPLOAD_AVIS = ("documents", "Fournir mon avis d'imposition")
FULL_PRICE = ("full_price", "Continuer sans : le {title} sera au plein tarif")
RETRY = ("retry", "Réessayer maintenant")
CHOICES = {
    "ok": (
        "Ces informations sont-elles correctes ?",
        [("yes", "Oui, elles sont correctes"), ("no", "Non, elles ne sont pas correctes")],
    ),
    "ok_hidden": (
        "Votre situation a-t-elle changé depuis cet avis (mariage, naissance, séparation) ?",
        [("yes", "Non, cet avis est à jour"), ("no", "Oui, elle a changé : je fournirai un justificatif")],
    ),
    "not_found": ("Que souhaitez-vous faire ?", [CHECK_NUMBER, UPLOAD_AVIS, FULL_PRICE]),
    "unavailable": ("Que souhaitez-vous faire ?", [RETRY, UPLOAD_AVIS, FULL_PRICE]),
    "refused": ("Que souhaitez-vous faire ?", [UPLOAD_AVIS, FULL_PRICE]),
    "limit": ("Que souhaitez-vous faire ?", [UPLOAD_AVIS, FULL_PRICE]),
}


def verification_form(draft, **kwargs):
    found = fiscal.lookup(draft)
    key = found.outcome or ""
    if key == "ok" and fiscal.details_hidden(draft):
        key = "ok_hidden"
    legend, choices = CHOICES.get(key, CHOICES["refused"])
    if via_franceconnect(draft) and key == "not_found" and found.via == "franceconnect":
        choices = [("edit", "Saisir mon numéro fiscal"), *choices[1:]]
    title = current_app.extensions["commune"].pass_famille.title
    choices = [(value, label.format(title=title)) for value, label in choices]
    return VerificationForm(legend=legend, choices=choices, **kwargs)


def save_verification(step: Step, draft, form):
    choice = form.choice.data
    if choice in ("edit", "retry"):
        # The number is not kept: to ask again, the family types it again.
        store.drop_answers(draft, NUMERO_FISCAL.name, step.name)
        if fiscal.lookup(draft).via == "franceconnect":
            store.record_fiscal(draft, {})
        return redirect(step_url(NUMERO_FISCAL.slug), 303)
    previous = answers(draft, step.name)
    if store.save_answers(draft, step.name, {"choice": choice}) and previous:
        store.drop_answers(draft, *step.invalidates)
    return None


def verification_view(draft) -> dict:
    found = fiscal.lookup(draft)
    return {
        "outcome": found.outcome,
        "hidden": fiscal.details_hidden(draft),
        "year": found.year,
        "rfr": found.rfr,
        "parts": french_parts(fiscal.parts(found)) if found.parts is not None else None,
        "situation": FAMILY_SITUATIONS.get(found.family_situation or "", found.family_situation),
        "dependants": found.dependants,
        "tax": found.tax,
        "address": found.address,
        "limit": found.limit,
        "retry_after": found.retry_after,
        "via_franceconnect": found.via == "franceconnect",
        "fetched_on": short_date(found.fetched_at[:10]) if found.fetched_at else None,
    }


VERIFICATION_IMPOTS = Step(
    FISCAL_VERIFICATION,
    "Vérifiez les informations des impôts",
    slug="verification-impots",
    template="wizard/verification-impots.html",
    applies=lambda draft: fiscal.asked(draft) and uses_api(draft),
    form=verification_form,
    context=lambda draft, form: {"view": verification_view(draft)},
    save=save_verification,
    invalidates=("justificatif",),
    holds=lambda draft: fiscal.lookup(draft).outcome is not None,
    numbered_with=VERIFICATION_NAME,
)

STEPS = (NUMERO_FISCAL, VERIFICATION_IMPOTS)
