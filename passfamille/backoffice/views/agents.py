"""Back-office views: agents' accounts, for administrators. The same code as `flask agents …` (accounts.py).

Every action answers with the page itself rather than a redirect: a one-time password link must be shown once,
and never travel in a URL or a cookie.
"""

import re
from dataclasses import dataclass

from flask import abort, current_app, g, render_template, request
from wtforms import BooleanField

from ...extensions import db
from ...formatting import date_time
from ...models import Agent
from .. import accounts, bp
from ..auth import admin_required
from ..forms import AgentEmailForm


class NewAgentForm(AgentEmailForm):
    admin = BooleanField("Administrateur")


@dataclass(frozen=True)
class AgentRow:
    id: int
    email: str
    role: str
    active: bool
    password_chosen: bool
    last_login: str
    is_self: bool


@dataclass(frozen=True)
class Notice:
    text: str
    link: str = ""  # a one-time password link, shown on this page only


def _rows() -> list[AgentRow]:
    return [
        AgentRow(
            id=agent.id,
            email=agent.email,
            role=agent.role_label,
            active=agent.active,
            password_chosen=bool(agent.password_hash),
            last_login=date_time(agent.last_login_at) or "Jamais",
            is_self=agent.id == g.agent.id,
        )
        for agent in accounts.all_agents()
    ]


def _page(form: NewAgentForm | None = None, notice: Notice | None = None, problem: str = "", status: int = 200):
    form = form or NewAgentForm(formdata=None)
    errors = [(field.id, message) for field in form for message in field.errors]
    if problem:
        errors.append(("", problem))
    return render_template("backoffice/agents.html", form=form, rows=_rows(), notice=notice, errors=errors), status


def _agent() -> Agent:
    """The account an action is about: its id travels in the form (hidden field "compte"), not in the URL."""
    value = request.form.get("compte", "")
    agent = db.session.get(Agent, int(value)) if re.fullmatch(r"[0-9]{1,9}", value) else None
    if agent is None:
        abort(404)
    return agent


def _log(action: str, agent: Agent) -> None:
    # Ids only: neither the e-mail address nor the link goes into the logs.
    current_app.logger.info("agent account %s agent_id=%s by_agent_id=%s", action, agent.id, g.agent.id)


@bp.route("/comptes", methods=["GET", "POST"])
@admin_required
def agents():
    if request.method == "GET":
        return _page()
    form = NewAgentForm()
    if form.validate():
        try:
            agent = accounts.create(form.email.data, admin=form.admin.data)
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            _log("created", agent)
            text = f"Compte créé : {agent.email} ({agent.role_label.lower()})."
            return _page(notice=Notice(text, accounts.password_link(agent)))
    return _page(form, status=400)


@bp.post("/comptes/desactiver")
@admin_required
def disable_agent():
    agent = _agent()
    if agent.id == g.agent.id:
        return _page(
            problem="Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur.",
            status=400,
        )
    accounts.disable(agent.email)
    _log("disabled", agent)
    return _page(notice=Notice(f"Compte désactivé : {agent.email}. Ses sessions sont fermées."))


@bp.post("/comptes/activer")
@admin_required
def enable_agent():
    agent = _agent()
    accounts.enable(agent.email)
    _log("enabled", agent)
    return _page(notice=Notice(f"Compte réactivé : {agent.email}."))


@bp.post("/comptes/nouveau-lien")
@admin_required
def new_password_link():
    agent = _agent()
    if agent.id == g.agent.id:
        # It would close the session of the admin asking; another administrator (or the CLI) can do it.
        return _page(
            problem="Pour votre propre compte, demandez un nouveau lien à un autre administrateur.", status=400
        )
    if not agent.active:
        return _page(problem=f"Le compte {agent.email} est désactivé : réactivez-le d'abord.", status=400)
    link = accounts.new_password_link(agent.email)
    _log("new password link", agent)
    text = f"Nouveau lien pour {agent.email} : son ancien mot de passe ne fonctionne plus et ses sessions sont fermées."
    return _page(notice=Notice(text, link))
