"""Agents' authentication: password hashes (scrypt, Werkzeug), server-side sessions, one-time password links,
log-in throttling and trusted devices.

Throttling follows OWASP's « device cookies » defence: every attempt is counted before the password is checked
(ratelimit.py, shared by all workers), per account and per client address for unknown browsers, and per device for
a browser holding a device cookie of the account typed. Whoever types wrong passwords for an account therefore
locks that account out of unknown browsers only: its agent keeps logging in from their usual browser, or from a new
one after opening the link mailed to them (`device_link`)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import cache, wraps

from flask import abort, current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import ratelimit
from ..extensions import db
from ..models import Agent, AgentSession, utcnow

COOKIE = "pf_agent"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=10)
PASSWORD_LINK_MAX_AGE = 72 * 3600
MIN_PASSWORD_LENGTH = 12
# Werkzeug's scrypt (N=32768, r=8, p=1). A hash string carries its parameters: a hash is always checked with the
# parameters it was made with, whatever the setting below.
HASH_METHOD = "scrypt"
# Under the tests only (WEAK_PASSWORD_HASH_FOR_TESTS, which create_app refuses outside TESTING): the same scrypt with
# 128 times less work, so that a back-office test does not spend seconds creating and logging in its agents.
WEAK_HASH_METHOD_FOR_TESTS = "scrypt:256:8:1"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _hash_method() -> str:
    return WEAK_HASH_METHOD_FOR_TESTS if current_app.config["WEAK_PASSWORD_HASH_FOR_TESTS"] else HASH_METHOD


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("passfamille-dummy-password", method=method)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def find_agent(email: str) -> Agent | None:
    return db.session.scalar(select(Agent).where(func.lower(Agent.email) == normalise_email(email)))


def password_matches(agent: Agent | None, password: str) -> bool:
    """Check `password` against the agent's hash (against a dummy one when there is no agent: same duration)."""
    if agent is None or not agent.password_hash:
        # A hash made as agents' hashes are, so that a wrong address takes as long as a wrong password.
        check_password_hash(_dummy_hash(_hash_method()), password)
        return False
    return check_password_hash(agent.password_hash, password) and agent.active


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


# --- throttling log-in attempts ----------------------------------------------------------------------------------

LOGIN_WINDOW = timedelta(minutes=15)
DEVICE_COOKIE = "pf_appareil"
DEVICE_MAX_AGE = 365 * 24 * 3600
DEVICE_LINK_MAX_AGE = 3600


class Refusal(Enum):
    """Why an attempt is refused before its password is checked."""

    ACCOUNT = "account"  # too many attempts on this account from unknown browsers
    ADDRESS = "address"  # too many attempts from this client address
    DEVICE = "device"  # too many attempts from this trusted browser


@dataclass(frozen=True)
class Device:
    """A browser trusted for one account: what its signed `pf_appareil` cookie holds."""

    agent_id: int
    nonce: str

    @property
    def subject(self) -> str:
        return f"{self.agent_id}:{self.nonce}"


