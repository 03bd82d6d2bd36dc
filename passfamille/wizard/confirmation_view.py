"""What the confirmation page shows once a submission is recorded: each application with its reference, what was
asked, when the family hears back (the commune's settings), its follow-up link, and the summary a family prints or
saves as PDF."""

from datetime import timedelta

from flask import current_app

from ..creche import relance
from ..demarches import DEMARCHES
from ..formatting import date_time, local, long_date
from ..models import Application
from .submit import recorded


def _item(application: Application) -> dict:
    settings = current_app.extensions["commune"]
    demarche = DEMARCHES[application.demarche]
    submitted_on = local(application.created_at).date()
    if application.demarche == "creche":
        title = "Préinscription en crèche"
        # The family hears from the commune at the first relance at the latest, or as soon as a place is offered.
        hears_by = long_date(relance.next_relance_on(application.creche))
    else:
        title = settings.pass_famille.title
        hears_by = long_date(submitted_on + timedelta(days=settings.pass_famille.answer_within_days))
    return {
        "demarche": application.demarche,
        "title": title,
        "reference": application.reference,
        "status": application.status,
        "qf_source": application.pass_famille.qf_source if application.pass_famille else None,
        "qf_value": application.pass_famille.qf_value if application.pass_famille else None,
        "hears_by": hears_by,
        # The signed link of the démarche (bound to the current status for the Pass Famille: made afresh on each
        # view of this page, which only the browser that sent the application can open).
        "follow_url": demarche.link.url(application),
    }


def view(application: Application) -> dict:
    applications = recorded(application)
    return {
        "items": [_item(a) for a in applications],
        "submitted_at": date_time(application.created_at),
        "email": application.email,
        "answer_within_days": current_app.extensions["commune"].pass_famille.answer_within_days,
    }
