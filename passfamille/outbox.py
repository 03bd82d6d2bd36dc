"""The outbox: a mail is recorded in the transaction of the change it tells about, and sent after the response.

Sending inside the request made the family wait for the mail server (a fifth of the submit page's time) and lost the
mail when the process died between the commit and the send. Now `queue` adds the message to the caller's
transaction (no change without its mail, no mail without its change), and it is sent:
- by the request that queued it, its own messages first, then a few others that are due: once its response is sent
  (`response.call_on_close`) under a server of one thread per process; under a threaded server, by a thread of its
  own started when the request ends (teardown), so that neither the page nor the next request on the connection
  waits for the mail server;
- outside a request (a CLI command such as `creche relance`, a script), when the application context ends;
- by `flask --app wsgi mails send`, every minute from a systemd timer: what a dead process left, and the retries;
- before the response for an agent's status change (send_now): the agent's page says whether the family's mail left,
  so that the family can be reached otherwise. It is recorded with the change all the same, and retried if it failed.

Exactly once between processes and machines: a sender claims a message with a conditional UPDATE (still due, not
claimed or its claim expired) and sends it only if it changed the row; the row is deleted once the mail server has
accepted it, so that the address and the body are kept only while the mail waits. A claim outlives any one send
(CLAIM): a process that died mid-send leaves a claim that expires, and another sender takes the message. The one
window left: a process that dies after the server accepted the message and before the row is deleted; the message is
sent again after CLAIM, with the same Message-ID (which many mail clients show once).

A failed send is tried again later (RETRY_AFTER_MINUTES), then given up with a warning; a given-up message is kept
for GIVEN_UP_KEPT, then `adhesions purge` deletes it. Logs name a message by its id and kind, never its address.

Three mails are still sent at once with mail.send: the crèche relance (a cron command whose outcome decides whether
the relance is recorded: a family is closed for not answering only a relance that left), an agent's device link (the
log-in page must take as long whether the account exists or not, and the link is valid for 15 minutes only) and an
agent's forgotten-password link (the same: made and sent after an answer that does not depend on the account)."""

import logging
import smtplib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from flask import Flask, after_this_request, current_app, g, has_request_context, request
from sqlalchemy import delete, func, inspect, or_, select, update

from . import mail
from .extensions import db
from .models import OutboxMessage, utcnow

log = logging.getLogger(__name__)
MESSAGES = OutboxMessage.__table__

CLAIM = timedelta(minutes=5)  # far above one send (each SMTP step times out after 10 s)
# After the n-th failed attempt, the next one comes RETRY_AFTER_MINUTES[n - 1] minutes later: about 22 hours in all,
# a mail server's night-long outage included. Then the message is given up.
RETRY_AFTER_MINUTES = (1, 5, 15, 60, 180, 360, 720)
MAX_ATTEMPTS = len(RETRY_AFTER_MINUTES) + 1
AFTER_RESPONSE = 10  # messages a request sends after its response: its own, then the oldest due
GIVEN_UP_KEPT = timedelta(days=30)


@dataclass
class Counts:
    sent: int = 0
    retried: int = 0  # failed, tried again later
    given_up: int = 0
    taken: int = 0  # claimed by another sender meanwhile


class Outcome(Enum):
    SENT = "sent"
    RETRIED = "retried"
    GIVEN_UP = "given_up"
    TAKEN = "taken"


def queue(to: str, subject: str, body: str, kind: str) -> OutboxMessage:
    """Record a message in the caller's transaction: it is sent once that transaction has committed (after the
    response in a request), and never if it is rolled back."""
    message = OutboxMessage(
        kind=kind, recipient=to, subject=subject, body=body, message_id=mail.new_message_id(), next_attempt_at=utcnow()
    )
    db.session.add(message)
    if has_request_context():
        g.setdefault("outbox_queued", []).append(message)
    _send_when_done()
    return message


def _send_when_done() -> None:
    """Messages due are sent after the response (in a request) or when the application context ends (elsewhere)."""
    if not has_request_context():
        g.outbox_at_context_end = True
    elif not g.get("outbox_after_response"):
        g.outbox_after_response = True
        after_this_request(_send_after_response)


def send_now(message: OutboxMessage) -> bool:
    """Send a committed message before the response, for a page that says whether it left (an agent's status
    change): False if it did not (it stays queued and is tried again). Another sender may have taken it first."""
    state = inspect(message)
    if not (state.persistent and state.identity):
        return False
    counts = _send([state.identity[0]], utcnow)
    return not (counts.retried or counts.given_up)


