"""The two démarches, each declared once (pass_famille.py, creche.py), and what is read across them."""

from ..models import Application
from . import creche, pass_famille
from .base import Change, Demarche, FamilyLink

__all__ = ["Change", "Demarche", "FamilyLink", "DEMARCHES", "STATUS_LABELS", "of", "status_label"]

DEMARCHES: dict[str, Demarche] = {d.code: d for d in (pass_famille.DEMARCHE, creche.DEMARCHE)}
# Every status of every démarche, in the workflows' order (the queue's filter, the dashboard).
STATUS_LABELS: dict[str, str] = {status: label for d in DEMARCHES.values() for status, label in d.statuses.items()}


def of(application: Application) -> Demarche:
    return DEMARCHES[application.demarche]


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")
