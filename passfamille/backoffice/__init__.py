"""The agents' back-office: every route requires a logged-in agent, except logging in, asking for a forgotten
password's link, choosing a password and trusting a browser through a mailed link."""

from flask import Blueprint, g, redirect, request, url_for

from . import auth

bp = Blueprint("backoffice", __name__, url_prefix="/agents")

# The only back-office endpoints reachable without a session; a structural test walks url_map against this list.
PUBLIC_ENDPOINTS = frozenset(
    {
        "backoffice.login",
        "backoffice.choose_password",
        "backoffice.trust_device",
        "backoffice.forgotten_password",
        "backoffice.forgotten_password_sent",
    }
)


@bp.before_request
def require_agent():
    g.agent = auth.current_agent()
    if g.agent is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return redirect(url_for("backoffice.login"), 303)
    return None


def register(app) -> None:
    # Importing the view modules attaches their routes to bp.
    from .views import (  # noqa: F401
        account,
        agents,
        bulk,
        commission,
        dashboard,
        detail,
        exports,
        follow,
        forgotten_password,
        health,
        queue,
    )

    app.register_blueprint(bp)