def register(app: Flask) -> None:
    app.teardown_request(_start_sender)
    app.teardown_appcontext(_send_at_context_end)


def _send_after_response(response):
    # The ids of this request's messages that were flushed (a rolled-back one has no identity any more).
    states = (inspect(message) for message in g.pop("outbox_queued", []))
    mine = [state.identity[0] for state in states if state.persistent and state.identity]
    if request.environ.get("wsgi.multithread", False):
        # A threaded server (gunicorn gthread) keeps the connection's thread until the close callbacks return, so
        # the connection's next request (the page a 303 leads to) would wait for the mail server; and Werkzeug's
        # development server calls them only once the client has closed the connection. A thread of its own,
        # started when the request ends (_start_sender), sends them: not a daemon, so that a graceful stop lets it
        # finish; a process killed meanwhile leaves the message claimed, then due again (CLAIM). A message whose
        # transaction is rolled back after all is not found by its claim, and is not sent.
        g.outbox_sender = mine
        return response
    app = current_app._get_current_object()

    def send():
        with app.app_context():
            _send_quietly(first=mine, limit=AFTER_RESPONSE)

    response.call_on_close(send)
    return response


def _start_sender(_error) -> None:
    mine = g.pop("outbox_sender", None)
    if mine is None:
        return
    app = current_app._get_current_object()

    def send():
        with app.app_context():
            _send_quietly(first=mine, limit=AFTER_RESPONSE)

    threading.Thread(target=send, name="outbox").start()


def _send_at_context_end(_error) -> None:
    if g.pop("outbox_at_context_end", False):
        # The caller's session holds a connection (on SQLite, maybe its write lock) until Flask-SQLAlchemy's own
        # teardown, which comes after this one: release it first.
        db.session.remove()
        _send_quietly()


def _send_quietly(**options) -> None:
    """After the response or at the end of a command: nothing left to fail but the mail, which is retried later."""
    try:
        send_due(**options)
    except Exception as exc:  # noqa: BLE001 — the database may be down; the timer will send the mail
        # The class only: a database error's text can hold the statement's parameters, an address among them.
        log.error("outbox: sending stopped: %s", type(exc).__name__)


def send_due(now: datetime | None = None, limit: int | None = None, first: Iterable[int] = ()) -> Counts:
    """Send the messages due (`first` ones before the others), at most `limit` besides `first`. A server that cannot
    be reached ends the run: the remaining messages wait for their next turn rather than fail one by one."""
    clock: Callable[[], datetime] = (lambda: now) if now else utcnow
    due = select(MESSAGES.c.id).where(*_due(clock())).order_by(MESSAGES.c.next_attempt_at, MESSAGES.c.id)
    with db.engine.connect() as connection:
        others = connection.scalars(due.limit(limit) if limit is not None else due).all()
    return _send(dict.fromkeys([*first, *others]), clock)


def _send(ids: Iterable[int], clock: Callable[[], datetime]) -> Counts:
    counts = Counts()
    with mail.transport() as deliver:
        for message_id in ids:
            outcome, reachable = _send_one(message_id, deliver, clock())
            setattr(counts, outcome.value, getattr(counts, outcome.value) + 1)
            if not reachable:
                break
    return counts


def _due(at: datetime):
    return (
        MESSAGES.c.given_up_at.is_(None),
        MESSAGES.c.next_attempt_at <= at,
        or_(MESSAGES.c.claimed_until.is_(None), MESSAGES.c.claimed_until < at),
    )


def _send_one(message_id: int, deliver, at: datetime) -> tuple[Outcome, bool]:
    """(what became of the message, whether the mail server can still be used in this run)."""
    claim = at + CLAIM
    # The claim is committed before the send: a concurrent sender's UPDATE waits for it (PostgreSQL: the row's lock,
    # SQLite: the database's) and then no longer matches. The attempt counts even if this process dies mid-send.
    with db.engine.begin() as connection:
        claimed = connection.execute(
            update(MESSAGES)
            .where(MESSAGES.c.id == message_id, *_due(at))
            .values(claimed_until=claim, attempts=MESSAGES.c.attempts + 1)
        )
        if claimed.rowcount != 1:
            return Outcome.TAKEN, True
        row = connection.execute(select(MESSAGES).where(MESSAGES.c.id == message_id)).one()
    message = mail.build(row.recipient, row.subject, row.body, message_id=row.message_id, written_at=row.created_at)
    try:
        deliver(message)
    except (OSError, smtplib.SMTPException) as exc:
        return _failed(row, claim, exc, at), _only_this_message(exc)
    with db.engine.begin() as connection:
        connection.execute(delete(MESSAGES).where(MESSAGES.c.id == message_id, MESSAGES.c.claimed_until == claim))
    log.info("mail sent id=%s kind=%s attempt=%s", row.id, row.kind, row.attempts)
    return Outcome.SENT, True


