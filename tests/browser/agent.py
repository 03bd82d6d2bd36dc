"""An agent in chromium, and the back-office's data: agents' accounts, applications filed straight into the live
server's database (when the citizen's journey is not what a test is about), the links the app mails or shows."""

import email
import email.policy
import io
import struct
import time
import zlib
from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app
from werkzeug.datastructures import FileStorage

from passfamille import decisions, documents, numbering, rules
from passfamille.backoffice import auth, qf_check
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application, PassFamilleRequest, utcnow

from ..backoffice.agents import PASSWORD, make_agent
from ..formclient import path_of
from .journey import Citizen

AGENT = "agent.navigateur@val-fleuri.example"
ADMIN = "admin.navigateur@val-fleuri.example"
# Smallest valid PDF header is enough: the app checks the file's first bytes, not its inside.
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
PDF = {"name": "attestation-qf.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
HOME = {"lines": ["8 rue Paradis"], "postal_code": "13006", "city": "Marseille", "country": None}


def tiny_png() -> bytes:
    """A real 1×1 white PNG, as a phone's photo would be (only much smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


PNG = {"name": "photo-avis.png", "mimeType": "image/png", "buffer": tiny_png()}


class Agent(Citizen):
    """An agent acts and reads the way the citizen does (labels, button and link names); they also log in."""

    def log_in(self, address: str = AGENT, password: str = PASSWORD) -> "Agent":
        self.open("/agents/connexion").sees_heading("Connexion à l'espace agents")
        self.type("Adresse électronique", address).type("Mot de passe", password)
        return self.press("Se connecter").sees_heading("Demandes")


def region(page, name: str):
    """A section of an application's page, by its heading (<section aria-labelledby>)."""
    return page.get_by_role("region", name=name, exact=True)


def agent_account(app: Flask, address: str = AGENT, admin: bool = False) -> str:
    """The account, created once for the live server's whole session (its database outlives a test)."""
    with app.app_context():
        exists = auth.find_agent(address) is not None
    if not exists:
        make_agent(app, address, admin=admin)
    return address


# --- applications filed straight into the database ------------------------------------------------------------


@dataclass(frozen=True)
class Filed:
    id: int
    reference: str
    email: str


def _last_month(today: date) -> tuple[int, int]:
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def file_application(
    app: Flask,
    *,
    qf_source: str = "api",
    qf: int = 850,
    birth_name: str = "DUPONT",
    first_names: str = "SOPHIE",
    address: str = "famille@example.org",
) -> Filed:
    """An application as the wizard records it, decided by the real rules of the commune settings.

    qf_source "api": QF certified by the CAF last month, "Déposée"; "document": QF read by the family on a PDF kept
    with the application, "Déposée, à vérifier"; "pending": the CAF/MSA did not answer while the family applied,
    "En attente de la CAF/MSA". Without the CAF/MSA, the family typed its address and added its child."""
    with app.app_context():
        settings = current_app.extensions["commune"]
        today = date.today()
        from_api = qf_source == "api"
        if from_api:
            year, month = _last_month(today)
            quotient = rules.QuotientFamilial(qf, "CNAF", year, month, "api")
            children = (rules.Child("LAURA", date(2016, 11, 15), "api"), rules.Child("INES", date(2019, 4, 2), "api"))
        else:
            quotient = rules.QuotientFamilial(qf, None, None, None, "document") if qf_source == "document" else None
            children = (rules.Child("LOU", date(2019, 2, 1), "declared"),)
        household = rules.Household(quotient, "known" if quotient else "pending", children, HOME["postal_code"])
        decision = rules.decide(household, settings.pass_famille.rules, on=today)
        application = Application(
            status={"api": "submitted", "document": "to_verify", "pending": "awaiting_recheck"}[qf_source],
            birth_name=birth_name,
            first_names=first_names,
            email=address,
            api_request_id="0b9c4f6e-5a8d-4f1e-9c55-2d7a3b1e8f40" if from_api else None,
            api_outcome="unavailable" if qf_source == "pending" else None,
            children=decisions.children_json(children),
            address=HOME,
            address_source="api" if from_api else "declared",
        )
        application.pass_famille = PassFamilleRequest(
            qf_value=quotient.value if quotient else None,
            qf_provider=quotient.provider if quotient else None,
            qf_year=quotient.year if quotient else None,
            qf_month=quotient.month if quotient else None,
            qf_source=quotient.source if quotient else None,
            qf_fetched_at=utcnow() if from_api else None,
        )
        decisions.record(application.pass_famille, decision)
        application.reference = numbering.reference(
            "PF", today.year, numbering.next_reference_value(today.year)
        )  # as in wizard/submit.py
        db.session.add(application)
        db.session.flush()
        if qf_source == "document":
            upload = FileStorage(io.BytesIO(PDF_BYTES), filename=PDF["name"], content_type=PDF["mimeType"])
            documents.store(upload, "attestation_qf", application=application)
        db.session.commit()
        return Filed(application.id, application.reference, address)


def move(app: Flask, filed: Filed, *statuses: str, by: str = AGENT, qf: int | None = None) -> None:
    """Status changes through the workflow, as the agent `by` would make them (the family is mailed each time).
    `qf`: the agent first verifies the QF read on the document."""
    with app.app_context():
        application = db.session.get(Application, filed.id)
        agent = auth.find_agent(by)
        if qf is not None:
            qf_check.verify(application, agent, qf)
        for status in statuses:
            statemachine.change_status(
                application,
                status,
                agent,
                reason="Votre adresse n'est pas dans la commune." if status == "refused" else None,
                message="Votre attestation de quotient familial de moins de 3 mois."
                if status == "documents_requested"
                else None,
            )


def family_path(app: Flask, filed: Filed) -> str:
    """The family's link for the application's current status (the one the last mail carried), opened on the live
    server: the app builds it on PASSFAMILLE_URL."""
    with app.app_context():
        return path_of(statemachine.family_link(db.session.get(Application, filed.id)))


def password_path(app: Flask, address: str) -> str:
    """The one-time link to choose a password (as `flask agents create` prints it), without host."""
    with app.app_context():
        return path_of(auth.password_link(auth.find_agent(address)))


# --- mails at the session's SMTP server ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def mails_to(mailbox, address: str, count: int = 1, seconds: float = 5.0) -> list[Mail]:
    """The mails received for `address`, in order, once at least `count` have arrived."""
    deadline = time.monotonic() + seconds
    while True:
        with mailbox.lock:
            envelopes = [e for e in mailbox.messages if address in e.rcpt_tos]
        if len(envelopes) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(envelopes) >= count, (
        f"{len(envelopes)} courriel(s) pour {address} au serveur SMTP local, {count} attendu(s)"
    )
    found = []
    for envelope in envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        found.append(Mail(message["Subject"], message.get_body(preferencelist=("plain",)).get_content()))
    return found
