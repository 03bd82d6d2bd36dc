"""Agents' authentication: password hashes (scrypt, Werkzeug), server-side sessions, one-time password links."""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Agent, AgentSession, utcnow

COOKIE = "pf_agent"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=10)
PASSWORD_LINK_MAX_AGE = 72 * 3600
MIN_PASSWORD_LENGTH = 12
# Compared against when the e-mail is unknown, so that a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("passfamille-dummy-password", method="scrypt")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def find_agent(email: str) -> Agent | None:
    return db.session.scalar(select(Agent).where(func.lower(Agent.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> Agent | None:
    agent = find_agent(email)
    if agent is None or not agent.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(agent.password_hash, password) or not agent.active:
        return None
    return agent


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(agent: Agent) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(AgentSession(token_hash=_digest(token), agent=agent))
    agent.last_login_at = utcnow()
    db.session.commit()
    return token


def current_agent() -> Agent | None:
    """The agent of this request's session cookie, or None; an idle or too old session is closed."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    session = db.session.get(AgentSession, _digest(token))
    if session is None:
        return None
    now = utcnow()
    expired = now - session.last_seen_at > IDLE_TIMEOUT or now - session.created_at > ABSOLUTE_TIMEOUT
    if expired or not session.agent.active:
        db.session.delete(session)
        db.session.commit()
        return None
    if now - session.last_seen_at > timedelta(minutes=1):  # one write a minute is enough for the idle clock
        session.last_seen_at = now
        db.session.commit()
    return session.agent


def close_session() -> None:
    token = request.cookies.get(COOKIE)
    if token:
        db.session.execute(delete(AgentSession).where(AgentSession.token_hash == _digest(token)))
        db.session.commit()


def close_all_sessions(agent: Agent) -> None:
    db.session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))


def set_cookie(response, token: str):
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="Strict", path="/", secure=current_app.config["SESSION_COOKIE_SECURE"]
    )
    return response


# --- one-time links to choose a password -----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="passfamille-mot-de-passe")


def _fingerprint(agent: Agent) -> str:
    # Changes as soon as a password is set: the link then stops working (single use).
    return hashlib.sha256((agent.password_hash or "aucun").encode()).hexdigest()[:16]


def password_token(agent: Agent) -> str:
    return _serializer().dumps({"agent": agent.id, "fp": _fingerprint(agent)})


def agent_from_password_token(token: str) -> Agent | None:
    try:
        data = _serializer().loads(token, max_age=PASSWORD_LINK_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    agent = db.session.get(Agent, data.get("agent")) if isinstance(data, dict) else None
    if agent is None or not agent.active or data.get("fp") != _fingerprint(agent):
        return None
    return agent


def password_link(agent: Agent) -> str:
    return f"{current_app.config['PASSFAMILLE_URL']}/agents/mot-de-passe/{password_token(agent)}"


# --- guards ------------------------------------------------------------------------------------------------------


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.agent.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
