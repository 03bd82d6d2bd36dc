"""Back-office views: the health of API Particulier — a banner on every agents' page, and a page of details.

The banner tells the agents, before the families notice, that a token is refused or about to expire, or that
the API fails: families then go through documents, and the agents have more of them to check. A commune holding a
token of its own for the crèche sees each token apart (« jeton Pass Famille », « jeton crèche »).
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from ... import outbox
from ...extensions import db
from ...formatting import date_time, short_date
from ...models import utcnow
from .. import bp, health

LEVELS = ("ok", "warning", "error")
SCOPE_LABELS = {
    "cnaf_quotient_familial": "quotient familial",
    "cnaf_allocataires": "allocataires",
    "cnaf_enfants": "enfants",
    "cnaf_adresse": "adresse",
    "cnav_participation_familiale_eaje_parametres_calcul": "ressources pour le tarif des crèches",
}
OUTCOME_WORDS = {
    "unavailable": ("indisponibilité", "indisponibilités"),
    "refused": ("refus", "refus"),
    "bad_request": ("requête invalide", "requêtes invalides"),
}
CODE_WORDS = {"timeout": "délai dépassé", "connection": "connexion impossible", "malformed": "réponse illisible"}
TOKEN_STATES = {
    "valid": "Valide",
    "refused": "Refusé",
    "unreachable": "Non vérifié : API Particulier ne répond pas",
    "unexpected": "Non vérifié : réponse inattendue",
    "missing": "Aucun jeton configuré",
    "checking": "Vérification en cours",
}
# A token's name in a sentence (« Le jeton crèche est refusé »): the only one, or each of two by its setting.
NAME_WHEN_ALONE = "jeton API Particulier"
NAMES_BY_SETTING = {"API_PARTICULIER_TOKEN": "jeton Pass Famille", "API_PARTICULIER_TOKEN_CRECHE": "jeton crèche"}
# What a valid token lacks for its démarche, the Pass Famille's first: (what it means, what to do).
LACKING = {
    health.QF_SCOPE: (
        "Le {name} ne donne pas accès au quotient familial : les familles passent par les justificatifs.",
        "À faire : demandez l'habilitation « cnaf_quotient_familial » sur l'espace partenaire d'API Particulier.",
    ),
    health.EAJE_SCOPE: (
        "Le {name} ne donne pas accès aux ressources pour le tarif des crèches : les familles qui demandent une "
        "place n'ont pas d'estimation ou fournissent un justificatif.",
        "À faire : demandez l'habilitation « participation familiale EAJE » "
        "(cnav_participation_familiale_eaje_parametres_calcul) sur l'espace partenaire d'API Particulier.",
    ),
}


def _renew(setting: str) -> str:
    return (
        "À faire : le responsable technique demande un nouveau jeton sur l'espace partenaire d'API Particulier, "
        f"le renseigne dans {setting} et redémarre le service. En attendant, vérifiez les justificatifs."
    )


def _names(lines: tuple[health.TokenLine, ...]) -> list[str]:
    return [NAME_WHEN_ALONE] if len(lines) == 1 else [NAMES_BY_SETTING[line.setting] for line in lines]


def _capitalised(name: str) -> str:
    return name[0].upper() + name[1:]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@dataclass(frozen=True)
class Message:
    level: str
    text: str
    advice: str = ""


@dataclass(frozen=True)
class Banner:
    messages: tuple[Message, ...]

    @property
    def level(self) -> str:
        return max((m.level for m in self.messages), key=LEVELS.index, default="ok")


def _token_messages(line: health.TokenLine, name: str) -> list[Message]:
    check = line.check
    # Alone, the token is « le jeton » when its state could not be checked, as it always was.
    short = "jeton" if name == NAME_WHEN_ALONE else name
    if check.state == "valid":
        if line.lacking:
            text, advice = LACKING[line.lacking[0]]
            return [Message("warning", text.format(name=name), advice)]
        scopes = [label for scope, label in SCOPE_LABELS.items() if scope in check.grant.scopes]
        return [Message("ok", f"{_capitalised(name)} valide : {', '.join(scopes)}.")]
    if check.state == "refused":
        return [
            Message(
                "error", f"Le {name} est refusé : les familles passent par les justificatifs.", _renew(line.setting)
            )
        ]
    if check.state == "missing":
        return [
            Message(
                "error",
                f"Aucun {name} n'est configuré : les familles passent par les justificatifs.",
                _renew(line.setting),
            )
        ]
    if check.state == "unreachable":
        cause = CODE_WORDS.get(check.code or "") or (f"HTTP {check.status}" if check.status else "sans réponse")
        return [
            Message(
                "warning",
                f"API Particulier ne répond pas ({cause}) : l'état du {short} n'a pas pu être vérifié.",
                "Les demandes déposées pendant une panne sont interrogées de nouveau plus tard.",
            )
        ]
    if check.state == "unexpected":
        return [
            Message(
                "warning",
                f"API Particulier a donné une réponse inattendue (HTTP {check.status}) : l'état du {short} n'a pas "
                "pu être vérifié.",
                "À faire : le responsable technique vérifie l'adresse API_PARTICULIER_URL.",
            )
        ]
    return []  # "checking": another request is asking right now


def _expiry_message(line: health.TokenLine, name: str, now: datetime) -> Message | None:
    expires_at = line.expires_at
    if expires_at is None:
        return None
    days = (expires_at.date() - now.date()).days
    if expires_at <= now:
        return Message("error", f"Le {name} a expiré le {short_date(expires_at)}.", _renew(line.setting))
    if days <= health.EXPIRY_WARNING_DAYS:
        when = {0: "aujourd'hui", 1: "demain"}.get(days, f"dans {days} jours")
        return Message(
            "warning",
            f"Le {name} expire le {short_date(expires_at)} ({when}).",
            "À faire : demandez-en un nouveau dès maintenant, avant que les familles ne soient renvoyées vers "
            "les justificatifs.",
        )
    return Message("ok", f"Il expire le {short_date(expires_at)}.")


def _causes(group: health.ErrorGroup) -> str:
    labels = []
    for status, code, _count in group.causes:
        label = CODE_WORDS.get(code or "") or (str(status) if status else "sans réponse")
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def _group_text(group: health.ErrorGroup) -> str:
    return f"{_plural(group.count, *OUTCOME_WORDS[group.outcome])} ({_causes(group)})"


def _errors_message(recent: health.RecentCalls, service: str = "") -> Message | None:
    if not recent.errors:
        return None
    parts = ", ".join(_group_text(g) for g in recent.groups)
    return Message("warning", f"{service}{_plural(recent.errors, 'erreur', 'erreurs')} en 24 h : {parts}.")


def _dgfip_message(now) -> Message | None:
    """The DGFiP's errors (avis d'imposition), when the commune has that habilitation."""
    if current_app.extensions.get("impot_particulier") is None:
        return None
    return _errors_message(health.recent_calls(now, dgfip=True), "Impôts (DGFiP, avis d'imposition) : ")


def _mails_message() -> Message | None:
    given_up = outbox.given_up_count()
    if not given_up:
        return None
    mails = _plural(given_up, "courriel à une famille n'a", "courriels à des familles n'ont")
    return Message(
        "error",
        f"{mails} pas pu être envoyé{'s' if given_up > 1 else ''}.",
        "Prévenez ces familles autrement : la liste est en bas de la page « État d'API Particulier ».",
    )


def banner() -> Banner:
    now = utcnow()
    lines = health.token_lines(now)
    messages = []
    for line, name in zip(lines, _names(lines), strict=True):
        messages += [*_token_messages(line, name), _expiry_message(line, name, now)]
    messages += [_errors_message(health.recent_calls(now)), _dgfip_message(now), _mails_message()]
    return Banner(tuple(m for m in messages if m is not None))


def health_banner() -> Markup:
    # Rendered by an escaping template: its output is safe to insert as is.
    return Markup(render_template("backoffice/_bandeau-sante.html", banner=banner()))  # noqa: S704


@bp.context_processor
def health_context():
    return {"health_banner": health_banner}


# --- the details page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorRow:
    label: str
    count: int
    causes: str


@dataclass(frozen=True)
class TokenRow:
    heading: str
    state: str
    name: str
    id: str
    scopes: tuple[tuple[str, str], ...]
    lacking: tuple[tuple[str, str], ...]
    expires_on: str
    checked_at: str


@dataclass(frozen=True)
class MailRow:
    given_up_at: str
    subject: str
    recipient: str
    attempts: int
    cause: str


@dataclass(frozen=True)
class HealthPage:
    api_url: str
    tokens: tuple[TokenRow, ...]
    calls: int
    errors: int
    rows: tuple[ErrorRow, ...]
    last_error_at: str
    mails_waiting: int
    mails_given_up: tuple[MailRow, ...]


# Why the mail server did not take a message (outbox.py keeps the exception's class name, never its text).
MAIL_CAUSES = {
    "SMTPRecipientsRefused": "adresse refusée par le serveur de messagerie",
    "SMTPDataError": "message refusé par le serveur de messagerie",
    "SMTPSenderRefused": "adresse d'expédition refusée par le serveur de messagerie",
    "SMTPAuthenticationError": "identifiants du serveur de messagerie refusés",
    "SMTPConnectError": "serveur de messagerie injoignable",
    "SMTPServerDisconnected": "serveur de messagerie injoignable",
    "ConnectionRefusedError": "serveur de messagerie injoignable",
    "TimeoutError": "serveur de messagerie trop lent",
}


def _mail_row(message: outbox.GivenUp) -> MailRow:
    cause = MAIL_CAUSES.get(message.error or "", f"erreur d'envoi ({message.error or 'inconnue'})")
    return MailRow(date_time(message.given_up_at), message.subject, message.recipient, message.attempts, cause)


def _token_row(line: health.TokenLine, heading: str) -> TokenRow:
    check, grant = line.check, line.check.grant
    state = TOKEN_STATES[check.state]
    if check.status and check.state != "valid":
        state += f" (HTTP {check.status})"
    return TokenRow(
        heading=heading,
        state=state,
        name=(grant.name or "") if grant else "",
        id=(grant.id or "") if grant else "",
        scopes=tuple((scope, SCOPE_LABELS.get(scope, "")) for scope in sorted(grant.scopes)) if grant else (),
        lacking=tuple((scope, SCOPE_LABELS[scope]) for scope in line.lacking),
        expires_on=short_date(line.expires_at),
        checked_at=date_time(check.checked_at),
    )


def _page() -> HealthPage:
    now = utcnow()
    lines = health.token_lines(now)
    recent = health.recent_calls(now)
    headings = ["Jeton"] if len(lines) == 1 else [_capitalised(name) for name in _names(lines)]
    return HealthPage(
        api_url=current_app.config["API_PARTICULIER_URL"],
        tokens=tuple(_token_row(line, heading) for line, heading in zip(lines, headings, strict=True)),
        calls=recent.calls,
        errors=recent.errors,
        rows=tuple(ErrorRow(OUTCOME_WORDS[g.outcome][1].capitalize(), g.count, _causes(g)) for g in recent.groups),
        last_error_at=date_time(recent.last_error_at),
        mails_waiting=outbox.waiting()["waiting"],
        mails_given_up=tuple(_mail_row(m) for m in outbox.given_up()),
    )


@bp.route("/sante", methods=["GET", "POST"], endpoint="health")
def health_page():
    if request.method == "POST":
        # "Vérifier de nouveau": after the token was replaced, the banner need not wait for the cache to expire.
        health.forget()
        return redirect(url_for("backoffice.health"), 303)
    return render_template("backoffice/sante.html", page=_page())


@bp.post("/sante/courriels", endpoint="mails_again")
def mails_again():
    """« Envoyer de nouveau » the given-up mails (once the mail server or an address is put right): each is sent
    once, by whichever sender claims it first (outbox.py), however many times the button is pressed."""
    found = outbox.try_again()
    db.session.commit()
    if found:
        flash(f"{_plural(found, 'courriel est', 'courriels sont')} de nouveau en attente d'envoi.", "success")
    return redirect(url_for("backoffice.health") + "#courriels", 303)
