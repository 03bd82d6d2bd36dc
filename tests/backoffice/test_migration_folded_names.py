"""The migration of the back-office at scale folds the names of every recorded application (more than one batch of
them), so that the search finds families recorded before it; down, the column and the indexes go and the rows stay.
On SQLite and PostgreSQL."""

from datetime import datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from passfamille.backoffice import queries
from passfamille.extensions import db

from ..database_apps import DATABASES, app_at

BEFORE = "ac175c05a030"  # the last revision without folded names
NEW_INDEXES = (
    "ix_application_created",
    "ix_application_folded_names",
    "ix_application_demarche_status_created",
    "ix_application_demarche_created",
    "ix_application_status_created",
    "ix_application_status_reference",
    "ix_pass_famille_request_bracket_source",
)
ROWS = 2345  # more than two of the migration's batches of 1,000
NAMES = [
    ("LÉGER", "MARTIN", "Gérôme Élodie", "leger martin gerome elodie"),
    ("N'DIAYE", None, "Aïssatou", "n diaye aissatou"),
    ("ŒUVRARD", None, None, "oeuvrard"),
    ("GARCIA-LÓPEZ", "", "Inès  Marie", "garcia lopez ines marie"),
]


@pytest.fixture(params=DATABASES)
def migration_app(request, app_config):
    yield from app_at(request, app_config, BEFORE)


def insert_rows() -> None:
    start = datetime(2026, 3, 2, 9, 0)
    rows = [
        {
            "id": n,
            "reference": f"PF-2026-{n:06d}",
            "status": ("submitted", "accepted", "refused", "in_review")[n % 4],
            "at": start + timedelta(minutes=n),
            "decided": start + timedelta(minutes=n, hours=n % 50) if n % 4 in (1, 2) else None,
            "birth": NAMES[n % 4][0],
            "usage": NAMES[n % 4][1],
            "first": NAMES[n % 4][2],
            "email": f"famille.{n}@example.org",
        }
        for n in range(1, ROWS + 1)
    ]
    db.session.execute(
        text(
            "INSERT INTO application (id, reference, demarche, status, created_at, updated_at, decided_at, birth_name,"
            " usage_name, first_names, email, children) VALUES (:id, :reference, 'pass_famille', :status, :at, :at,"
            " :decided, :birth, :usage, :first, :email, '[]')"
        ),
        rows,
    )
    db.session.commit()


def indexes() -> set[str]:
    if db.engine.dialect.name == "sqlite":  # SQLAlchemy does not reflect its expression-based indexes
        return set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
    return {
        i["name"] for table in ("application", "pass_famille_request") for i in inspect(db.engine).get_indexes(table)
    }


def test_the_names_of_recorded_applications_are_folded_and_unfolded(migration_app):
    with migration_app.app_context():
        insert_rows()

        upgrade()

        folded = dict(db.session.execute(text("SELECT id, folded_names FROM application")).all())
        assert len(folded) == ROWS and folded == {n: NAMES[n % 4][3] for n in range(1, ROWS + 1)}
        found, more = queries.search("gerome LEGER")
        assert more and found[0].reference == f"PF-2026-{ROWS - ROWS % 4:06d}"  # the newest LÉGER
        assert queries.search("n'diaye aïssatou")[0][0].birth_name == "N'DIAYE"
        assert queries.decision_delays()[0] == sum(1 for n in range(1, ROWS + 1) if n % 4 in (1, 2))
        assert set(NEW_INDEXES) <= indexes()
        assert ("ix_application_decision_delay" in indexes()) == (db.engine.dialect.name == "sqlite")
        assert (
            not {"ix_application_status", "ix_application_created_at", "ix_pass_famille_request_bracket_code"}
            & indexes()
        )
        db.session.commit()

        downgrade(revision=BEFORE)

        assert "folded_names" not in {c["name"] for c in inspect(db.engine).get_columns("application")}
        assert {
            "ix_application_status",
            "ix_application_created_at",
            "ix_pass_famille_request_bracket_code",
        } <= indexes()
        assert not indexes() & set(NEW_INDEXES)
        names = db.session.execute(text("SELECT birth_name, usage_name, first_names FROM application WHERE id = 5"))
        assert names.one() == NAMES[1][:3]
        db.session.commit()

        upgrade()
        assert db.session.scalar(text("SELECT folded_names FROM application WHERE id = 5")) == NAMES[1][3]
