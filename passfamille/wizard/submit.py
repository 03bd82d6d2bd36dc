"""Submission: one transaction turns a complete draft into an Application and records its receipt (outbox)."""

import logging
from datetime import date, datetime

from flask import current_app, render_template, url_for

from .. import decisions, documents, numbering, outbox, retention, rules
from ..creche import registration
from ..demarches.creche import DEMARCHE as CRECHE
from ..demarches.pass_famille import DEMARCHE as PASS_FAMILLE
from ..extensions import db
from ..models import Application, CrecheRequest, PassFamilleRequest
from . import certify, creche, fiscal, household, store
from .draft import answers, certified, certified_ok, uses_api, via_franceconnect, wants_creche, wants_pass_famille

log = logging.getLogger(__name__)


def initial_status(qf_status: str, qf: rules.QuotientFamilial | None, household_facts: rules.Household) -> str:
    if qf_status == "pending":
        return "awaiting_recheck"
    if (
        qf_status == "to_compute"
        or (qf and qf.source != "api")
        or any(c.source == "declared" for c in household_facts.children)
    ):
        return "to_verify"
    return "submitted"


def _applicant_fields(draft) -> dict:
    applicant = answers(draft, "demandeur")
    first_names = " ".join(
        applicant.get(k) for k in ("first_name_1", "first_name_2", "first_name_3") if applicant.get(k)
    )
    return {
        "birth_name": applicant["birth_name"],
        "usage_name": applicant.get("usage_name") or None,
        "first_names": first_names or None,
        "email": applicant["email"],
        "identity_modality": "franceconnect" if via_franceconnect(draft) else ("identite" if uses_api(draft) else None),
    }


def _pass_famille(draft, today: date, number: int) -> Application:
    settings = current_app.extensions["commune"]
    known = household.known(draft)
    facts, qf, qf_status = known.household, known.qf, known.qf_status
    decision = rules.decide(facts, settings.pass_famille.rules, on=today)
    applicant = answers(draft, "demandeur")
    fetched = certified(draft).household
    application = Application(
        status=initial_status(qf_status, qf, facts),
        **_applicant_fields(draft),
        # Kept only so that `adhesions recheck` can ask the CAF/MSA again; erased once it has.
        recheck_identity=certify.identity_of(applicant) if qf_status == "pending" else None,
        api_request_id=fetched.request_id,
        api_outcome=fetched.outcome,
        children=decisions.children_json(facts.children),
        address=known.home,
        address_source=known.address_source,
        purge_after=retention.months_after(today, settings.retention.application_months),
    )
    application.pass_famille = PassFamilleRequest(
        qf_value=qf.value if qf else None,
        qf_provider=qf.provider if qf else None,
        qf_year=qf.year if qf else None,
        qf_month=qf.month if qf else None,
        # A tax notice: the QF comes from the document, an agent works it out (qf_check.py) — none is made up.
        qf_source=qf.source if qf else ("document" if qf_status == "to_compute" else None),
        qf_fetched_at=datetime.fromisoformat(fetched.fetched_at) if certified_ok(draft) else None,
    )
    decisions.record(application.pass_famille, decision)
    # The avis's figures the family typed, kept with their source for the agent's check (qf_check.py), or the DGFiP's
    # with their provenance.
    avis = fiscal.confirmed(draft)
    decisions.record_fiscal(
        application.pass_famille,
        facts.fiscal,
        fetched_at=datetime.fromisoformat(avis.fetched_at) if avis and avis.fetched_at else None,
        correlation_id=avis.correlation_id if avis else None,
    )
    application.reference = numbering.reference("PF", today.year, number)
    db.session.add(application)
    return application