def _device_serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def trusted_device(agent: Agent | None) -> Device | None:
    """The device cookie of this request if it is genuine, recent and issued to `agent`; else None."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    if agent is None or not value or len(value) > 200:
        return None
    try:
        data = _device_serializer("passfamille-appareil").loads(value, max_age=DEVICE_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or data.get("agent") != agent.id or not isinstance(data.get("nonce"), str):
        return None
    return Device(agent.id, data["nonce"])


def trust_device(response, agent: Agent):
    """Give this browser a fresh device cookie for `agent` (a signed agent id and random nonce, no e-mail)."""
    value = _device_serializer("passfamille-appareil").dumps({"agent": agent.id, "nonce": secrets.token_hex(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Strict",
        path="/agents",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def count_attempt(email: str, device: Device | None) -> Refusal | None:
    """Count one log-in attempt, before its password is checked; the reason to refuse it, or None.

    A trusted browser is counted on its own: an attacker's failures never lock the agent out of it. Other attempts
    are counted both per account typed (known or not, so that a refusal says nothing of which accounts exist) and
    per client address."""
    limit = current_app.config["LOGIN_ATTEMPTS"]
    if device is not None:
        return Refusal.DEVICE if ratelimit.count("connexion-appareil", device.subject, LOGIN_WINDOW) > limit else None
    by_account = ratelimit.count("connexion-compte", normalise_email(email), LOGIN_WINDOW)
    by_address = ratelimit.count("connexion-adresse", request.remote_addr or "", LOGIN_WINDOW)
    if by_account > limit:
        return Refusal.ACCOUNT
    if by_address > current_app.config["LOGIN_ATTEMPTS_PER_ADDRESS"]:
        return Refusal.ADDRESS
    return None


def forget_attempts(email: str, device: Device | None) -> None:
    """After a successful log-in: the attempts of the device it came from, else of the account from unknown
    browsers. (The per-address count stays: one's own account must not reset the guesses on others.)"""
    if device is not None:
        ratelimit.forget("connexion-appareil", device.subject, LOGIN_WINDOW)
    else:
        ratelimit.forget("connexion-compte", normalise_email(email), LOGIN_WINDOW)


def first_lock_notice(email: str) -> bool:
    """True for the first time in this window that an account's lock is met: its agent is then mailed a link.
    Counted whether the account exists or not, so that both take the same path."""
    return ratelimit.count("connexion-lien-appareil", normalise_email(email), LOGIN_WINDOW) == 1


# --- one-time links that trust a browser -------------------------------------------------------------------------


def device_token(agent: Agent) -> str:
    return _device_serializer("passfamille-lien-appareil").dumps({"agent": agent.id, "nonce": secrets.token_hex(16)})


def device_link(agent: Agent) -> str:
    return f"{current_app.config['PASSFAMILLE_URL']}/agents/appareil/{device_token(agent)}"


def _read_device_token(token: str) -> tuple[Agent, str, datetime] | None:
    try:
        data, signed_at = _device_serializer("passfamille-lien-appareil").loads(
            token, max_age=DEVICE_LINK_MAX_AGE, return_timestamp=True
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("nonce"), str):
        return None
    agent = db.session.get(Agent, data.get("agent")) if isinstance(data.get("agent"), int) else None
    if agent is None or not agent.active:
        return None
    # The use of a link is counted in the bucket of the window in which the link expires: the same bucket for every
    # use of one link, kept at least as long as the link is valid.
    expires_at = signed_at.replace(tzinfo=None) + timedelta(seconds=DEVICE_LINK_MAX_AGE)
    return agent, data["nonce"], expires_at


def agent_from_device_token(token: str) -> Agent | None:
    """The agent of a valid, unused link (without using it)."""
    read = _read_device_token(token)
    if read is None:
        return None
    agent, nonce, expires_at = read
    window = timedelta(seconds=DEVICE_LINK_MAX_AGE)
    return agent if ratelimit.current("lien-appareil", nonce, window, now=expires_at) == 0 else None


def use_device_token(token: str) -> Agent | None:
    """Use a link, once: the agent for the first use (atomic, whatever the concurrent requests), else None."""
    read = _read_device_token(token)
    if read is None:
        return None
    agent, nonce, expires_at = read
    window = timedelta(seconds=DEVICE_LINK_MAX_AGE)
    return agent if ratelimit.count("lien-appareil", nonce, window, now=expires_at) == 1 else None


# --- one-time links to choose a password -----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="passfamille-mot-de-passe")


def new_link_nonce(agent: Agent) -> None:
    """A new nonce for the agent's next password link: every link sent before stops working."""
    agent.link_nonce = secrets.token_hex(16)


def password_token(agent: Agent, max_age: int = PASSWORD_LINK_MAX_AGE) -> str:
    """A signed link token; a shorter `max_age` (in seconds) is signed into it, so that it cannot be lengthened."""
    if not agent.link_nonce:
        raise ValueError("no password link was issued for this agent (new_link_nonce)")
    data = {"agent": agent.id, "nonce": agent.link_nonce}
    if max_age != PASSWORD_LINK_MAX_AGE:
        data["max_age"] = max_age
    return _serializer().dumps(data)


def agent_from_password_token(token: str) -> Agent | None:
    try:
        data, signed_at = _serializer().loads(token, max_age=PASSWORD_LINK_MAX_AGE, return_timestamp=True)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("nonce"), str):
        return None
    max_age = data.get("max_age", PASSWORD_LINK_MAX_AGE)
    if not isinstance(max_age, int) or utcnow() - signed_at.replace(tzinfo=None) > timedelta(seconds=max_age):
        return None
    agent = db.session.get(Agent, data.get("agent")) if isinstance(data.get("agent"), int) else None
    if agent is None or not agent.active or not agent.link_nonce:
        return None
    return agent if hmac.compare_digest(data["nonce"], agent.link_nonce) else None


def choose_password(agent: Agent, password: str) -> bool:
    """Set the password chosen through the agent's current link and use the link up; False if it was used already.

    The link's nonce is cleared in the same conditional UPDATE: of two concurrent submissions, one wins."""
    changed = db.session.execute(
        update(Agent)
        .where(Agent.id == agent.id, Agent.link_nonce == agent.link_nonce)
        .values(password_hash=hash_password(password), link_nonce=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return False
    close_all_sessions(agent)
    db.session.commit()
    db.session.refresh(agent)
    return True


def password_link(agent: Agent, max_age: int = PASSWORD_LINK_MAX_AGE) -> str:
    return f"{current_app.config['PASSFAMILLE_URL']}/agents/mot-de-passe/{password_token(agent, max_age)}"


# --- « Mot de passe oublié ? » ---------------------------------------------------------------------------------

FORGOTTEN_WINDOW = timedelta(hours=1)
FORGOTTEN_LINK_MAX_AGE = 3600
FORGOTTEN_PER_ACCOUNT = 3  # links an address may ask for in FORGOTTEN_WINDOW
FORGOTTEN_PER_ADDRESS = 10  # requests from one client address in FORGOTTEN_WINDOW, whatever the accounts typed


def count_forgotten_request(email: str) -> bool:
    """Count one « mot de passe oublié » request, per address typed (known or not: a refusal tells nothing of which
    accounts exist) and per client address; True while both stay within their limits."""
    by_account = ratelimit.count("oubli-compte", normalise_email(email), FORGOTTEN_WINDOW)
    by_address = ratelimit.count("oubli-adresse", request.remote_addr or "", FORGOTTEN_WINDOW)
    return by_account <= FORGOTTEN_PER_ACCOUNT and by_address <= FORGOTTEN_PER_ADDRESS


def forgotten_password_link(email: str) -> tuple[Agent, str] | None:
    """For an active account: a new one-hour link (every earlier link stops working) and its agent; else None.
    The password stays as it was until a new one is chosen: asking for a link must not lock anyone out."""
    agent = find_agent(email)
    if agent is None or not agent.active:
        return None
    new_link_nonce(agent)
    db.session.commit()
    return agent, password_link(agent, FORGOTTEN_LINK_MAX_AGE)


# --- guards ------------------------------------------------------------------------------------------------------


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.agent.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
