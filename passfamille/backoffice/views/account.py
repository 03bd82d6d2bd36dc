"""Logging in and out, and choosing a password through a one-time link."""

import hashlib

from flask import current_app, redirect, render_template, request, url_for

from ...extensions import db, limiter
from .. import auth, bp
from ..forms import ChoosePasswordForm, LoginForm


def _account_key() -> str:
    # Attempts are counted per account too (not only per address), under a hash of the address typed.
    return "compte:" + hashlib.sha256(auth.normalise_email(request.form.get("email", "")).encode()).hexdigest()


def _failed(response) -> bool:
    return response.status_code != 303  # only failed attempts count towards the limits


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], deduct_when=_failed)
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_account_key, deduct_when=_failed)
def login():
    form = LoginForm()
    if request.method == "POST":
        agent = auth.authenticate(form.email.data or "", form.password.data or "") if form.validate() else None
        if agent is not None:
            current_app.logger.info("agent login agent_id=%s", agent.id)
            return auth.set_cookie(redirect(url_for("backoffice.queue"), 303), auth.open_session(agent))
        if not form.errors:
            # One message whatever was wrong: the page does not tell which addresses have an account.
            form.password.errors.append("Adresse électronique ou mot de passe incorrect")
        form.password.data = ""
        return render_template("backoffice/connexion.html", form=form, errors=_errors(form)), 400
    return render_template("backoffice/connexion.html", form=form, errors=[])


@bp.post("/deconnexion")
def logout():
    auth.close_session()
    response = redirect(url_for("backoffice.login"), 303)
    response.delete_cookie(auth.COOKIE, path="/")
    return response


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def choose_password(token):
    agent = auth.agent_from_password_token(token)
    if agent is None:
        return render_template("backoffice/lien-invalide.html"), 404
    form = ChoosePasswordForm()
    if request.method == "POST":
        if form.validate():
            agent.password_hash = auth.hash_password(form.password.data)
            auth.close_all_sessions(agent)
            db.session.commit()
            return auth.set_cookie(redirect(url_for("backoffice.queue"), 303), auth.open_session(agent))
        return render_template("backoffice/mot-de-passe.html", form=form, agent=agent, errors=_errors(form)), 400
    return render_template("backoffice/mot-de-passe.html", form=form, agent=agent, errors=[])


def _errors(form) -> list[tuple[str, str]]:
    return [(field.id, message) for field in form for message in field.errors]
