"""« Vous avez perdu le lien ? »: the family gives its reference and the e-mail address of its application, and the
follow-up link of that application (Pass Famille or crèche: demarches.base.FamilyLink) is sent again to that address.

The page says the same thing whether or not the pair matches an application, and the mail goes only to the address
already on the application: the form tells nobody whether a reference exists, nor lets anyone send a link elsewhere.
Attempts are counted per client address and per reference before the lookup (ratelimit.py), and one mail at most
leaves per application in a window, so that a double click or two tabs send one mail. The reference and the address
travel in the POST body only, never in a URL; the link, like every mail, goes through the outbox."""

import logging
import re
from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from . import outbox, ratelimit
from .demarches import DEMARCHES
from .extensions import db
from .forms_base import BaseForm, MaxLength, email_validators
from .models import Application

log = logging.getLogger(__name__)

bp = Blueprint("lost_link", __name__)

HOUR = timedelta(hours=1)
ATTEMPTS_PER_ADDRESS_HOUR = 10  # a family needs one or two; more is someone trying references
ATTEMPTS_PER_REFERENCE_HOUR = 5  # so that no one can fill a family's mailbox from many connections
ONE_MAIL_EVERY = timedelta(minutes=15)  # a double click, two tabs or an impatient retry: one mail
REFERENCE = re.compile(r"(PF|CR)-[0-9]{4}-[0-9]{6}")
REFERENCE_MESSAGE = (
    "Le numéro de demande s'écrit comme PF-2026-000042 ou CR-2026-000042 : recopiez-le depuis l'accusé de réception"
)


class LostLinkForm(BaseForm):
    reference = StringField(
        "Numéro de demande",
        description="Il figure dans l'accusé de réception, par exemple : PF-2026-000042 ou CR-2026-000042",
        validators=[InputRequired("Saisissez votre numéro de demande"), MaxLength(30, REFERENCE_MESSAGE)],
    )
    email = StringField(
        "Adresse électronique donnée dans la demande",
        description="Le lien sera envoyé à cette adresse seulement. Par exemple : nom@exemple.fr",
        validators=email_validators("Saisissez l'adresse électronique donnée dans votre demande"),
    )

    def validate_reference(self, field):
        # Typed from a mail or a phone: any case, spaces or a typographic dash around the parts.
        typed = re.sub(r"\s+", "", field.data or "").upper().replace("\u2010", "-").replace("\u2013", "-")
        if not REFERENCE.fullmatch(typed):
            raise ValidationError(REFERENCE_MESSAGE)
        field.data = typed


def _page(form, status=200):
    errors = [(field.id, message) for field in form for message in field.errors]
    return render_template("famille/lien-perdu.html", form=form, errors=errors), 400 if errors else status


def _too_many():
    return render_template("famille/lien-perdu-trop.html"), 429


@bp.route("/demande/lien-perdu", methods=["GET", "POST"])
def ask():
    form = LostLinkForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate():
        return _page(form)
    # Counted before the lookup, whatever its outcome: the limits tell nothing about the reference either.
    if not ratelimit.hit("lost-link-address", request.remote_addr or "", ATTEMPTS_PER_ADDRESS_HOUR, HOUR):
        return _too_many()
    if not ratelimit.hit("lost-link-reference", form.reference.data, ATTEMPTS_PER_REFERENCE_HOUR, HOUR):
        return _too_many()
    application = db.session.scalar(
        select(Application).where(
            Application.reference == form.reference.data,
            func.lower(Application.email) == form.email.data.lower(),
        )
    )
    if application is not None:
        _send(application)
    return redirect(url_for(".sent"), 303)


def _send(application: Application) -> None:
    # One mail per application and window, decided by the database (the count is atomic): the second of two
    # simultaneous requests counts 2 and sends nothing.
    if ratelimit.count("lost-link-mail", str(application.id), ONE_MAIL_EVERY) > 1:
        return
    demarche = DEMARCHES[application.demarche]
    settings = current_app.extensions["commune"]
    body = render_template(
        "mails/lien-suivi.txt",
        application=application,
        demarche=demarche,
        link=demarche.link.url(application),
        settings=settings,
    )
    outbox.queue(
        application.email,
        f"{demarche.label} : lien de suivi de la demande {application.reference}",
        body,
        kind="lien-suivi",
    )
    db.session.commit()
    log.info("family link sent again application_id=%s", application.id)


@bp.get("/demande/lien-perdu/envoye")
def sent():
    return render_template("famille/lien-perdu-envoye.html")
