"""Logging in and out, choosing a password through a one-time link, and trusting a browser through a mailed link."""

from flask import current_app, redirect, render_template, request, url_for

from ... import mail
from .. import auth, bp
from ..forms import ChoosePasswordForm, LoginForm

# Said at the password field when an attempt is refused before its password is checked. The account's message is
# the same whether the account exists or not.
REFUSALS = {
    auth.Refusal.ACCOUNT: (
        "Trop de tentatives de connexion à ce compte depuis un navigateur inconnu : réessayez dans 15 minutes. "
        "Si ce compte existe, son agent a reçu par courriel un lien pour se connecter depuis ce navigateur."
    ),
    auth.Refusal.ADDRESS: "Trop de tentatives de connexion depuis votre réseau : réessayez dans 15 minutes.",
    auth.Refusal.DEVICE: "Trop de tentatives de connexion depuis ce navigateur : réessayez dans 15 minutes.",
}


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        return render_template("backoffice/connexion.html", form=form, errors=[])
    if not form.validate():
        return _login_page(form, 400)
    agent = auth.find_agent(form.email.data)
    device = auth.trusted_device(agent)
    refusal = auth.count_attempt(form.email.data, device)
    if refusal is not None:
        current_app.logger.warning("agent login refused unchecked: too many attempts (%s)", refusal.value)
        response = _login_page(form, 429, REFUSALS[refusal])
        if refusal is auth.Refusal.ACCOUNT and auth.first_lock_notice(form.email.data):
            _mail_device_link(response, agent)
        return response
    if not auth.password_matches(agent, form.password.data):
        # One message whatever was wrong: the page does not tell which addresses have an account.
        return _login_page(form, 400, "Adresse électronique ou mot de passe incorrect")
    response = auth.set_cookie(redirect(url_for("backoffice.queue"), 303), auth.open_session(agent))
    auth.forget_attempts(form.email.data, device)  # after open_session's commit: one connection at a time
    current_app.logger.info("agent login agent_id=%s trusted_device=%s", agent.id, device is not None)
    return auth.trust_device(response, agent)


def _login_page(form: LoginForm, status: int, problem: str = ""):
    if problem:
        form.password.errors.append(problem)
    form.password.data = ""  # everything typed is kept but the password
    return current_app.make_response(
        (render_template("backoffice/connexion.html", form=form, errors=_errors(form)), status)
    )


def _mail_device_link(response, agent) -> None:
    """Mail the agent (if the account exists and is active) a link to trust their browser, once the answer is sent:
    the page takes as long whether the account exists or not."""
    if agent is None or not agent.active or not agent.password_hash:
        return
    app = current_app._get_current_object()
    body = render_template(
        "mails/lien-appareil.txt",
        link=auth.device_link(agent),
        window_minutes=int(auth.LOGIN_WINDOW.total_seconds() // 60),
        link_minutes=auth.DEVICE_LINK_MAX_AGE // 60,
    )
    subject = "Espace agents : connexion bloquée depuis un navigateur inconnu"
    to, agent_id = agent.email, agent.id

    def send():
        with app.app_context():
            if mail.send(to, subject, body):
                app.logger.info("device link mailed agent_id=%s", agent_id)

    response.call_on_close(send)


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
            if not auth.choose_password(agent, form.password.data):
                return render_template("backoffice/lien-invalide.html"), 404  # used by a concurrent submission
            response = auth.set_cookie(redirect(url_for("backoffice.queue"), 303), auth.open_session(agent))
            return auth.trust_device(response, agent)
        return render_template("backoffice/mot-de-passe.html", form=form, agent=agent, errors=_errors(form)), 400
    return render_template("backoffice/mot-de-passe.html", form=form, agent=agent, errors=[])


@bp.route("/appareil/<token>", methods=["GET", "POST"])
def trust_device(token):
    """The link mailed to a locked-out agent. Opening it shows a button: mail scanners that open links must not use
    it up; pressing the button trusts this browser (device cookie) and leads to the log-in page."""
    if request.method == "GET":
        agent = auth.agent_from_device_token(token)
        if agent is None:
            return render_template("backoffice/lien-appareil-invalide.html"), 404
        return render_template("backoffice/appareil.html", agent=agent)
    agent = auth.use_device_token(token)
    if agent is None:
        return render_template("backoffice/lien-appareil-invalide.html"), 404
    current_app.logger.info("device trusted through a mailed link agent_id=%s", agent.id)
    return auth.trust_device(redirect(url_for("backoffice.login"), 303), agent)


def _errors(form) -> list[tuple[str, str]]:
    return [(field.id, message) for field in form for message in field.errors]
