"""Database models: the citizen's draft while the wizard runs, then the recorded application."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_draft_id() -> str:
    # 256 random bits: the only thing the citizen's cookie carries.
    return secrets.token_urlsafe(32)


class Draft(db.Model):
    """A wizard in progress. Answers are kept per step, certified facts apart, so that a changed
    identity can drop what depended on it."""

    __tablename__ = "draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_draft_id)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # What API Particulier gave (minimal facts) or the outcome code of the last call.
    certified: Mapped[dict] = mapped_column(JSON, default=dict)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))

    application: Mapped["Application | None"] = relationship()
    documents: Mapped[list["Document"]] = relationship(back_populates="draft")


class Application(db.Model):
    """A recorded application (adhésion). Holds the facts the decision used, where each came from,
    and the decision with the version of the commune rules that produced it — never a raw API payload."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    demarche: Mapped[str] = mapped_column(String(20), default="pass_famille")
    status: Mapped[str] = mapped_column(String(30), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    purge_after: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    # Applicant: what the back-office needs to reach the family.
    birth_name: Mapped[str] = mapped_column(String(120))
    usage_name: Mapped[str | None] = mapped_column(String(120))
    first_names: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # Identity sent to API Particulier; kept only while a later re-check is pending, then erased.
    recheck_identity: Mapped[dict | None] = mapped_column(JSON)

    # Facts and their sources ("api", "document", "declared", or None when not provided).
    qf_value: Mapped[int | None] = mapped_column(Integer)
    qf_provider: Mapped[str | None] = mapped_column(String(10))
    qf_year: Mapped[int | None] = mapped_column(Integer)
    qf_month: Mapped[int | None] = mapped_column(Integer)
    qf_source: Mapped[str | None] = mapped_column(String(10))
    qf_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    api_request_id: Mapped[str | None] = mapped_column(String(64))
    api_outcome: Mapped[str | None] = mapped_column(String(30))
    children: Mapped[list] = mapped_column(JSON, default=list)
    address: Mapped[dict | None] = mapped_column(JSON)
    address_source: Mapped[str | None] = mapped_column(String(10))

    # Decision snapshot and the rules that produced it.
    eligible: Mapped[bool | None]
    bracket_code: Mapped[str | None] = mapped_column(String(20))
    tariff: Mapped[str | None] = mapped_column(String(20))
    decision: Mapped[dict] = mapped_column(JSON, default=dict)
    rules_version: Mapped[str] = mapped_column(String(200))

    documents: Mapped[list["Document"]] = relationship(back_populates="application")


class Document(db.Model):
    """An uploaded proof (QF certificate or tax notice), stored under instance/, never in static/."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    draft: Mapped[Draft | None] = relationship(back_populates="documents")
    application: Mapped[Application | None] = relationship(back_populates="documents")
