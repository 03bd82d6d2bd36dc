"""Retention enforced by `flask --app wsgi adhesions purge` (run it daily from cron or a systemd timer)."""

import calendar
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from . import documents, ratelimit
from .extensions import db
from .models import Application, Document, Draft, utcnow


def months_after(start: date, months: int) -> datetime:
    """The same day `months` later (the month's last day when that day does not exist), at midnight."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime(year, month, day)


def purge(now=None) -> dict:
    now = now or utcnow()
    counts = {"drafts": 0, "applications": 0, "documents": 0}
    for draft in db.session.scalars(select(Draft).where(Draft.expires_at < now)).all():
        for document in list(draft.documents):
            if document.application_id is None:
                documents.delete(document)
                counts["documents"] += 1
        db.session.delete(draft)
        counts["drafts"] += 1
    expired = select(Application).where(Application.purge_after.is_not(None), Application.purge_after < now)
    for application in db.session.scalars(expired).all():
        for document in list(application.documents):
            documents.delete(document)
            counts["documents"] += 1
        for draft in db.session.scalars(select(Draft).where(Draft.application_id == application.id)).all():
            db.session.delete(draft)
        # The other démarche of the household outlives this one: it loses the link, not its data. Done here
        # rather than left to ON DELETE SET NULL, which SQLite does not enforce.
        db.session.execute(
            update(Application)
            .where(Application.linked_application_id == application.id)
            .values(linked_application_id=None)
        )
        db.session.delete(application)
        counts["applications"] += 1
    counts["documents"] += _purge_documents_of_decided(now)
    db.session.commit()
    # The limits' counters (keyed hashes of addresses and accounts) are kept only for their window.
    counts["counters"] = ratelimit.purge(now)
    return counts


def _purge_documents_of_decided(now: datetime) -> int:
    """Proofs are kept after a decision only for the appeal period (retention.documents_days_after_decision)."""
    days = current_app.extensions["commune"].retention.documents_days_after_decision
    decided = (
        select(Document)
        .join(Application, Document.application_id == Application.id)
        .where(Application.decided_at.is_not(None), Application.decided_at < now - timedelta(days=days))
    )
    removed = 0
    for document in db.session.scalars(decided).all():
        documents.delete(document)
        removed += 1
    return removed
