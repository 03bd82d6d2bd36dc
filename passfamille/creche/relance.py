"""`flask --app wsgi creche relance`: the waiting list's daily upkeep, run every day from cron.

Three passes over the crèche requests, for one day (today, or the --date given):
  1. a place offered whose answer deadline has passed → "offer_expired" (the commission decides what follows);
  2. a relance left unanswered past `delays.relance_answer_days` → "closed";
  3. a request waiting, without a pending relance, last confirmed `delays.relance_months` months ago or more →
     the mail "Maintenez-vous votre demande ?" with a fresh family link, and the relance is recorded.
Each pass only picks what is due and leaves it in a state the pass no longer picks, so running the command
twice the same day (or re-running a missed day) sends nothing twice; two runs at once neither: each change is
claimed by a conditional UPDATE before its mail leaves.
"""

import logging
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import click
from flask import current_app, render_template
from flask.cli import with_appcontext
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from .. import audit, mail
from ..clock import commune_today
from ..demarches import creche as demarche
from ..demarches.statemachine import TransitionError, change_status, family_link
from ..extensions import db
from ..formatting import local, short_date
from ..models import Agent, Application, CrecheRequest, utcnow
from ..retention import months_after

log = logging.getLogger(__name__)

SUBJECT = "Maintenez-vous votre demande de place en crèche ? Demande {reference}"


def _delays():
    return current_app.extensions["commune"].creche.delays


def _day(moment: datetime) -> date:
    """The commune's calendar day of a stored (naive UTC) time."""
    return local(moment).date()


def answer_deadline(request: CrecheRequest) -> date | None:
    """Last day on which the family may answer the pending relance (included), or None if none is pending."""
    if request.relance_sent_at is None:
        return None
    return _day(request.relance_sent_at) + timedelta(days=_delays().relance_answer_days)


def next_relance_on(request: CrecheRequest) -> date:
    """The day the family will next be asked whether it maintains its request."""
    return months_after(_day(request.confirmed_at), _delays().relance_months).date()


@dataclass
class Counts:
    sent: int = 0
    closed: int = 0
    expired: int = 0
    failed: int = 0  # relance mails the mail server refused: retried on the next run


def _requests(status: str) -> list[Application]:
    query = (
        select(Application)
        .where(Application.demarche == "creche", Application.status == status)
        .options(selectinload(Application.creche).selectinload(CrecheRequest.wishes))
        .order_by(Application.id)
    )
    return list(db.session.scalars(query))


def _changed(application: Application, to_status: str, detail: str, day: date) -> bool:
    """Apply the change; False when another run (or an agent) changed the request first."""
    try:
        change_status(application, to_status, None, detail=detail, today=day)
    except TransitionError:
        return False
    return True


def _expire_offers(day: date, counts: Counts) -> None:
    for application in _requests("offered"):
        deadline = application.creche.offer_deadline
        if deadline is not None and deadline < day:
            detail = f"pas de réponse à la proposition avant le {short_date(deadline)}"
            if _changed(application, "offer_expired", detail, day):
                counts.expired += 1


def _close_unanswered(day: date, counts: Counts) -> None:
    for application in _requests(demarche.WAITING):
        deadline = answer_deadline(application.creche)
        if deadline is not None and deadline < day:
            detail = f"pas de réponse à la relance avant le {short_date(deadline)}"
            if _changed(application, "closed", detail, day):
                counts.closed += 1


def _claim_relance(request: CrecheRequest, sent_at: datetime) -> bool:
    """Mark the relance as sent if no other run did it meanwhile: one conditional UPDATE, committed before the mail
    leaves, so that two runs at once (two servers' crons, a manual run during the nightly one) send it once."""
    claimed = db.session.execute(
        update(CrecheRequest)
        .where(CrecheRequest.id == request.id, CrecheRequest.relance_sent_at.is_(None))
        .values(relance_sent_at=sent_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def _release_relance(request: CrecheRequest, sent_at: datetime) -> None:
    """The mail did not leave: unmark it (only this run's mark) so that the next run sends it."""
    db.session.execute(
        update(CrecheRequest)
        .where(CrecheRequest.id == request.id, CrecheRequest.relance_sent_at == sent_at)
        .values(relance_sent_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _send_relances(day: date, counts: Counts) -> None:
    for application in _requests(demarche.WAITING):
        request = application.creche
        if request.relance_sent_at is not None or next_relance_on(request) > day:
            continue
        # Noon UTC is the same calendar day in France whatever the season, so the deadline counts from `day`.
        sent_at = datetime.combine(day, time(12))
        if not _claim_relance(request, sent_at):
            continue  # another run sent it
        deadline = answer_deadline(request)
        body = render_template(
            "mails/creche-relance.txt",
            application=application,
            request=request,
            settings=current_app.extensions["commune"],
            family_link=family_link(application),
            deadline=deadline,
        )
        if not mail.send(application.email, SUBJECT.format(reference=application.reference), body):
            # Not recorded: a family that never got the question must not be closed for not answering it.
            _release_relance(request, sent_at)
            counts.failed += 1
            log.warning("creche relance not sent reference=%s", application.reference)
            continue
        audit.record(
            application, None, "relance", f"relance envoyée, réponse attendue au plus tard le {short_date(deadline)}"
        )
        db.session.commit()
        counts.sent += 1
        log.info("creche relance sent reference=%s", application.reference)


def run(day: date) -> Counts:
    """The day's upkeep (see the module's docstring); every change is committed as it is made."""
    counts = Counts()
    _expire_offers(day, counts)
    _close_unanswered(day, counts)
    _send_relances(day, counts)
    return counts


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise click.BadParameter(f"date attendue au format AAAA-MM-JJ (ex. 2026-04-10), « {value} » trouvé") from None


@click.command(
    "relance",
    help=(
        "Relance les familles en attente d'une place en crèche (« Maintenez-vous votre demande ? »), clôt les "
        "demandes restées sans réponse et fait expirer les propositions de place sans réponse. À lancer chaque "
        "jour (cron) ; la relancer le même jour n'envoie rien de plus."
    ),
)
@click.option(
    "--date",
    "day",
    callback=lambda _ctx, _param, value: _parse_day(value),
    default=None,
    metavar="AAAA-MM-JJ",
    help="Jour à traiter (par défaut : aujourd'hui), pour rattraper un jour manqué.",
)
@with_appcontext
def relance_command(day):
    if current_app.extensions["commune"].creche is None:
        raise click.ClickException("Les paramètres de la commune n'ont pas de section « creche: ».")
    counts = run(day or commune_today())
    click.echo(
        f"{counts.sent} relance(s) envoyée(s), {counts.closed} demande(s) close(s), "
        f"{counts.expired} proposition(s) expirée(s)."
    )
    if counts.failed:
        click.echo(
            f"{counts.failed} relance(s) non envoyée(s) : le serveur de courriel a refusé ; "
            "nouvel essai au prochain passage.",
            err=True,
        )
        sys.exit(1)


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
    application.purge_after = months_after(today or commune_today(), months)
    audit.record(application, agent, "relance_answer", "demande maintenue par la famille")
    db.session.commit()
    log.info("creche request confirmed reference=%s", application.reference)
