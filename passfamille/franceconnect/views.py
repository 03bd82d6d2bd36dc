"""The way to FranceConnect and back: the login (started from the start page, or to reconnect), its callback, which
asks API Particulier at once with the 60-second access token, and the logout (« Se déconnecter », or the submission).

A login's `state` and `nonce` are kept on the family's draft, never in a cookie or a URL of ours; the callback's
`code` and `state` are not personal, and the access log drops them anyway (logs.py). Nothing of the login is logged
but its outcome."""

import hmac
import logging
import secrets
import time
from datetime import timedelta

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for

from .. import franceconnect, ratelimit
from ..extensions import db
from ..wizard import certify, fiscal, store
from ..wizard.draft import IDENTIFICATION, answers, via_franceconnect, wants_creche, wants_pass_famille
from ..wizard.forms import ConfirmForm
from . import identity
from .client import FranceConnectError

bp = Blueprint("franceconnect", __name__)
log = logging.getLogger("passfamille.franceconnect")

# A callback's code is exchanged by one request only (a shared counter per login's state, over FranceConnect's
# 30 minutes of interaction); another request with it waits for that one's outcome, at most CALLBACK_WAIT seconds
# (FranceConnect's token and userinfo, then API Particulier's deadline).
CALLBACK_WINDOW = timedelta(minutes=30)
CALLBACK_WAIT = 25.0
# What the draft's FranceConnect record holds at each stage (store.set_franceconnect).
STATE, NONCE, THEN, ID_TOKEN, LOGOUT_STATE = "state", "nonce", "then", "id_token", "logout_state"
# Where the family lands after the callback: « Vous » (its certified identity and e-mail), or the CAF/MSA page when
# it reconnected to have the facts fetched again.
APPLICANT_SLUG, VERIFICATION_SLUG = "demandeur", "verification-caf"


def _client():
    found = franceconnect.client()
    if found is None:
        abort(404)  # a commune without FranceConnect habilitation has none of these pages
    return found


def start_login(draft, then: str = APPLICANT_SLUG):
    """Send the family to FranceConnect (a 303 to its login page); the draft remembers the state and nonce."""
    client = _client()
    try:
        authorization = client.authorization(
            url_for("franceconnect.callback", _external=True),
            franceconnect.scopes_for(wants_pass_famille(draft), wants_creche(draft), wants_dgfip=fiscal.offered(draft)),
        )
    except FranceConnectError:
        # The code is spent either way: the login under way ends, and a reload is told at once.
        store.set_franceconnect(draft, None)
        db.session.commit()
        return _failure("unavailable", 502)
    store.set_franceconnect(draft, {STATE: authorization.state, NONCE: authorization.nonce, THEN: then})
    db.session.commit()
    return redirect(authorization.url, 303)


@bp.get("/franceconnect/retour")
def callback():
    client = _client()
    draft = store.current_draft()
    if draft is None:
        return render_template("wizard/session-expiree.html"), 200
    if draft.application_id:
        return redirect(url_for("wizard.confirmation"), 303)
    pending = draft.franceconnect or {}
    if not pending.get(STATE):
        # Done already (a reload, a second tab, the back button): the first callback's outcome stands.
        if via_franceconnect(draft):
            return redirect(url_for("wizard.step", slug=APPLICANT_SLUG), 303)
        return _failure("state", 400)
    if not _same(request.args.get("state", ""), pending[STATE]):
        return _failure("state", 400)
    error = request.args.get("error")
    if error:
        store.set_franceconnect(draft, None)
        db.session.commit()
        log.info("franceconnect callback error=%s", error[:40])
        if error == "access_denied":
            return redirect(url_for("wizard.start", franceconnect="annulee") + "#franceconnect", 303)
        return _failure("refused", 502)
    issuer = request.args.get("iss")
    if issuer is not None and issuer != client.issuer:
        return _failure("state", 400)
    if not ratelimit.hit("franceconnect-callback", pending[STATE], 1, CALLBACK_WINDOW):
        # The same callback again while the first is under way (a double click, a reload, two tabs): the code can
        # be exchanged once only, so this one waits for the first one's outcome and shows it.
        return _first_outcome(draft, pending)
    try:
        login = client.login(
            request.args.get("code", ""), url_for("franceconnect.callback", _external=True), pending[NONCE]
        )
    except FranceConnectError:
        # The code is spent either way: the login under way ends, and a reload is told at once.
        store.set_franceconnect(draft, None)
        db.session.commit()
        return _failure("unavailable", 502)
    if not identity.has_pivot(login.claims):
        store.set_franceconnect(draft, None)
        db.session.commit()
        return _failure("identity", 502)
    _remember(draft, login)
    log.info("franceconnect login")
    return redirect(url_for("wizard.step", slug=pending.get(THEN) or APPLICANT_SLUG), 303)


