"""Submission: one transaction turns a complete draft into an Application, then the receipt is mailed."""

import logging
from datetime import date, datetime

from flask import current_app, render_template

from .. import decisions, mail, retention, rules
from ..extensions import db
from ..models import Application
from . import certify, documents, household
from .steps import answers, certified_ok

log = logging.getLogger(__name__)


def initial_status(qf_status: str, qf: rules.QuotientFamilial | None, household_facts: rules.Household) -> str:
    if qf_status == "pending":
        return "awaiting_recheck"
    if (qf and qf.source != "api") or any(c.source == "declared" for c in household_facts.children):
        return "to_verify"
    return "submitted"


def submit(draft, today: date) -> Application:
    settings = current_app.extensions["commune"]
    facts = household.build(draft)
    decision = rules.decide(facts, settings.pass_famille.rules, on=today)
    qf, qf_status = household.quotient_familial(draft)
    home, address_source = household.address(draft)
    applicant = answers(draft, "demandeur")
    certified = draft.certified or {}
    first_names = " ".join(
        applicant.get(k) for k in ("first_name_1", "first_name_2", "first_name_3") if applicant.get(k)
    )
    application = Application(
        status=initial_status(qf_status, qf, facts),
        birth_name=applicant["birth_name"],
        usage_name=applicant.get("usage_name") or None,
        first_names=first_names or None,
        email=applicant["email"],
        # Kept only so that `adhesions recheck` can ask the CAF/MSA again; erased once it has.
        recheck_identity=certify.identity_of(applicant) if qf_status == "pending" else None,
        qf_value=qf.value if qf else None,
        qf_provider=qf.provider if qf else None,
        qf_year=qf.year if qf else None,
        qf_month=qf.month if qf else None,
        qf_source=qf.source if qf else None,
        qf_fetched_at=datetime.fromisoformat(certified["fetched_at"]) if certified_ok(draft) else None,
        api_request_id=certified.get("request_id"),
        api_outcome=certified.get("outcome"),
        children=decisions.children_json(facts.children),
        address=home,
        address_source=address_source,
        purge_after=retention.months_after(today, settings.retention.application_months),
    )
    decisions.record(application, decision)
    db.session.add(application)
    db.session.flush()  # the reference is built from the row id
    application.reference = f"PF-{today.year}-{application.id:06d}"
    for document in list(draft.documents):
        if application.qf_source == "document":
            document.application = application
        else:
            documents.delete(document)  # uploaded, then the family switched to the CAF/MSA route
    # The draft keeps only the link that shows the confirmation page; its answers are no longer needed.
    draft.application_id = application.id
    draft.answers = {}
    draft.certified = {}
    db.session.commit()
    log.info("application recorded reference=%s status=%s", application.reference, application.status)
    send_receipt(application)
    return application


def send_receipt(application: Application) -> None:
    settings = current_app.extensions["commune"]
    body = render_template("mails/accuse-reception.txt", application=application, settings=settings)
    mail.send(application.email, f"{settings.pass_famille.title} : demande {application.reference} reçue", body)