def _only_this_message(exc: Exception) -> bool:
    """A refusal of this message (its address, its content); anything else (connection, log-in) fails them all."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def _permanent(exc: Exception) -> bool:
    """The server said no for good (5xx) to this message: trying again would get the same answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _failed(row, claim: datetime, exc: Exception, at: datetime) -> Outcome:
    error = type(exc).__name__
    values: dict = {"claimed_until": None, "last_error": error[:60]}
    if _permanent(exc) or row.attempts >= MAX_ATTEMPTS:
        values["given_up_at"] = at
        outcome = Outcome.GIVEN_UP
        log.warning("mail given up id=%s kind=%s attempts=%s error=%s", row.id, row.kind, row.attempts, error)
    else:
        delay = RETRY_AFTER_MINUTES[row.attempts - 1]
        values["next_attempt_at"] = at + timedelta(minutes=delay)
        outcome = Outcome.RETRIED
        log.warning(
            "mail not sent id=%s kind=%s attempt=%s error=%s, next attempt in %s min",
            row.id,
            row.kind,
            row.attempts,
            error,
            delay,
        )
    with db.engine.begin() as connection:
        connection.execute(
            update(MESSAGES).where(MESSAGES.c.id == row.id, MESSAGES.c.claimed_until == claim).values(**values)
        )
    return outcome


def waiting() -> dict:
    """How many messages wait to be sent, and how many were given up (kept until `adhesions purge`)."""
    with db.engine.connect() as connection:
        given_up = MESSAGES.c.given_up_at.is_not(None)
        count = select(func.count()).select_from(MESSAGES)
        return {
            "waiting": connection.scalar(count.where(~given_up)),
            "given_up": connection.scalar(count.where(given_up)),
        }


@dataclass(frozen=True)
class GivenUp:
    """A message given up, for the agents (who may see a family's address): when, what, to whom, why."""

    id: int
    given_up_at: datetime
    kind: str
    subject: str
    recipient: str
    attempts: int
    error: str | None


def given_up_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MESSAGES).where(MESSAGES.c.given_up_at.is_not(None)))


def given_up(limit: int = 50) -> list[GivenUp]:
    """The messages given up, newest first (at most `limit`)."""
    query = select(MESSAGES).where(MESSAGES.c.given_up_at.is_not(None))
    query = query.order_by(MESSAGES.c.given_up_at.desc(), MESSAGES.c.id.desc()).limit(limit)
    return [
        GivenUp(r.id, r.given_up_at, r.kind, r.subject, r.recipient, r.attempts, r.last_error)
        for r in db.session.execute(query)
    ]


def try_again(now: datetime | None = None) -> int:
    """Every given-up message becomes due again with its attempts counted afresh (once the agents have had the mail
    server or an address put right), in the caller's transaction; return how many. Sent like any other: after the
    response, or by `flask mails send`."""
    again = update(OutboxMessage).where(OutboxMessage.given_up_at.is_not(None))
    values = {"given_up_at": None, "attempts": 0, "next_attempt_at": now or utcnow(), "claimed_until": None}
    found = db.session.execute(again.values(**values).execution_options(synchronize_session=False)).rowcount
    if found:
        _send_when_done()
    return found


def _expired(now: datetime):
    return OutboxMessage.given_up_at.is_not(None), OutboxMessage.given_up_at < now - GIVEN_UP_KEPT


def expired(now: datetime) -> int:
    """How many given-up messages `purge` would delete."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*_expired(now)))


def purge(now: datetime) -> int:
    """Delete the messages given up more than GIVEN_UP_KEPT ago (they hold an address and a body), in the caller's
    transaction; return how many."""
    removed = db.session.execute(
        delete(OutboxMessage).where(*_expired(now)).execution_options(synchronize_session=False)
    )
    return removed.rowcount
