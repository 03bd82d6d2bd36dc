"""Retention enforced by `flask --app wsgi adhesions purge` (run it daily from cron or a systemd timer)."""

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from . import documents, outbox, ratelimit, tally
from .extensions import db
from .models import Application, Document, Draft, utcnow


def months_after(start: date, months: int) -> datetime:
    """The same day `months` later (the month's last day when that day does not exist), at midnight."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime(year, month, day)


@dataclass(frozen=True)
class Due:
    """What the retention rules say must go now, decided once: `purge` deletes exactly this, `--dry-run` lists it."""

    drafts: list[Draft]
    applications: list[Application]
    documents: dict[int, tuple[Document, str]]  # by id: the document and why it goes
    counters: int
    mails: int  # given up after their last attempt, GIVEN_UP_KEPT ago (outbox.py): they hold an address and a body
    # Files of an earlier version that the purge removed, their bytes being in the database (known once done).
    moved_files: int = 0

    def counts(self) -> dict:
        return {
            "drafts": len(self.drafts),
            "applications": len(self.applications),
            "documents": len(self.documents),
            "counters": self.counters,
            "mails": self.mails,
            "moved_files": self.moved_files,
        }


def due(now: datetime) -> Due:
    drafts = db.session.scalars(select(Draft).where(Draft.expires_at < now).order_by(Draft.expires_at)).all()
    expired = (
        select(Application)
        .where(Application.purge_after.is_not(None), Application.purge_after < now)
        .order_by(Application.purge_after, Application.id)
    )
    applications = db.session.scalars(expired).all()
    going: dict[int, tuple[Document, str]] = {}
    for draft in drafts:
        for document in draft.documents:
            if document.application_id is None:  # a proof already sent with an application stays with it
                going[document.id] = (document, "brouillon expiré")
    for application in applications:
        for document in application.documents:
            going[document.id] = (document, "demande supprimée")
    for document in _documents_of_decided(now):
        going.setdefault(document.id, (document, "délai de recours écoulé"))
    return Due(list(drafts), list(applications), going, ratelimit.expired(now), outbox.expired(now))


def purge(now=None, dry_run: bool = False) -> Due:
    """Apply the retention rules; with `dry_run`, only say what they would delete."""
    now = now or utcnow()
    plan = due(now)
    if dry_run:
        return plan
    for document, _ in plan.documents.values():
        documents.delete(document)
    for draft in plan.drafts:
        db.session.delete(draft)
    for application in plan.applications:
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
    outbox.purge(now)
    db.session.commit()
    # The limits' counters (keyed hashes of addresses and accounts) are kept only for their window.
    ratelimit.purge(now)
    # The deleted applications' -1 rows folded into the counts (tally.py).
    tally.compact()
    # Files of an earlier version whose bytes the migration copied into the database (and left in place).
    return replace(plan, moved_files=documents.forget_moved_files())


def _documents_of_decided(now: datetime) -> list[Document]:
    """Proofs are kept after a decision only for the appeal period (retention.documents_days_after_decision)."""
    days = current_app.extensions["commune"].retention.documents_days_after_decision
    decided = (
        select(Document)
        .join(Application, Document.application_id == Application.id)
        .where(Application.decided_at.is_not(None), Application.decided_at < now - timedelta(days=days))
    )
    return list(db.session.scalars(decided).all())
