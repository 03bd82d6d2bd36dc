"""Recording a crèche request: the one place that gives it its reference, first status and retention."""

import logging
from datetime import date

from flask import current_app

from .. import numbering
from ..demarches.creche import WAITING
from ..extensions import db
from ..models import Application, CrecheRequest, CrecheWish, utcnow
from ..retention import months_after

log = logging.getLogger(__name__)


def record(
    application: Application,
    request: CrecheRequest,
    wishes: list[tuple[str, str]],
    today: date,
    linked: Application | None = None,
    number: int | None = None,
) -> Application:
    """Add a new crèche request (its Application fields already filled with the family's answers) and its
    wishes, in the family's order, as (structure code, age group code). Flushes, does not commit. `number`: the
    reference number its submission already took (shared with the linked Pass Famille), else a new one."""
    settings = current_app.extensions["commune"]
    application.demarche = "creche"
    application.status = WAITING
    # A live request is bounded by the relance (no answer → closed); this is the safety net if none is sent.
    application.purge_after = months_after(today, settings.retention.application_months)
    request.confirmed_at = utcnow()
    request.wishes = [
        CrecheWish(position=position, structure_code=structure, age_group_code=group)
        for position, (structure, group) in enumerate(wishes, start=1)
    ]
    application.creche = request
    value = number if number is not None else numbering.next_reference_value(today.year)
    application.reference = numbering.reference("CR", today.year, value)
    db.session.add(application)
    db.session.flush()
    if linked is not None:
        application.linked_application = linked
        linked.linked_application = application
    log.info("creche request recorded reference=%s wishes=%d", application.reference, len(wishes))
    return application
