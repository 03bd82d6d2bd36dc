"""Managing agents' accounts (CLI and admin pages share this)."""

import re

from sqlalchemy import select

from ..extensions import db
from ..models import ALL_SERVICES, SERVICES, Agent
from .auth import close_all_sessions, find_agent, new_link_nonce, normalise_email, password_link

__all__ = [
    "AccountError",
    "create",
    "disable",
    "enable",
    "set_services",
    "all_agents",
    "password_link",
    "new_password_link",
]

_EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class AccountError(Exception):
    pass


def _services(demarches: tuple[str, ...]) -> str:
    if not demarches or any(code not in SERVICES for code in demarches):
        raise AccountError("Choisissez le service de l'agent : Pass Famille, crèche ou les deux")
    return " ".join(code for code in SERVICES if code in demarches)


def create(email: str, admin: bool = False, demarches: tuple[str, ...] = SERVICES) -> Agent:
    """A new account, working for `demarches` (both services unless told)."""
    email = normalise_email(email)
    services = _services(demarches)
    if not re.match(_EMAIL_SHAPE, email):
        raise AccountError(f"Adresse électronique invalide : « {email} »")
    if find_agent(email) is not None:
        raise AccountError(f"Un compte existe déjà pour {email}")
    agent = Agent(email=email, is_admin=admin, services=services or ALL_SERVICES)
    new_link_nonce(agent)  # for the link shown once the account is created
    db.session.add(agent)
    db.session.commit()
    return agent


def _existing(email: str) -> Agent:
    agent = find_agent(email)
    if agent is None:
        raise AccountError(f"Aucun compte pour {normalise_email(email)}")
    return agent


def disable(email: str) -> Agent:
    agent = _existing(email)
    agent.active = False
    close_all_sessions(agent)
    db.session.commit()
    return agent


def enable(email: str) -> Agent:
    agent = _existing(email)
    agent.active = True
    db.session.commit()
    return agent


def set_services(agent: Agent, demarches: tuple[str, ...]) -> Agent:
    """The services the agent works for from now on: their next page already shows only those."""
    agent.services = _services(demarches)
    db.session.commit()
    return agent


def new_password_link(email: str) -> str:
    """A fresh one-time link; the old password and every earlier link stop working until a password is chosen."""
    agent = _existing(email)
    agent.password_hash = None
    new_link_nonce(agent)
    close_all_sessions(agent)
    db.session.commit()
    return password_link(agent)


def all_agents() -> list[Agent]:
    return list(db.session.scalars(select(Agent).order_by(Agent.email)))