def _first_outcome(draft, pending: dict):
    """The outcome of the request that is exchanging this login's code: the next page once it has logged the family
    in, the failure page if it did not, or after CALLBACK_WAIT seconds without an outcome."""
    deadline = time.monotonic() + CALLBACK_WAIT
    while True:
        db.session.rollback()  # a fresh read of the draft, as the other request commits it
        db.session.refresh(draft)
        if (draft.franceconnect or {}).get(STATE) != pending[STATE]:
            if via_franceconnect(draft):
                return redirect(url_for("wizard.step", slug=pending.get(THEN) or APPLICANT_SLUG), 303)
            return _failure("unavailable", 502)
        if time.monotonic() >= deadline:
            return _failure("unavailable", 502)
        time.sleep(0.1)


def _remember(draft, login) -> None:
    """The certified identity becomes the applicant's answers; the CAF/MSA is asked at once (the token lives 60 s)."""
    from ..wizard.steps import common

    before = answers(draft, common.APPLICANT.name)
    # An e-mail the family typed or changed is kept; FranceConnect's fills an empty one.
    values = identity.applicant_answers(login.claims, email=before.get("email", ""))
    if certify.identity_of(before) != certify.identity_of(values):
        store.drop_answers(draft, *common.APPLICANT.invalidates)
        store.forget_certified(draft)
    store.save_answers(draft, common.APPLICANT.name, values)
    store.save_answers(draft, IDENTIFICATION, {"modality": "franceconnect"})
    # FranceConnect is the CAF/MSA route: the family chose it knowing what is asked (the start page says it).
    store.save_answers(draft, common.INFORMATION.name, {"mode": "api"})
    store.set_franceconnect(draft, {ID_TOKEN: login.id_token})
    certify.fetch(draft, values, request.remote_addr or "", france_connect_token=login.access_token)
    # The DGFiP's avis too, in the same request (the token lives 60 s), when the rules may read it and the CAF/MSA's
    # answer leaves it to ask: the family then types no numéro fiscal. A new login asks it again.
    store.record_fiscal(draft, {})
    if fiscal.needed_after_caf(draft) and _granted_dgfip(login):
        fiscal.fetch(draft, request.remote_addr or "", france_connect_token=login.access_token)
    db.session.commit()


def _granted_dgfip(login) -> bool:
    """Whether the login's scopes include the DGFiP's (the family may have logged in before the commune asked)."""
    wanted = set(current_app.config.get("FRANCECONNECT_SCOPES_DGFIP", "").split())
    granted = set((login.scope or "").split())
    return bool(wanted) and (not granted or bool(wanted & granted))


def _same(given: str, expected: str) -> bool:
    """A constant-time comparison of a state sent back with ours; as bytes, since anyone can send any character."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


def _failure(cause: str, status: int):
    return make_response(render_template("franceconnect/echec.html", cause=cause), status)


# --- logout -------------------------------------------------------------------------------------------------------


def logout_redirect(draft, id_token: str):
    """A 303 to FranceConnect's logout, which comes back to `logged_out`; None when FranceConnect cannot be reached
    (the family's session there then ends on its own, after 30 minutes without action)."""
    state = secrets.token_urlsafe(24)
    try:
        url = _client().logout_url(id_token, url_for("franceconnect.logged_out", _external=True), state)
    except FranceConnectError:
        return None
    store.set_franceconnect(draft, {LOGOUT_STATE: state})
    return redirect(url, 303)


@bp.post("/franceconnect/deconnexion")
def logout():
    """« Se déconnecter »: what the family entered and was shown is forgotten here, then at FranceConnect."""
    _client()
    form = ConfirmForm()
    draft = store.current_draft()
    if not form.validate():
        abort(400)
    if draft is None or draft.application_id:
        return redirect(url_for("wizard.start"), 303)
    id_token = (draft.franceconnect or {}).get(ID_TOKEN)
    store.discard(draft)
    store.set_franceconnect(draft, None)
    response = logout_redirect(draft, id_token) if id_token else None
    db.session.commit()
    return response or redirect(url_for("wizard.start", franceconnect="deconnecte"), 303)


@bp.get("/franceconnect/deconnexion/retour")
def logged_out():
    draft = store.current_draft()
    if draft is not None:
        expected = (draft.franceconnect or {}).get(LOGOUT_STATE, "")
        if expected and _same(request.args.get("state", ""), expected):
            store.set_franceconnect(draft, None)
            db.session.commit()
        if draft.application_id:
            return redirect(url_for("wizard.confirmation"), 303)
    return redirect(url_for("wizard.start", franceconnect="deconnecte"), 303)


def allowed_origin() -> str | None:
    """FranceConnect's origin, which the forms' CSP must allow: the login and the logout are reached by a POST
    redirected there."""
    issuer = current_app.config.get("FRANCECONNECT_URL") or ""
    if franceconnect.client() is None or "://" not in issuer:
        return None
    scheme, rest = issuer.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"
