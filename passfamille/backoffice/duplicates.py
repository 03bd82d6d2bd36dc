"""Probable duplicates of an application: another request of the same démarche, made within MONTHS of it, by the
same names (folded: accents, case and hyphens aside) or from the same e-mail address (case aside). Both looked up
along an index; the applicant's date of birth is not kept after submission, so it cannot be compared."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Application
from ..retention import months_after

MONTHS = 12
LIMIT = 10


@dataclass(frozen=True)
class Duplicate:
    application: Application
    same_names: bool
    same_email: bool


def _months_before(moment: datetime, months: int) -> datetime:
    """The same day `months` earlier (retention.months_after, backwards)."""
    return months_after(moment.date(), -months)


def probable(application: Application, months: int = MONTHS) -> list[Duplicate]:
    since, until = _months_before(application.created_at, months), months_after(application.created_at.date(), months)
    email = (application.email or "").lower()
    query = (
        select(Application)
        .where(
            Application.id != application.id,
            Application.demarche == application.demarche,
            Application.created_at >= since,
            Application.created_at < until,
            or_(Application.folded_names == application.folded_names, func.lower(Application.email) == email),
        )
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(LIMIT)
    )
    return [
        Duplicate(other, other.folded_names == application.folded_names, (other.email or "").lower() == email)
        for other in db.session.scalars(query)
        if other.id != application.linked_application_id  # the household's other démarche is no duplicate
    ]
