"""The life of a crèche request after submission: allowed status changes, what each one records, the mail that
tells the family, and the family's link. Every change leaves an AuditEvent (who, when, from, to).

    en attente → place proposée → place acceptée → admis
                                → place refusée / proposition expirée → (the commission) en attente again
    en attente → close sans réponse (relance unanswered) / retirée par la famille
"""

import logging
from datetime import date, datetime, timedelta

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update

from .. import mail
from ..backoffice.workflow import claim_status, record
from ..extensions import db
from ..models import STATUS_LABELS, Agent, Application, AuditEvent, CrecheRequest, utcnow
from ..retention import months_after

log = logging.getLogger(__name__)

WAITING = "waiting"
TRANSITIONS: dict[str, frozenset[str]] = {
    "waiting": frozenset({"offered", "closed", "withdrawn"}),
    "offered": frozenset({"offer_accepted", "offer_declined", "offer_expired"}),
    "offer_accepted": frozenset({"admitted"}),
    "offer_declined": frozenset({"waiting", "withdrawn"}),
    "offer_expired": frozenset({"waiting", "withdrawn"}),
    "admitted": frozenset(),
    "closed": frozenset(),
    "withdrawn": frozenset(),
}
# Statuses after which the request is finished: it is erased retention.refused_application_months later.
FINISHED = frozenset({"admitted", "closed", "withdrawn"})


class TransitionError(Exception):
    """A status change that the workflow does not allow, or that lacks what it needs."""


def allowed(application: Application) -> frozenset[str]:
    return TRANSITIONS.get(application.status, frozenset())


def _settings():
    return current_app.extensions["commune"].creche


def offer_problem(request: CrecheRequest, structure_code: str, age_group_code: str, start: date | None) -> str | None:
    """Why this place cannot be offered to this request, in French, or None."""
    if request.application.status != WAITING:
        return f"Cette demande est « {request.application.status_label} » : aucune place ne peut lui être proposée"
    if not any(w.structure_code == structure_code and w.age_group_code == age_group_code for w in request.wishes):
        return "La famille n'a pas demandé cette structure pour cette section"
    if start is None:
        return "Indiquez la date d'entrée proposée"
    return None


def change_status(
    application: Application,
    to_status: str,
    agent: Agent | None,
    *,
    detail: str | None = None,
    today: date | None = None,
    offer: tuple[str, str, date] | None = None,
) -> AuditEvent:
    """Apply one status change, record it, commit, then mail the family. Raises TransitionError.

    `offer` = (structure code, age group code, start date) is required to move to "offered"."""
    today = today or date.today()
    request = application.creche
    from_status = application.status
    if request is None or to_status not in allowed(application):
        raise TransitionError(not_allowed(from_status, to_status))
    settings = _settings()
    if to_status == "offered":
        structure_code, age_group_code, start = offer or (None, None, None)
        problem = offer_problem(request, structure_code, age_group_code, start)
        if problem:
            raise TransitionError(problem)
    if not claim_status(application, to_status):
        raise TransitionError(not_allowed(application.status, to_status))
    if to_status == "offered":
        request.offer_structure, request.offer_age_group, request.offer_start_date = offer
        request.offer_deadline = today + timedelta(days=settings.delays.offer_answer_days)
        request.offered_at = utcnow()
        request.relance_sent_at = None  # an offer answers the question "do you still want a place?"
        detail = detail or _offer_detail(request)
    elif to_status == WAITING:
        request.offer_structure = request.offer_age_group = None
        request.offer_start_date = request.offer_deadline = request.offered_at = None
        request.confirmed_at = utcnow()
    if to_status in FINISHED:
        application.decided_at = utcnow()
        application.purge_after = months_after(
            today, current_app.extensions["commune"].retention.refused_application_months
        )
    event = record(application, agent, "status", detail, from_status, to_status)
    db.session.commit()
    log.info("creche status reference=%s from=%s to=%s", application.reference, from_status, to_status)
    event.family_notified = notify_family(application, previous_status=from_status, agent=agent, detail=detail)
    return event


