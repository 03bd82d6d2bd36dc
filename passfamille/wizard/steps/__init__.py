"""The wizard's steps in order: the common ones, the Pass Famille's and the crèche's, concatenated; then the recap
« Vérifiez votre demande », whose sections every step gives (each says itself when it has nothing to show)."""

from datetime import date
from types import SimpleNamespace

from flask import redirect, url_for

from ...extensions import db
from ...franceconnect import views as franceconnect_views
from .. import store, submit
from ..draft import IDENTIFICATION, demarche, uses_api, via_franceconnect, wants_pass_famille
from ..forms import ConfirmForm
from ..progress import RECORDS
from ..step import BACK_TO_RECAP, Step, first_incomplete, path
from ..viewmodels import decision_view
from . import common, creche, fiscal, pass_famille

# Each module groups its steps by where they stand: a new step is declared, and placed, in its démarche's module.
BEFORE_RECAP: tuple[Step, ...] = (
    *common.IDENTITY_STEPS,
    *fiscal.STEPS,  # the DGFiP's avis, when the CAF/MSA's QF is not what the rules read
    *pass_famille.PROOF_STEPS,
    *common.HOUSEHOLD_STEPS,
    *creche.STEPS,
    *pass_famille.RESULT_STEPS,
)


def recap_sections(draft) -> list[dict]:
    """Sections of « Vérifiez votre demande », each with its one « Modifier » link, which comes back to the recap
    (none on what is worked out from other answers)."""
    return [
        {
            "title": section.title,
            "rows": section.rows,
            "href": _change_link(section.change) if section.change else None,
            "change_text": section.change_text,
        }
        for step in BEFORE_RECAP
        for section in step.recap(draft)
    ]


def _change_link(slug: str) -> str:
    if slug == common.DEMARCHES_PAGE:
        return url_for("wizard.demarches")
    return url_for("wizard.step", slug=slug, **BACK_TO_RECAP)


# --- a change of démarches (the start page's choice, which is not a step) ----------------------------------------


def _with_demarche(draft, choice: str) -> dict:
    """The draft's answers once the démarches are `choice`: the answers of the steps still on the path are kept;
    those off it, and the family's answer to the CAF/MSA facts, go (other démarches ask the CAF/MSA other things,
    with other tokens: the facts are fetched again for the identity already typed)."""
    answers = {**(draft.answers or {}), "demarche": {"choice": choice}}
    answers.pop(RECORDS, None)
    answers.pop(common.VERIFICATION.name, None)
    on_path = {step.name for step in path(STEPS, SimpleNamespace(answers=answers, certified={}))}
    # Not steps, or not on the path, but still the family's: its démarches, how it was identified and, with
    # FranceConnect, the CAF/MSA route it chose with it.
    kept = {"demarche", IDENTIFICATION, *([common.INFORMATION.name] if via_franceconnect(draft) else [])}
    return {name: value for name, value in answers.items() if name in kept or name in on_path}


def demarche_change(draft, choice: str) -> dict:
    """What changing the démarches to `choice` means for the family, said before it is done: the pages to answer
    again or for the first time, and the answers no longer used. Nothing is written."""
    before = [step for step in path(STEPS, draft) if step.has_answers]
    kept = _with_demarche(draft, choice)
    after = [step for step in path(STEPS, SimpleNamespace(answers=kept, certified={})) if step.has_answers]
    again = [step.title for step in after if step.name not in kept]
    if uses_api(draft):
        again.insert(0, f"{common.APPLICANT.title} : vos réponses sont gardées, vous les confirmerez")
    dropped = [step.title for step in before if step not in after and step.name in (draft.answers or {})]
    return {"from": demarche(draft), "to": choice, "again": again, "dropped": dropped}


def change_demarche(draft, choice: str) -> None:
    """Apply a change of démarches (once the family has read what it means)."""
    kept = _with_demarche(draft, choice)
    store.drop_answers(draft, *[name for name in (draft.answers or {}) if name not in kept and name != RECORDS])
    store.save_answers(draft, "demarche", {"choice": choice})
    store.forget_certified(draft)  # also every completion record: each step is checked again


def submit_draft(step: Step, draft, form):
    """Every earlier step is checked again from storage, whatever was recorded as complete (a draft edited in
    another tab cannot slip through). Recorded once: a double click or another tab that got there first has its
    confirmation shown."""
    blocking = first_incomplete(path(STEPS, draft), draft, trust=False)
    if blocking is not None:
        return redirect(url_for("wizard.step", slug=blocking.slug, **BACK_TO_RECAP), 303)
    if not store.claim(draft):
        db.session.rollback()
        return redirect(url_for("wizard.confirmation"), 303)
    id_token = (draft.franceconnect or {}).get(franceconnect_views.ID_TOKEN)
    submit.submit(draft, today=date.today())
    # The family's FranceConnect session ends with the submission: FranceConnect's logout, then the confirmation.
    logout = franceconnect_views.logout_redirect(draft, id_token) if id_token else None
    if logout is not None:
        db.session.commit()
        return logout
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
