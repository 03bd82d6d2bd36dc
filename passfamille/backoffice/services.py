"""Which applications an agent works on: those of the services (démarches) of their account — Pass Famille,
crèche or both. The privacy notice promises that only the agents of a service see its families' data, so every
back-office page goes through here: the queue, the search, the exports and the dashboard are narrowed to the
agent's démarches, and another service's application is a 404 (a 403 would say it exists)."""

from dataclasses import replace

from flask import abort, current_app

from ..models import SERVICES, Agent, Application
from . import queries


def labels() -> dict[str, str]:
    """The French name of each service, as the agents read it (the Pass Famille's title is the commune's)."""
    return {"pass_famille": current_app.extensions["commune"].pass_famille.title, "creche": "Crèche"}


def of(agent: Agent) -> tuple[str, ...]:
    return agent.demarches


def restricted(agent: Agent) -> bool:
    """Whether the agent works for some démarches only (otherwise nothing needs narrowing)."""
    return set(of(agent)) != set(SERVICES)


def sees(agent: Agent, application: Application | None) -> bool:
    return application is not None and application.demarche in of(agent)


def require(agent: Agent, application: Application | None) -> Application:
    """The application, or a 404 when it does not exist or belongs to a service the agent does not work for."""
    if not sees(agent, application):
        abort(404)
    return application


def scope(filters: queries.Filters, agent: Agent) -> queries.Filters:
    """The filters narrowed to the agent's démarches. An agent of one service has the démarche filter set to it,
    so that the counts still come from the tally; an agent of none sees nothing."""
    allowed = of(agent)
    if not restricted(agent) or filters.demarche in allowed:
        return filters
    return replace(filters, demarche=allowed[0] if len(allowed) == 1 else queries.NO_DEMARCHE)


def demarche_of(agent: Agent) -> str | None:
    """The démarche every query is narrowed to, or None for an agent of every service."""
    return scope(queries.Filters(), agent).demarche


# What an administrator chooses for an account (the agents' page, `flask agents create --service`).
BOTH = "les_deux"
CHOICES = {"pass_famille": ("pass_famille",), "creche": ("creche",), BOTH: SERVICES}


def choice_of(agent: Agent) -> str:
    found = of(agent)
    return next((code for code, demarches in CHOICES.items() if demarches == found), BOTH)


def choice_labels() -> dict[str, str]:
    names = labels()
    return {
        "pass_famille": f"{names['pass_famille']} seulement",
        "creche": "Crèche seulement",
        BOTH: f"Les deux : {names['pass_famille']} et crèche",
    }


def summary(demarches: tuple[str, ...]) -> str:
    """« Pass Famille et Crèche », « Crèche », « aucun service »: what an account works for, in the agents' list."""
    names = labels()
    return " et ".join(names[code] for code in demarches) or "aucun service"
