"""Database models: the citizen's draft while the wizard runs, then the recorded application."""

import secrets
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .folding import fold_details, fold_names


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _folded_names(context) -> str:
    """The default of Application.folded_names on every INSERT, the ORM's or a bulk one: from the row's names."""
    row = context.get_current_parameters()
    return fold_names(row.get("birth_name"), row.get("usage_name"), row.get("first_names"))


def _folded_details(context) -> str:
    """The default of Application.folded_details on every INSERT, from the row's children, e-mail and address."""
    row = context.get_current_parameters()
    return fold_details(row.get("children"), row.get("email"), row.get("address"))


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
    # Set by the one request that submits the draft (a conditional UPDATE): a double click or a second tab that
    # submits at the same time finds it set and shows the first request's confirmation.
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Identity lookups made for this draft, counted atomically (certify.py): the cap holds whatever the answers.
    lookups: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A FranceConnect login: while it is under way, its `state` and `nonce`; once made, the ID token kept for the
    # logout (franceconnect/session.py). Emptied by the logout and the submission: never kept past the session.
    franceconnect: Mapped[dict | None] = mapped_column(JSON)

    application: Mapped["Application | None"] = relationship()
    documents: Mapped[list["Document"]] = relationship(back_populates="draft")


class Application(db.Model):
    """A recorded application (adhésion). Holds the facts the decision used, where each came from,
    and the decision with the version of the commune rules that produced it — never a raw API payload."""

    __tablename__ = "application"
    # The back-office's list: filtered by démarche and/or status, newest first (backoffice/queries.py). Each index
    # gives its rows in the list's order, so that a page is read from the index rather than sorted, and the counts
    # per status are counted in it; the fourth one also holds what the dashboard's time to decision reads.
    __table_args__ = (
        Index("ix_application_created", "created_at", "id"),
        Index("ix_application_demarche_status_created", "demarche", "status", "created_at", "id"),
        Index("ix_application_demarche_created", "demarche", "created_at", "id"),
        Index("ix_application_status_created", "status", "created_at", "id", "decided_at"),
        Index("ix_application_status_reference", "status", "reference"),
        # « Mes dossiers »: an agent's applications, newest first.
        Index("ix_application_assigned_created", "assigned_agent_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    demarche: Mapped[str] = mapped_column(String(20), default="pass_famille")
    status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    purge_after: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    # Applicant: what the back-office needs to reach the family.
    birth_name: Mapped[str] = mapped_column(String(120))
    usage_name: Mapped[str | None] = mapped_column(String(120))
    first_names: Mapped[str | None] = mapped_column(String(200))
    # The three names folded (folding.fold_names), what the agents' search reads: written with the names, by the
    # column's default on insert and by _refold_names on an update, never by hand.
    folded_names: Mapped[str] = mapped_column(Text, default=_folded_names, index=True)
    # The children's first names, the e-mail and the address folded the same way (folding.fold_details), the
    # search's other words; kept in step like folded_names (_refold_names), never written by hand.
    folded_details: Mapped[str | None] = mapped_column(Text, default=_folded_details, index=True)
    email: Mapped[str] = mapped_column(String(254))
    # Identity sent to API Particulier; kept only while a later re-check is pending, then erased.
    recheck_identity: Mapped[dict | None] = mapped_column(JSON)

    # What API Particulier answered (its request id, for the commune's questions to the DGFiP or CNAF), and the
    # household's facts with their sources ("api", "declared").
    api_request_id: Mapped[str | None] = mapped_column(String(64))
    api_outcome: Mapped[str | None] = mapped_column(String(30))
    # How the family's identity was known when the CAF/MSA was asked: "franceconnect" (certified) or "identite"
    # (typed by the family); None without the CAF/MSA.
    identity_modality: Mapped[str | None] = mapped_column(String(20))
    children: Mapped[list] = mapped_column(JSON, default=list)
    address: Mapped[dict | None] = mapped_column(JSON)
    address_source: Mapped[str | None] = mapped_column(String(10))

    # Review by the commune (back-office).
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The agent who took the application in hand (« pris en charge par »): set by one conditional UPDATE
    # (backoffice/assignment.py), so that two agents or a double click give one owner.
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)

    # "Both démarches" from one set of answers: the Pass Famille and the crèche request point at each other.
    linked_application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))

    documents: Mapped[list["Document"]] = relationship(back_populates="application")
    # What each démarche adds: one of the two (the Pass Famille's is read with the application, in one query).
    pass_famille: Mapped["PassFamilleRequest | None"] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False, lazy="joined"
    )
    creche: Mapped["CrecheRequest | None"] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False
    )
    linked_application: Mapped["Application | None"] = relationship(remote_side=[id], post_update=True)
    events: Mapped[list["AuditEvent"]] = relationship(order_by="AuditEvent.at", cascade="all, delete-orphan")
    assigned_agent: Mapped["Agent | None"] = relationship(foreign_keys=[assigned_agent_id])
    # Agents' internal notes: deleted with the application (the purge deletes through the ORM), so they are kept
    # exactly as long as it is.
    notes: Mapped[list["ApplicationNote"]] = relationship(
        order_by="ApplicationNote.id", cascade="all, delete-orphan", back_populates="application"
    )