def confirm(application: Application, agent: Agent | None = None, today: date | None = None) -> None:
    """The family still wants a place (answer to a relance): the request keeps its rank. Raises TransitionError
    when the relance it read was answered meanwhile (by a double click or another tab)."""
    request = application.creche
    # The relance this request read is the one it answers: a second answer finds it answered already.
    read = request.relance_sent_at
    pending = CrecheRequest.relance_sent_at.is_(None) if read is None else CrecheRequest.relance_sent_at == read
    answered = db.session.execute(
        update(CrecheRequest)
        .where(CrecheRequest.id == request.id, pending)
        .values(relance_sent_at=None, confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if answered.rowcount != 1:
        db.session.rollback()
        raise TransitionError("Aucune question n'attend votre réponse : votre demande n'a pas changé")
    db.session.refresh(request)
    months = current_app.extensions["commune"].retention.application_months
    application.purge_after = months_after(today or date.today(), months)
    record(application, agent, "relance_answer", "demande maintenue par la famille")
    db.session.commit()
    log.info("creche request confirmed reference=%s", application.reference)


def _offer_detail(request: CrecheRequest) -> str:
    structure = _settings().structure(request.offer_structure)
    group = structure.age_group(request.offer_age_group) if structure else None
    where = f"{structure.name if structure else request.offer_structure}, {group.label if group else ''}".rstrip(", ")
    start, deadline = request.offer_start_date, request.offer_deadline
    return f"{where} — entrée le {start:%d/%m/%Y}, réponse attendue avant le {deadline:%d/%m/%Y}"


def not_allowed(from_status: str, to_status: str) -> str:
    current = STATUS_LABELS.get(from_status, from_status)
    if to_status not in STATUS_LABELS:
        return f"Action inconnue pour une demande « {current} »"
    if not TRANSITIONS.get(from_status):
        return f"Cette demande est déjà « {current} » : son statut ne peut plus changer"
    return f"Cette demande est « {current} » : elle ne peut pas passer à « {STATUS_LABELS[to_status]} »"


def notify_family(
    application: Application,
    previous_status: str | None = None,
    agent: Agent | None = None,
    detail: str | None = None,
) -> bool:
    """The mail for the request's current status (templates mails/creche-<status>.txt), in plain French."""
    settings = current_app.extensions["commune"]
    body = render_template(
        f"mails/creche-{application.status}.txt",
        application=application,
        request=application.creche,
        settings=settings,
        family_link=family_link(application),
        previous_status=previous_status,
        by_agent=agent is not None,
        detail=detail,
    )
    return mail.send(application.email, f"Préinscription en crèche : demande {application.reference}", body)


# --- the family's link: status, rank, points; answer a relance or an offer -------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="passfamille-creche")


def link_max_age() -> int:
    """Seconds a link stays valid: until the answer to the next relance is due. Every relance and every offer
    mails a fresh link, so a family always holds a valid one while its request lives."""
    delays = _settings().delays
    return (delays.relance_months * 31 + delays.relance_answer_days) * 24 * 3600


def family_token(application: Application) -> str:
    return _serializer().dumps({"creche": application.id})


def family_link(application: Application) -> str:
    return f"{current_app.config['PASSFAMILLE_URL']}/creche/suivi/{family_token(application)}"


def application_from_family_token(token: str, now: datetime | None = None) -> Application | None:
    serializer = _serializer()
    try:
        if now is None:
            data = serializer.loads(token, max_age=link_max_age())
        else:  # a fixed clock, for the relance command's tests
            data, signed_at = serializer.loads(token, return_timestamp=True)
            if (now - signed_at.replace(tzinfo=None)).total_seconds() > link_max_age():
                return None
    except (BadSignature, SignatureExpired):
        return None
    application = db.session.get(Application, data.get("creche")) if isinstance(data, dict) else None
    if application is None or application.creche is None:
        return None
    return application
