"""Outgoing mail: SMTP when SMTP_URL is set, else .eml files in instance/mails (for `make run`).

SMTP_URL forms: smtp://host:25, smtp+starttls://user:password@host:587, smtps://user:password@host:465.

This module builds and transports a message. Most mails are not sent from here but recorded in the outbox
(outbox.queue) with the change they tell about, and sent after the response; `send` is for the two mails whose
sender needs the outcome at once or must not write to the database (see outbox.py)."""

import logging
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

log = logging.getLogger(__name__)


def new_message_id() -> str:
    return make_msgid(domain="passfamille")


def build(
    to: str, subject: str, body: str, *, message_id: str | None = None, written_at: datetime | None = None
) -> EmailMessage:
    """`written_at` (naive UTC): when the message was recorded, for a message sent later from the outbox."""
    settings = current_app.extensions["commune"]
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"] or settings.mail.from_address
    message["To"] = to
    if getattr(settings.mail, "reply_to", None):
        message["Reply-To"] = settings.mail.reply_to
    message["Subject"] = subject
    when = written_at.replace(tzinfo=UTC) if written_at else datetime.now(UTC)
    message["Date"] = format_datetime(when.astimezone())
    message["Message-ID"] = message_id or new_message_id()
    message.set_content(body)
    return message


def send(to: str, subject: str, body: str) -> bool:
    """Send one message now; a mail failure is logged (without the address) and never breaks the citizen's page."""
    try:
        with transport() as deliver:
            deliver(build(to, subject, body))
    except (OSError, smtplib.SMTPException) as exc:
        log.error("mail not sent: %s", type(exc).__name__)
        return False
    return True


@contextmanager
def transport() -> Iterator[Callable[[EmailMessage], None]]:
    """A function that sends one message, for a run of messages: one SMTP connection, opened at the first message
    (a run with nothing to send connects to nothing) and closed at the end; or the mail folder."""
    url = current_app.config["SMTP_URL"]
    if not url:
        yield _write_file
        return
    client = None

    def deliver(message: EmailMessage) -> None:
        nonlocal client
        if client is None:
            client = _connect(url)
        client.send_message(message)

    try:
        yield deliver
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port or 465, timeout=10, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port or 25, timeout=10)
    try:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
    except BaseException:
        client.close()
        raise
    return client


def _write_file(message: EmailMessage) -> None:
    folder = Path(current_app.config["MAIL_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = message["Message-ID"].strip("<>").replace("@", "_")
    (folder / f"{name}.eml").write_bytes(bytes(message))
