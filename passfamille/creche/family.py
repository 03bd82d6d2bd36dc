"""The family's crèche pages: the link from the mails (/creche/suivi/<token>) and the public points grid.

The signed token is the key (no account): the page shows the status, the rank on each wished list, the points
and what happens next, and takes the family's two possible answers — to a relance ("Maintenez-vous votre
demande ?") and to an offered place — as POST forms, then redirects back to the page (Post/Redirect/Get).
"""

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from ..demarches import creche as demarche
from ..demarches.statemachine import TransitionError, change_status
from ..extensions import db
from ..models import Application
from . import relance
from .family_view import follow_view, grid_view

log = logging.getLogger(__name__)

bp = Blueprint("creche_family", __name__)

ANSWERS_TO_RELANCE = {"maintenir", "retirer"}
ANSWERS_TO_OFFER = {"accepter": "offer_accepted", "refuser": "offer_declined"}
OFFER_CONFIRMATIONS = {
    "offer_accepted": "Vous avez accepté la place. Un courriel vous le confirme ; la structure vous contactera.",
    "offer_declined": "Vous avez refusé la place. Un courriel vous le confirme.",
}


def _settings():
    settings = current_app.extensions["commune"].creche
    if settings is None:  # a commune without crèches has no crèche pages
        abort(404)
    return settings


def _application(token: str) -> Application | None:
    _settings()
    return demarche.DEMARCHE.link.application(token)


def _invalid_link():
    return render_template("creche/lien-invalide.html"), 404


def _page(application: Application, token: str, problem: str | None = None, status: int = 200):
    view = follow_view(application, token, relance.commune_today())
    return render_template(
        "creche/suivi.html", suivi=view, problem=problem, errors=[problem] if problem else []
    ), status


@bp.get("/creche/suivi/<token>")
def follow(token):
    application = _application(token)
    if application is None:
        return _invalid_link()
    return _page(application, token)


@bp.post("/creche/suivi/<token>/relance")
def answer_relance(token):
    application = _application(token)
    if application is None:
        return _invalid_link()
    answer = request.form.get("reponse")
    if answer not in ANSWERS_TO_RELANCE:
        return _page(application, token, "Choisissez si vous maintenez ou retirez votre demande", 400)
    if application.status != demarche.WAITING or application.creche.relance_sent_at is None:
        return _page(application, token, "Aucune question n'attend votre réponse : votre demande n'a pas changé", 409)
    if answer == "maintenir":
        try:
            relance.confirm(application, today=relance.commune_today())
        except TransitionError as error:  # answered meanwhile, by a double click or another tab
            return _page(application, token, str(error), 409)
        flash("Merci : votre demande est maintenue, avec ses points et sa date. Votre rang ne change pas.", "success")
        return redirect(url_for(".follow", token=token), 303)
    return _change(application, token, "withdrawn", "Votre demande est retirée. Un courriel vous le confirme.")


@bp.post("/creche/suivi/<token>/proposition")
def answer_offer(token):
    application = _application(token)
    if application is None:
        return _invalid_link()
    to_status = ANSWERS_TO_OFFER.get(request.form.get("reponse"))
    if to_status is None:
        return _page(application, token, "Choisissez si vous acceptez ou refusez la place proposée", 400)
    if application.status == to_status:
        # The same answer, sent twice (a double click, another tab): the first one stands.
        flash(OFFER_CONFIRMATIONS[to_status], "success")
        return redirect(url_for(".follow", token=token), 303)
    if application.status != "offered":
        return _page(application, token, "Aucune place n'attend votre réponse : votre demande n'a pas changé", 409)
    deadline = application.creche.offer_deadline
    if deadline is not None and deadline < relance.commune_today():
        problem = (
            f"Le délai pour répondre à cette proposition est dépassé depuis le {deadline:%d/%m/%Y} : "
            "votre réponse n'a pas pu être enregistrée. Contactez la mairie"
        )
        return _page(application, token, problem, 409)
    if to_status == "offer_declined" and request.form.get("confirmation") != "oui":
        # A refusal cannot be undone by the family: it is recorded only once confirmed on its own page.
        view = follow_view(application, token, relance.commune_today())
        return render_template("creche/refus.html", suivi=view)
    return _change(application, token, to_status, OFFER_CONFIRMATIONS[to_status])


def _change(application: Application, token: str, to_status: str, confirmation: str):
    try:
        change_status(
            application,
            to_status,
            None,
            detail="réponse de la famille par son lien",
            today=relance.commune_today(),
        )
    except TransitionError:
        # The request moved on meanwhile (an agent, the nightly command, or this very answer sent twice at once):
        # show where it stands now.
        db.session.rollback()
        if application.status == to_status:
            flash(confirmation, "success")
            return redirect(url_for(".follow", token=token), 303)
        return _page(
            application, token, "Votre demande a changé entre-temps : votre réponse n'a pas été enregistrée", 409
        )
    flash(confirmation, "success")
    return redirect(url_for(".follow", token=token), 303)


@bp.get("/creche/grille")
def grid():
    return render_template("creche/grille.html", grille=grid_view(_settings()))
