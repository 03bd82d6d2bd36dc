"""Drafts: the wizard's state lives in the database; the cookie holds only the draft's opaque id."""

from datetime import timedelta

from flask import current_app, request

from ..extensions import db
from ..models import Draft, utcnow

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
    draft = Draft(expires_at=utcnow() + _lifetime(), answers={}, certified={})
    db.session.add(draft)
    db.session.commit()
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


def set_certified(draft: Draft, certified: dict) -> None:
    draft.certified = certified


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.extensions["commune"].retention.draft_hours)