# The dashboard's median time to decision on SQLite (backoffice/queries.py): the decisions in the order of their
# delay, so that the middle one is found by walking half of this index rather than by sorting them all (PostgreSQL's
# percentile_cont sorts them all). The query names the statuses as literals: SQLite uses a partial index only
# when it can see that the query's conditions imply the index's.
DECIDED_STATUSES = ("accepted", "refused")
DECIDED_SQL = f"status IN ({', '.join(repr(s) for s in DECIDED_STATUSES)}) AND decided_at IS NOT NULL"
DECISION_DELAY = func.julianday(Application.decided_at) - func.julianday(Application.created_at)
Index("ix_application_decision_delay", DECISION_DELAY, sqlite_where=text(DECIDED_SQL)).ddl_if(dialect="sqlite")
# The same on PostgreSQL (an interval), with the id that breaks ties as SQLite's rowid does.
DECISION_INTERVAL = Application.decided_at - Application.created_at
Index("ix_application_decision_interval", DECISION_INTERVAL, Application.id, postgresql_where=text(DECIDED_SQL)).ddl_if(
    dialect="postgresql"
)
# The probable duplicates' lookup by e-mail, case aside (backoffice/duplicates.py).
Index("ix_application_email_lower", func.lower(Application.email))


class ApplicationTally(db.Model):
    """How many applications per démarche and status, as rows of +1 and -1 that triggers on `application` insert
    (migration b7d2e5c81a43): every insert, deletion and change of status or démarche, whoever makes it (the ORM, a
    bulk update, a restore, SQL typed by hand). The queue and the dashboard add them up (tally.py) instead of
    counting 100,000 applications on every page; tally.compact() folds them into one row per pair now and then.
    Rows only ever inserted: two transactions never wait for one another on a shared counter."""

    __tablename__ = "application_tally"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demarche: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30))
    n: Mapped[int] = mapped_column(Integer)


@event.listens_for(Application, "before_update")
def _refold_names(_mapper, connection, application: Application) -> None:
    # Any ORM update of an application (an agent correcting a name included) keeps its folded names in step.
    application.folded_names = fold_names(application.birth_name, application.usage_name, application.first_names)
    if any(inspect(application).attrs[name].history.has_changes() for name in ("children", "email", "address")):
        _refold_details(_mapper, connection, application)


@event.listens_for(Application, "before_insert")
def _refold_details(_mapper, connection, application: Application) -> None:
    # Through the ORM, a crèche request's child is known too (it lives in its own table).
    creche = application.__dict__.get("creche")  # in memory when the request is recorded with its application
    child = creche.child_first_name if creche is not None else None
    if creche is None and application.id is not None and application.demarche == "creche":
        found = select(CrecheRequest.child_first_name).where(CrecheRequest.application_id == application.id)
        child = connection.scalar(found)
    application.folded_details = fold_details(application.children, application.email, application.address, child)


