"""The family's link (/demande/suivi/<token>), sent in the status mails: no account, the signed token is the key.

It shows where the application stands, takes the document the commune asked for, and shows the attestation once
the application is accepted. The token is bound to the status it was made for (see demarches.base.FamilyLink), so a
link stops working as soon as the application moves on — an upload cannot be sent twice.
"""

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from . import documents
from .backoffice.forms_detail import UploadForm
from .backoffice.viewmodels_detail import FAMILY_DOCUMENT_KIND, attestation_view, follow_view
from .demarches.pass_famille import DEMARCHE
from .demarches.statemachine import TransitionError, change_status
from .extensions import db
from .models import Application, Document

log = logging.getLogger(__name__)

bp = Blueprint("family", __name__)

FAMILY_ANSWER = "pièce envoyée par la famille"
NO_FILE = "Choisissez le document à envoyer, au format PDF, JPEG ou PNG"


@bp.route("/demande/suivi/<token>", methods=["GET", "POST"])
def follow(token):
    application = DEMARCHE.link.application(token)
    if application is None:
        return render_template("famille/lien-invalide.html"), 404
    if application.status == "documents_requested":
        return _answer(application)
    if request.method == "POST":
        abort(405)
    if application.status == "accepted":
        return render_template("famille/attestation.html", attestation=attestation_view(application))
    return render_template("famille/suivi.html", suivi=follow_view(application))


def _answer(application: Application):
    form = UploadForm()
    if request.method == "GET":
        return render_template("famille/piece.html", suivi=follow_view(application), form=form, errors=[])
    form.validate()  # CSRF is checked before the view; the file is checked by its content below
    upload = request.files.get(form.file.name)
    stored, error = _store(application, upload) if upload and upload.filename else (None, NO_FILE)
    if error:
        form.file.errors = [error]
        page = render_template(
            "famille/piece.html", suivi=follow_view(application), form=form, errors=[(form.file.id, error)]
        )
        return page, 400
    try:
        change_status(application, "in_review", None, detail=FAMILY_ANSWER)
    except TransitionError:
        # The application moved on meanwhile (an agent took it over): the link is spent, the file not kept.
        db.session.rollback()  # the file's bytes with it
        return render_template("famille/lien-invalide.html"), 404
    flash("Merci : votre document est bien envoyé à la mairie. Un courriel vous le confirme.", "success")
    # The new link (bound to "en instruction") shows where the application stands; the old one has expired.
    return redirect(url_for("family.follow", token=DEMARCHE.link.token(application)), 303)


def _store(application: Application, upload) -> tuple[Document | None, str | None]:
    """Keep the family's file with the application (same checks as in the wizard), or say why not."""
    document, error = documents.store(upload, FAMILY_DOCUMENT_KIND, application=application)
    if document is not None:
        log.info("family document received reference=%s", application.reference)
    return document, error