def _creche(draft, today: date, linked: Application | None, number: int) -> Application:
    known = household.known(draft)
    applicant = answers(draft, "demandeur")
    eaje = certified(draft).eaje
    source = creche.psu_source(draft)
    child = creche.child(draft, today)
    found = creche.draft_estimates(draft, today)
    application = Application(
        **_applicant_fields(draft),
        recheck_identity=certify.identity_of(applicant) if source == "pending" else None,
        api_request_id=eaje.request_id,
        api_outcome=eaje.outcome,
        children=decisions.children_json(known.household.children),
        address=known.home,
        address_source=known.address_source,
    )
    request = CrecheRequest(
        child_source=child["source"],
        child_first_name=child.get("first_name"),
        child_birth_date=child.get("birth_date"),
        child_due_date=child.get("due_date"),
        start_date=creche.start_date(draft),
        days_per_week=creche.days_per_week(draft),
        hours_per_week=creche.hours_per_week(draft),
        criteria=creche.criteria(draft),
        psu_source=source,
        psu_annual_resources=eaje.annual_resources if source == "api" else None,
        psu_children=eaje.children_count if source == "api" else None,
        psu_aeeh_children=eaje.aeeh_children if source == "api" else None,
        psu_fetched_at=datetime.fromisoformat(eaje.fetched_at) if source == "api" else None,
        estimate=creche.estimate_json(found, today) if found else None,
    )
    return registration.record(application, request, creche.wishes(draft), today, linked=linked, number=number)


def _keep_documents(draft, pass_famille: Application | None, creche_application: Application | None) -> None:
    """QF proofs go to the Pass Famille, criteria and resources proofs to the crèche; the rest is deleted."""
    ticked = {documents.CRITERION_PREFIX + code for code in creche.criteria(draft)} if creche_application else set()
    if creche_application is not None and creche_application.creche.psu_source == "document":
        ticked.add(documents.CRECHE_RESOURCES)
    for document in list(draft.documents):
        if documents.is_creche_kind(document.kind):
            if document.kind in ticked:
                document.application = creche_application
                continue
        elif pass_famille is not None and pass_famille.pass_famille.qf_source == "document":
            document.application = pass_famille
            continue
        documents.delete(document)  # uploaded, then the family changed its answers


def submit(draft, today: date) -> Application:
    """Record the chosen démarches and their one receipt in one transaction (the receipt is sent after the
    response). Returns the first application.

    The caller has claimed the draft (`store.claim`) in the same transaction."""
    # One number for the submission: its Pass Famille and crèche references differ by their prefix only.
    number = numbering.next_reference_value(today.year)
    pass_famille = _pass_famille(draft, today, number) if wants_pass_famille(draft) else None
    creche_application = _creche(draft, today, pass_famille, number) if wants_creche(draft) else None
    _keep_documents(draft, pass_famille, creche_application)
    first = pass_famille or creche_application
    db.session.flush()
    store.submitted(draft, first.id)
    send_receipt(first)
    db.session.commit()
    for application in (pass_famille, creche_application):
        if application is not None:
            log.info("application recorded reference=%s status=%s", application.reference, application.status)
    return first


def recorded(application: Application) -> list[Application]:
    """The applications of one submission: the Pass Famille first, then the linked crèche request."""
    found = [application]
    if application.linked_application is not None:
        found.append(application.linked_application)
    return sorted(found, key=lambda a: a.demarche != "pass_famille")


def send_receipt(application: Application) -> None:
    settings = current_app.extensions["commune"]
    applications = recorded(application)
    references = " et ".join(a.reference for a in applications)
    creche_application = next((a for a in applications if a.demarche == "creche"), None)
    pass_famille = next((a for a in applications if a.demarche == "pass_famille"), None)
    pass_famille_link = PASS_FAMILLE.link.url(pass_famille) if pass_famille else None
    lost_link = f"{current_app.config['PASSFAMILLE_URL']}{url_for('lost_link.ask')}"
    if creche_application is None:
        body = render_template(
            "mails/accuse-reception.txt",
            application=application,
            settings=settings,
            link=pass_famille_link,
            lost_link=lost_link,
        )
        subject = f"{settings.pass_famille.title} : demande {application.reference} reçue"
        outbox.queue(application.email, subject, body, kind="accuse-reception")
        return
    body = render_template(
        "mails/accuse-reception-creche.txt",
        applications=applications,
        pass_famille=pass_famille,
        creche_application=creche_application,
        link=CRECHE.link.url(creche_application),
        pass_famille_link=pass_famille_link,
        lost_link=lost_link,
        settings=settings,
    )
    subject = "Demandes" if len(applications) > 1 else "Préinscription en crèche : demande"
    subject = f"{subject} {references} reçue{'s' if len(applications) > 1 else ''}"
    outbox.queue(application.email, subject, body, kind="accuse-reception")