class PassFamilleRequest(db.Model):
    """What a Pass Famille application adds to its Application (demarche "pass_famille", reference PF-…): the
    quotient familial and where it came from, the decision with the version of the rules that made it, and the
    commune's review (a document asked for, a refusal's reason, the pass granted)."""

    __tablename__ = "pass_famille_request"
    # The list's filters and the dashboard's counts by bracket and QF source, read from the index alone.
    __table_args__ = (Index("ix_pass_famille_request_bracket_source", "bracket_code", "qf_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)

    # The quotient familial and its source ("api", "document", "declared", or None when not provided).
    qf_value: Mapped[int | None] = mapped_column(Integer)
    qf_provider: Mapped[str | None] = mapped_column(String(10))
    qf_year: Mapped[int | None] = mapped_column(Integer)
    qf_month: Mapped[int | None] = mapped_column(Integer)
    qf_source: Mapped[str | None] = mapped_column(String(10), index=True)
    qf_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    qf_verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    qf_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # What an avis d'imposition says, for rules whose basis is a municipal quotient: the revenu fiscal de référence
    # (whole euros), the nombre de parts ("2.5"), the year of the income, and their source ("document": read on
    # the uploaded avis, checked by an agent like the QF — qf_verified_at; "declared"; "api").
    fiscal_rfr: Mapped[int | None] = mapped_column(Integer)
    fiscal_parts: Mapped[str | None] = mapped_column(String(6))
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    fiscal_source: Mapped[str | None] = mapped_column(String(10))
    # From the DGFiP ("api"): when the avis was fetched and the DGFiP's correlation id of the call (X-Correlation-ID),
    # its provenance for the agents. Never the numéro fiscal.
    fiscal_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    fiscal_correlation_id: Mapped[str | None] = mapped_column(String(36))

    # Decision snapshot and the rules that produced it.
    eligible: Mapped[bool | None]
    bracket_code: Mapped[str | None] = mapped_column(String(20))
    tariff: Mapped[str | None] = mapped_column(String(20))
    decision: Mapped[dict] = mapped_column(JSON, default=dict)
    rules_version: Mapped[str] = mapped_column(String(200))

    # Review by the commune.
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    requested_document: Mapped[str | None] = mapped_column(Text)  # the message of "pièce demandée"
    pass_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    pass_valid_from: Mapped[date | None] = mapped_column(Date)
    pass_valid_until: Mapped[date | None] = mapped_column(Date)

    application: Mapped[Application] = relationship(back_populates="pass_famille")
    qf_verified_by: Mapped["Agent | None"] = relationship(foreign_keys=[qf_verified_by_id])


class Document(db.Model):
    """An uploaded proof (QF certificate, tax notice, crèche proof): what it is and whose; its bytes are a
    DocumentContent row, in the database like everything else, so that any app machine can serve it."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # "qf", "avis", "ressources", "critere-<code of 30>"
    # The file's name under instance/documents for a proof sent before its bytes moved into the database (None
    # since): `adhesions purge` removes that file once its bytes are in, and a downgrade writes it back there.
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    draft: Mapped[Draft | None] = relationship(back_populates="documents")
    application: Mapped[Application | None] = relationship(back_populates="documents")
    # Set once, when the document is made (written in the same flush); read only by documents.content(), never
    # through this attribute (lazy="raise"), so that listing documents never loads bytes. Deleting a document
    # deletes its bytes in documents.delete(), not here (passive_deletes="all": nothing is loaded to do it).
    content: Mapped["DocumentContent | None"] = relationship(lazy="raise", passive_deletes="all")


class DocumentContent(db.Model):
    """The bytes of one proof (at most 10 MB), in a table of their own."""

    __tablename__ = "document_content"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# --- Back-office ---------------------------------------------------------------------------------------------


SERVICES = ("pass_famille", "creche")  # the démarches' codes (demarches/), in the order they are listed
ALL_SERVICES = " ".join(SERVICES)


class Agent(db.Model):
    """A commune agent. Role "agent" reviews and decides; "admin" also manages agents."""

    __tablename__ = "agent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Changed each time a password link is sent: a link carries it, so an earlier link stops working.
    link_nonce: Mapped[str | None] = mapped_column(String(32))
    # The démarches (services) the agent works for, codes separated by a space: an agent sees and acts only on
    # their applications (the privacy notice promises it). Every existing account has both.
    services: Mapped[str] = mapped_column(String(40), default=ALL_SERVICES, server_default=ALL_SERVICES)

    @property
    def role_label(self) -> str:
        return "Administrateur" if self.is_admin else "Agent"

    @property
    def demarches(self) -> tuple[str, ...]:
        """The codes of the démarches this agent works for, in a fixed order."""
        chosen = set((self.services or "").split())
        return tuple(code for code in SERVICES if code in chosen)


class AgentSession(db.Model):
    """A logged-in agent. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "agent_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    agent: Mapped[Agent] = relationship()


class AuditEvent(db.Model):
    """Who did what to an application, and when: every status change and every verification."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(Text)

    agent: Mapped[Agent | None] = relationship()


class ApplicationNote(db.Model):
    """An agent's internal note on an application: never shown to the family nor sent to it, nor exported."""

    __tablename__ = "application_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    # The random token of the form that wrote it: a double click or a resent form writes the note once.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    application: Mapped[Application] = relationship(back_populates="notes")
    agent: Mapped[Agent | None] = relationship()


class ApiEvent(db.Model):
    """One call to API Particulier, without any personal data: for the agents' health banner."""

    __tablename__ = "api_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    endpoint: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(10))
    request_id: Mapped[str | None] = mapped_column(String(64))


# --- Crèche pre-registration ---------------------------------------------------------------------------------


class CrecheRequest(db.Model):
    """What a crèche pre-registration adds to its Application (demarche "creche", reference CR-…): the child,
    the wishes, the declared criteria, the PSU facts and estimate, the relance and the offer of a place.

    Points are not stored: they are computed from `criteria` and the commune's current grid (creche_points), so
    that the family, the commission and the exports always agree."""

    __tablename__ = "creche_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)

    # The child: "caf" (one of the CAF/MSA children), "declared" (typed) or "expected" (due date).
    child_source: Mapped[str] = mapped_column(String(10))
    child_first_name: Mapped[str | None] = mapped_column(String(120))
    child_birth_date: Mapped[date | None] = mapped_column(Date)
    child_due_date: Mapped[date | None] = mapped_column(Date)

    start_date: Mapped[date] = mapped_column(Date)
    days_per_week: Mapped[int] = mapped_column(Integer)
    hours_per_week: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[list] = mapped_column(JSON, default=list)  # codes of the points grid declared

    # PSU facts: source "api", "document" (agents read the proof), "pending" (re-check later) or None.
    psu_source: Mapped[str | None] = mapped_column(String(10))
    psu_annual_resources: Mapped[int | None] = mapped_column(Integer)
    psu_children: Mapped[int | None] = mapped_column(Integer)
    psu_aeeh_children: Mapped[int | None] = mapped_column(Integer)
    psu_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The estimate shown to the family: {"on": "YYYY-MM-DD", "tables": {"collective": {"hourly": "1.76",
    # "monthly": "140.80"}, ...}} — strings, so that the amounts shown are the amounts kept.
    estimate: Mapped[dict | None] = mapped_column(JSON)

    # Waiting list upkeep: the last time the family said it still wants a place, and the pending relance.
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    relance_sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    # The place offered by the commission (one at a time).
    offer_structure: Mapped[str | None] = mapped_column(String(30))
    offer_age_group: Mapped[str | None] = mapped_column(String(30))
    offer_start_date: Mapped[date | None] = mapped_column(Date)
    offer_deadline: Mapped[date | None] = mapped_column(Date)
    offered_at: Mapped[datetime | None] = mapped_column(DateTime)

    application: Mapped[Application] = relationship(back_populates="creche")
    wishes: Mapped[list["CrecheWish"]] = relationship(
        order_by="CrecheWish.position", cascade="all, delete-orphan", back_populates="request"
    )
    checks: Mapped[list["CrecheCriterionCheck"]] = relationship(cascade="all, delete-orphan", back_populates="request")


class CrecheWish(db.Model):
    """One wished structure, in the family's order; the age group is the child's at the desired start date."""

    __tablename__ = "creche_wish"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("creche_request.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1 = first wish
    structure_code: Mapped[str] = mapped_column(String(30), index=True)
    age_group_code: Mapped[str] = mapped_column(String(30))

    request: Mapped[CrecheRequest] = relationship(back_populates="wishes")


class CrecheCriterionCheck(db.Model):
    """An agent's check of one declared criterion: "verified" or "refused" (with an internal reason). No row: not
    checked yet. One row per request and criterion, changed only by a conditional UPDATE on its current state
    (creche/criteria_checks.py), so that a double click records one change."""

    __tablename__ = "creche_criterion_check"
    __table_args__ = (UniqueConstraint("request_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("creche_request.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[CrecheRequest] = relationship(back_populates="checks")
    agent: Mapped[Agent | None] = relationship()


# --- Shared counters -----------------------------------------------------------------------------------------


class RateBucket(db.Model):
    """A counter of attempts in a time window (identity lookups, drafts, log-ins), shared by every worker through
    the database and incremented atomically (ratelimit.py). The key holds a keyed hash, never an address or a name."""

    __tablename__ = "rate_bucket"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class NumberSequence(db.Model):
    """The last number given in a series ("PF-2026", "CR-2026", "PASS-2026"): incremented in the transaction that
    uses it, so that a number is never skipped (a rolled-back transaction gives its number back) nor given twice."""

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


# --- Outgoing mail -------------------------------------------------------------------------------------------


class OutboxMessage(db.Model):
    """A mail to send, recorded in the transaction of the change it tells about (an application and its receipt, a
    status and its mail commit together) and sent after the response by outbox.py. One sender at a time holds it
    (`claimed_until`, set by a conditional UPDATE); it is deleted once sent, so that the address and the body are
    kept only while the mail waits. A message given up after its last attempt is kept for `adhesions purge`."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # what it is ("accuse-reception", "statut"), for the logs
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Chosen when recorded: a message sent again after a crash mid-send carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    given_up_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(60))  # an exception's class name, never its text
