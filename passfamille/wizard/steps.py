"""The ordered registry of the wizard's steps and the questions that decide the path through them."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from ..models import Draft


def answers(draft: Draft, step_name: str) -> dict:
    return (draft.answers or {}).get(step_name) or {}


def mode(draft: Draft) -> str | None:
    return answers(draft, "information").get("mode")


def uses_api(draft: Draft) -> bool:
    return mode(draft) == "api"


def details_hidden(draft: Draft) -> bool:
    """True when the commune shows the family only that its CAF/MSA file was found (CGU, see settings)."""
    return uses_api(draft) and not current_app.extensions["commune"].api_particulier.show_details


def outcome(draft: Draft) -> str | None:
    return (draft.certified or {}).get("outcome")


def certified_ok(draft: Draft) -> bool:
    """True when the CAF/MSA facts were fetched and the family confirmed them."""
    return uses_api(draft) and outcome(draft) == "ok" and answers(draft, "verification").get("choice") == "yes"


def wants_documents(draft: Draft) -> bool:
    """True when the Pass Famille's quotient familial comes from a proof the family uploads."""
    return wants_pass_famille(draft) and (
        mode(draft) == "documents" or answers(draft, "verification").get("choice") in ("no", "documents")
    )


# The démarches chosen on the start page. A commune without a crèche section asks nothing: Pass Famille only.
DEMARCHES = ("pass_famille", "creche", "both")


def demarche(draft: Draft) -> str:
    return answers(draft, "demarche").get("choice") or "pass_famille"


def wants_pass_famille(draft: Draft) -> bool:
    return demarche(draft) in ("pass_famille", "both")


def wants_creche(draft: Draft) -> bool:
    return demarche(draft) in ("creche", "both")


def creche_only(draft: Draft) -> bool:
    return demarche(draft) == "creche"


def eaje(draft: Draft) -> dict:
    """The minimal PSU facts of the EAJE call, or its outcome code (empty when it was not made)."""
    return (draft.certified or {}).get("eaje") or {}


def eaje_ok(draft: Draft) -> bool:
    """True when the CAF/MSA gave the PSU facts and the family confirmed them: the estimate can be shown."""
    return (
        uses_api(draft)
        and eaje(draft).get("outcome") == "ok"
        and eaje(draft).get("annual_resources") is not None
        and answers(draft, "verification").get("choice") == "yes"
    )


@dataclass(frozen=True)
class Step:
    name: str
    slug: str
    title: str
    template: str
    applies: Callable[[Draft], bool]
    # A step without stored answers (the result page) is complete as soon as it is reached.
    has_answers: bool = True


def _always(draft: Draft) -> bool:
    return True


STEPS: tuple[Step, ...] = (
    Step("information", "information", "Vos informations et la CAF", "wizard/information.html", _always),
    Step("demandeur", "demandeur", "Vous", "wizard/demandeur.html", _always),
    Step(
        "verification",
        "verification-caf",
        "Vérifiez les informations de la CAF/MSA",
        "wizard/verification.html",
        uses_api,
    ),
    Step("justificatif", "justificatif", "Votre justificatif", "wizard/justificatif.html", wants_documents),
    Step("foyer", "foyer", "Votre foyer", "wizard/foyer.html", _always),
    Step("enfant", "enfant", "Votre enfant", "wizard/enfant.html", wants_creche),
    Step("souhaits", "souhaits", "Vos souhaits d'accueil", "wizard/souhaits.html", wants_creche),
    Step("situation", "situation", "Votre situation", "wizard/situation.html", wants_creche),
    Step("estimation", "estimation", "Estimation du tarif", "wizard/estimation.html", wants_creche),
    Step("resultat", "resultat", "Votre résultat", "wizard/resultat.html", wants_pass_famille, has_answers=False),
    Step(
        "recapitulatif",
        "recapitulatif",
        "Vérifiez votre demande",
        "wizard/recapitulatif.html",
        _always,
        has_answers=False,
    ),
)

BY_SLUG = {step.slug: step for step in STEPS}
BY_NAME = {step.name: step for step in STEPS}


def path(draft: Draft) -> list[Step]:
    return [step for step in STEPS if step.applies(draft)]


# When a step's answers change, the answers that were derived from them no longer hold (eq-runner).
DEPENDENTS = {
    "demarche": ("information", "verification", "justificatif", "enfant", "souhaits", "situation", "estimation"),
    "information": ("verification", "justificatif", "foyer", "enfant", "estimation"),
    "demandeur": ("verification", "foyer", "enfant", "estimation"),
    "verification": ("justificatif", "foyer", "enfant", "estimation"),
    "foyer": ("enfant",),
    "enfant": ("souhaits",),
}
