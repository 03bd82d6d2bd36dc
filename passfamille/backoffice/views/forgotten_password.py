"""« Mot de passe oublié ? »: an agent asks for a one-hour password link, mailed to the address of their account.

The answer is the same page, in about the same time, whether the address has an active account, a disabled one or
none: only the rate limits are counted before it; the link is made and mailed once the answer is sent, as the
device link of a locked account is (outbox.py). The link is the admin's password link (same page, single use, a new
one cancels the earlier ones), valid 1 hour; the current password keeps working until a new one is chosen."""

from flask import current_app, redirect, render_template, request, url_for

from ... import mail
from .. import auth, bp
from ..forms import ForgottenPasswordForm

SUBJECT = "Espace agents : choisir un nouveau mot de passe"
TOO_MANY = "Trop de demandes de lien pour cette adresse ou depuis votre réseau : réessayez dans une heure."


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if request.method == "GET":
        return _form_page(form)
    if not form.validate():
        return _form_page(form, 400)
    if not auth.count_forgotten_request(form.email.data):
        current_app.logger.warning("forgotten password request refused: too many requests")
        form.email.errors.append(TOO_MANY)
        return _form_page(form, 429)
    response = redirect(url_for("backoffice.forgotten_password_sent"), 303)
    response.call_on_close(_mailer(auth.normalise_email(form.email.data)))
    return response


@bp.get("/mot-de-passe-oublie/demande-envoyee")
def forgotten_password_sent():
    return render_template("backoffice/mot-de-passe-oublie-envoye.html")


def _form_page(form: ForgottenPasswordForm, status: int = 200):
    errors = [(field.id, message) for field in form for message in field.errors]
    return render_template("backoffice/mot-de-passe-oublie.html", form=form, errors=errors), status


def _mailer(email: str):
    """What runs once the answer is sent: the link for an active account, mailed; nothing for any other address."""
    app = current_app._get_current_object()

    def send():
        with app.app_context():
            try:
                found = auth.forgotten_password_link(email)
                if found is None:
                    return
                agent, link = found
                body = render_template(
                    "mails/lien-mot-de-passe-oublie.txt", link=link, link_minutes=auth.FORGOTTEN_LINK_MAX_AGE // 60
                )
                if mail.send(agent.email, SUBJECT, body):
                    app.logger.info("forgotten password link mailed agent_id=%s", agent.id)
            except Exception as exc:  # after the response: nobody to show it to, and never the address or the link
                app.logger.error("forgotten password link not made: %s", type(exc).__name__)

    return send
