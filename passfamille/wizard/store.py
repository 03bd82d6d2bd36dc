"""Drafts: the wizard's state lives in the database; the cookie holds only the draft's opaque id.

The only module that writes a draft: its answers, which of its steps are complete (progress.py), its certified facts
(a `Certified`, whose counters survive when the facts are forgotten), its lookup counter and its submission
marker."""

from dataclasses import replace
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import update

from .. import documents
from ..extensions import db
from ..models import Draft, utcnow
from .draft import Certified, certified
from .progress import RECORDS

COOKIE = "pf_brouillon"


def current_draft() -> Draft | None:
    draft_id = request.cookies.get(COOKIE)
    if not draft_id or len(draft_id) > 64:
        return None
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.expires_at < utcnow():
        return None
    return draft


def new_draft() -> Draft:
    """A new draft, committed with the request's other writes (its id is given when it is flushed)."""
    draft = Draft(expires_at=utcnow() + _lifetime(), answers={}, certified={})
    db.session.add(draft)
    return draft


def touch(draft: Draft) -> None:
    """Each saved step pushes the expiry back: the limit applies to an abandoned draft, not a slow citizen."""
    draft.expires_at = utcnow() + _lifetime()


def set_cookie(response, draft: Draft):
    response.set_cookie(
        COOKIE,
        draft.id,
        max_age=int(_lifetime().total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def save_answers(draft: Draft, step_name: str, values: dict) -> bool:
    """Store a step's answers; return True when they changed."""
    answers = dict(draft.answers or {})
    changed = answers.get(step_name) != values
    answers[step_name] = values
    draft.answers = answers
    touch(draft)
    return changed


def drop_answers(draft: Draft, *step_names: str) -> None:
    answers = dict(draft.answers or {})
    for name in step_names:
        answers.pop(name, None)
    draft.answers = answers
    forget_complete(draft, *step_names)


def record_complete(draft: Draft, digests: dict[str, str]) -> None:
    """Record steps as complete for the draft as it stands: {step name: digest of what that depends on}."""
    answers = dict(draft.answers or {})
    answers[RECORDS] = {**(answers.get(RECORDS) or {}), **digests}
    draft.answers = answers


def forget_complete(draft: Draft, *step_names: str) -> None:
    """Steps to check again from storage (all of them when none is named): their answers or files changed."""
    records = (draft.answers or {}).get(RECORDS) or {}
    kept = {name: digest for name, digest in records.items() if step_names and name not in step_names}
    if kept != records:
        answers = dict(draft.answers)
        if kept:
            answers[RECORDS] = kept
        else:
            answers.pop(RECORDS)
        draft.answers = answers


def forget_certified(draft: Draft) -> None:
    """The facts belong to the identity, route and démarches that fetched them: when one changes they go, the
    counters stay (a family cannot reset them by switching back and forth). Every step is checked again: the
    questions, the household and the estimate follow the facts."""
    draft.certified = certified(draft).forgotten().to_json()
    forget_complete(draft)


def record_certified(draft: Draft, facts: Certified) -> None:
    draft.certified = facts.to_json()


def record_fiscal(draft: Draft, fiscal: dict) -> None:
    """The DGFiP's outcome for the draft (wizard/fiscal.py), the CAF/MSA facts kept."""
    draft.certified = replace(certified(draft), fiscal=fiscal).to_json()


def count_lookup(draft: Draft, cap: int) -> bool:
    """One more identity lookup for this draft, if under `cap`. Committed at once (with the answers already saved),
    so that concurrent posts of one draft see each other's count."""
    counted = db.session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.lookups < cap)
        .values(lookups=Draft.lookups + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return counted.rowcount == 1


def claim(draft: Draft) -> bool:
    """Mark the draft as being submitted, if no other request has: True for exactly one of several concurrent
    submissions of a draft (a double click, two tabs, two workers).

    A conditional UPDATE, and the transaction's first write: on PostgreSQL the others wait on the row's lock, then
    find it set; on SQLite they wait for the database lock, then find it set. The winner's transaction holds it
    until its commit, so a loser that finds it set can show the winner's confirmation."""
    claimed = db.session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.submitted_at.is_(None))
        .values(submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def submitted(draft: Draft, application_id: int) -> None:
    """The draft keeps only the link that shows the confirmation page; its answers are no longer needed, nor its
    FranceConnect login (franceconnect/views.py has read what the logout needs)."""
    draft.application_id = application_id
    draft.answers = {}
    draft.certified = {}
    draft.franceconnect = None


def set_franceconnect(draft: Draft, value: dict | None) -> None:
    """The draft's FranceConnect login: under way ({state, nonce}), made ({id_token}), ending ({logout_state}), or
    None."""
    draft.franceconnect = value
    touch(draft)


def discard(draft: Draft) -> None:
    """Everything the family entered and was shown goes (« Se déconnecter »): the draft is left empty, as new."""
    draft.answers = {}
    draft.certified = certified(draft).forgotten().to_json()
    for document in list(draft.documents):
        documents.delete(document)


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.extensions["commune"].retention.draft_hours)
