"""Later re-check: applications recorded while API Particulier was unavailable are asked again."""

import logging
from datetime import date

from flask import current_app
from sqlalchemy import select

from . import decisions, rules
from .api_clients import CRECHE, PASS_FAMILLE, client_for
from .api_particulier import ApiParticulierClient, ApiParticulierError, Unavailable
from .creche import estimate
from .extensions import db
from .models import Application, CrecheRequest
from .wizard.certify import address_json, record_event, to_identity

log = logging.getLogger(__name__)

GIVE_UP_AFTER_DAYS = 30
# ApiEvent.endpoint values, as the wizard records them.
QF, EAJE = "quotient_familial", "participation_familiale_eaje"


def _household(application: Application, facts) -> rules.Household:
    declared = [c for c in application.children or [] if c.get("source") == "declared"]
    children = tuple(rules.Child(c.first_names, c.birth_date, "api") for c in facts.children)
    children += decisions.children_from_json(declared, "declared")
    qf = facts.quotient_familial
    if facts.address and facts.address.postal_code:
        application.address = address_json(facts.address)
        application.address_source = "api"
    return rules.Household(
        qf=rules.QuotientFamilial(qf.value, qf.provider, qf.year, qf.month, "api") if qf else None,
        qf_status="known" if qf else "not_provided",
        children=children,
        postal_code=(application.address or {}).get("postal_code"),
    )


def run(today: date, settings=None) -> dict:
    """Each démarche's pending applications, asked with that démarche's token."""
    client = client_for(PASS_FAMILLE)
    settings = settings or current_app.extensions["commune"]
    counts = {"checked": 0, "updated": 0, "unresolved": 0, "still_unavailable": 0}
    pending = db.session.scalars(
        select(Application).where(Application.status == "awaiting_recheck", Application.recheck_identity.is_not(None))
    ).all()
    for application in pending:
        counts["checked"] += 1
        try:
            facts = client.quotient_familial(to_identity(application.recheck_identity))
        except Unavailable as error:
            record_event(QF, error.outcome, error.status, error.code, error.request_id)
            if (today - application.created_at.date()).days < GIVE_UP_AFTER_DAYS:
                counts["still_unavailable"] += 1
                continue
            # The identity is not kept for ever on the hope of an answer: an agent takes the file over.
            application.api_outcome = "unavailable"
            counts["unresolved"] += 1
        except ApiParticulierError as error:
            record_event(QF, error.outcome, error.status, error.code, error.request_id)
            # Not found or not recognised: an agent asks the family for a document.
            application.api_outcome = error.outcome
            counts["unresolved"] += 1
        else:
            record_event(QF, "ok", 200, request_id=facts.request_id)
            household = _household(application, facts)
            qf, found = facts.quotient_familial, application.pass_famille
            found.qf_value, found.qf_provider = (qf.value, qf.provider) if qf else (None, None)
            found.qf_year, found.qf_month = (qf.year, qf.month) if qf else (None, None)
            found.qf_source = "api" if qf else None
            found.qf_fetched_at = facts.fetched_at
            application.api_request_id = facts.request_id
            application.api_outcome = "ok"
            application.children = decisions.children_json(household.children)
            # The rules in force when the family applied decide, not those of the day of the re-check.
            decision = rules.decide(household, settings.pass_famille.rules, on=application.created_at.date())
            decisions.record(found, decision)
            counts["updated"] += 1
        # The family has not confirmed these facts: an agent checks them before deciding.
        application.status = "to_verify"
        application.recheck_identity = None
        db.session.commit()
        log.info("recheck reference=%s outcome=%s", application.reference, application.api_outcome)
    db.session.commit()  # the calls of applications still waiting
    if settings.creche is not None:
        _recheck_creche(client_for(CRECHE), today, settings, counts)
    return counts


def _recheck_creche(client: ApiParticulierClient, today: date, settings, counts: dict) -> None:
    """Crèche requests recorded with « la mairie interrogera la CAF ou la MSA plus tard »: the PSU facts and
    the estimate are filled in; the request keeps its place and status on the waiting lists."""
    pending = db.session.scalars(
        select(Application)
        .join(CrecheRequest)
        .where(CrecheRequest.psu_source == "pending", Application.recheck_identity.is_not(None))
    ).all()
    for application in pending:
        request = application.creche
        counts["checked"] += 1
        try:
            facts = client.participation_familiale_eaje(to_identity(application.recheck_identity))
        except Unavailable as error:
            record_event(EAJE, error.outcome, error.status, error.code, error.request_id)
            if (today - application.created_at.date()).days < GIVE_UP_AFTER_DAYS:
                counts["still_unavailable"] += 1
                continue
            application.api_outcome = "unavailable"
            request.psu_source = None
            counts["unresolved"] += 1
        except ApiParticulierError as error:
            record_event(EAJE, error.outcome, error.status, error.code, error.request_id)
            application.api_outcome = error.outcome
            request.psu_source = None  # no estimate; the price is set with the family when a place is offered
            counts["unresolved"] += 1
        else:
            record_event(EAJE, "ok", 200, request_id=facts.request_id)
            application.api_request_id = facts.request_id
            application.api_outcome = "ok"
            parameters = facts.parameters
            if parameters is None:
                request.psu_source = None
                counts["unresolved"] += 1
            else:
                request.psu_source = "api"
                request.psu_fetched_at = facts.fetched_at
                # The barème in force when the family applied, as the wizard would have used.
                estimate.record(
                    request,
                    parameters.annual_resources,
                    parameters.children,
                    parameters.aeeh_children,
                    on=application.created_at.date(),
                )
                counts["updated"] += 1
        application.recheck_identity = None
        db.session.commit()
        log.info("recheck reference=%s outcome=%s", application.reference, application.api_outcome)
    db.session.commit()
