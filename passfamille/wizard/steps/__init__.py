"""The wizard's steps in order: the common ones, the Pass Famille's and the crèche's, concatenated; then the recap
« Vérifiez votre demande », whose sections every step gives (each says itself when it has nothing to show)."""

from datetime import date

from flask import redirect, url_for

from ...extensions import db
from .. import store, submit
from ..draft import wants_pass_famille
from ..forms import ConfirmForm
from ..step import Step, first_incomplete, path
from ..viewmodels import decision_view
from . import common, creche, pass_famille

# Each module groups its steps by where they stand: a new step is declared, and placed, in its démarche's module.
BEFORE_RECAP: tuple[Step, ...] = (
    *common.IDENTITY_STEPS,
    *pass_famille.PROOF_STEPS,
    *common.HOUSEHOLD_STEPS,
    *creche.STEPS,
    *pass_famille.RESULT_STEPS,
)

# The start page's choice of démarches is not a step: when it changes, these answers no longer hold.
DEMARCHE_INVALIDATES = ("information", "verification", "justificatif", "enfant", "souhaits", "situation", "estimation")


def recap_sections(draft) -> list[dict]:
    """Sections of « Vérifiez votre demande », each row with its « Modifier » link back to the recap."""
    sections = [section for step in BEFORE_RECAP for section in step.recap(draft)]
    for section in sections:
        section["rows"] = [
            {"label": label, "value": value, "href": _change_link(slug)} for label, value, slug in section["rows"]
        ]
    return sections


def _change_link(slug: str | None) -> str:
    if slug is None:
        return url_for("wizard.start")  # the démarches are chosen on the start page
    return url_for("wizard.step", slug=slug, retour="recapitulatif")


def submit_draft(step: Step, draft, form):
    """Every earlier step is checked again from storage, whatever was recorded as complete (a draft edited in
    another tab cannot slip through). Recorded once: a double click or another tab that got there first has its
    confirmation shown."""
    blocking = first_incomplete(path(STEPS, draft), draft, trust=False)
    if blocking is not None:
        return redirect(url_for("wizard.step", slug=blocking.slug), 303)
    if store.claim(draft):
        submit.submit(draft, today=date.today())
    else:
        db.session.rollback()
    return redirect(url_for("wizard.confirmation"), 303)


RECAP = Step(
    "recapitulatif",
    "Vérifiez votre demande",
    applies=lambda draft: True,
    form=lambda draft, **kwargs: ConfirmForm(**kwargs),
    context=lambda draft, form: {
        "rows": recap_sections(draft),
        "result": decision_view(draft) if wants_pass_famille(draft) else None,
    },
    save=submit_draft,
    has_answers=False,
)

STEPS: tuple[Step, ...] = (*BEFORE_RECAP, RECAP)
BY_SLUG = {step.slug: step for step in STEPS}
