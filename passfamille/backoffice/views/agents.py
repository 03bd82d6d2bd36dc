"""Back-office views: agents' accounts, for administrators. The same code as `flask agents …` (accounts.py).

Every action answers with the page itself rather than a redirect: a one-time password link must be shown once,
and never travel in a URL or a cookie.
"""

import re
from dataclasses import dataclass

from flask import abort, current_app, g, render_template, request
from wtforms import BooleanField, RadioField

from ...extensions import db
from ...formatting import date_time
from ...models import Agent
from .. import accounts, bp, services
from ..auth import admin_required
from ..forms import AgentEmailForm


class NewAgentForm(AgentEmailForm):
    admin = BooleanField("Administrateur")
    service = RadioField("Services de l'agent", default=services.BOTH, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service.choices = list(services.choice_labels().items())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.service.data not in services.CHOICES:
            self.service.errors = [
                *self.service.errors,
                "Choisissez le service de l'agent : Pass Famille, crèche ou les deux",
            ]
            return False
        return valid


@dataclass(frozen=True)
class AgentRow:
    id: int
    email: str
    role: str
    services: str
    service_choice: str
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
            services=services.summary(agent.demarches),
            service_choice=services.choice_of(agent),
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
    choices = services.choice_labels()
    return (
        render_template(
            "backoffice/agents.html", form=form, rows=_rows(), notice=notice, errors=errors, service_choices=choices
        ),
        status,
    )


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
            agent = accounts.create(
                form.email.data, admin=form.admin.data, demarches=services.CHOICES[form.service.data]
            )
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            _log("created", agent)
            text = (
                f"Compte créé : {agent.email} ({agent.role_label.lower()}). "
                f"Services : {services.summary(agent.demarches)}."
            )
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


@bp.post("/comptes/services")
@admin_required
def change_services():
    """The services an account works for. The administrator first sees what changes (which applications the agent
    will stop or start seeing), then confirms (the same form, sent again with « confirme »)."""
    agent = _agent()
    choice = request.form.get("services", "")
    if choice not in services.CHOICES:
        return _page(
            problem=f"Choisissez les services de {agent.email} : Pass Famille, crèche ou les deux.", status=400
        )
    before, after = agent.demarches, services.CHOICES[choice]
    if before == after:
        return _page(notice=Notice(f"Rien n'a changé : {agent.email} travaille déjà pour {services.summary(after)}."))
    if request.form.get("confirme") != "oui":
        names = services.labels()
        return render_template(
            "backoffice/agents-services.html",
            agent=agent,
            choice=choice,
            before=services.summary(before),
            after=services.summary(after),
            lost=[names[code] for code in before if code not in after],
            gained=[names[code] for code in after if code not in before],
        )
    accounts.set_services(agent, after)
    _log("services changed", agent)
    return _page(notice=Notice(f"Services de {agent.email} : {services.summary(after)}."))
