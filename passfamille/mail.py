"""Outgoing mail: SMTP when SMTP_URL is set, else .eml files in instance/mails (for `make run`).

SMTP_URL forms: smtp://host:25, smtp+starttls://user:password@host:587, smtps://user:password@host:465.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

log = logging.getLogger(__name__)


def build(to: str, subject: str, body: str) -> EmailMessage:
    settings = current_app.extensions["commune"]
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"] or settings.mail.from_address
    message["To"] = to
    if getattr(settings.mail, "reply_to", None):
        message["Reply-To"] = settings.mail.reply_to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="passfamille")
    message.set_content(body)
    return message


def send(to: str, subject: str, body: str) -> bool:
    """Send one message; a mail failure is logged (without the address) and never breaks the citizen's page."""
    message = build(to, subject, body)
    url = current_app.config["SMTP_URL"]
    try:
        if url:
            _send_smtp(url, message)
        else:
            _write_file(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("mail not sent: %s", type(exc).__name__)
        return False
    return True


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port or 465, timeout=10, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port or 25, timeout=10)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _write_file(message: EmailMessage) -> None:
    folder = Path(current_app.config["MAIL_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = message["Message-ID"].strip("<>").replace("@", "_")
    (folder / f"{name}.eml").write_bytes(bytes(message))
