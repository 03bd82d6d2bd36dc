"""The migration that gives the Pass Famille its own table moves a commune's recorded data, up and down, on
SQLite and PostgreSQL: a granted pass checked by an agent and a crèche request before, the same after, and back."""

import json
from datetime import date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from passfamille.extensions import db
from passfamille.models import Application

from ..database_apps import DATABASES, app_at

BEFORE = "9f00c41bd573"  # the last revision with the Pass Famille's facts on every application row
DECISION = {"eligible": True, "bracket": {"code": "B", "label": "Tranche B"}, "reasons": [], "tariff": "10"}
PASS_FAMILLE = {
    "id": 1,
    "reference": "PF-2026-000001",
    "demarche": "pass_famille",
    "status": "accepted",
    "qf_value": 870,
    "qf_provider": None,
    "qf_year": None,
    "qf_month": None,
    "qf_source": "document",
    "qf_fetched_at": None,
    "qf_verified_by_id": 1,
    "qf_verified_at": datetime(2026, 3, 3, 10, 0),
    "eligible": True,
    "bracket_code": "B",
    "tariff": "10",
    "decision": json.dumps(DECISION),
    "rules_version": "2026-01-01 / délibération n° 2025-112 du 15/12/2025",
    "refusal_reason": None,
    "requested_document": "Votre attestation de la CAF",
    "pass_number": "PASS-2026-000001",
    "pass_valid_from": date(2026, 3, 4),
    "pass_valid_until": date(2027, 3, 4),
}
CRECHE = {
    "id": 2,
    "reference": "CR-2026-000001",
    "demarche": "creche",
    "status": "waiting",
    "decision": "{}",
    "rules_version": "préinscription en crèche",
}
MOVED = [key for key in PASS_FAMILLE if key not in ("id", "reference", "demarche", "status")]


@pytest.fixture(params=DATABASES)
def migration_app(request, app_config):
    yield from app_at(request, app_config, BEFORE)


def insert(row: dict) -> None:
    common = {
        "created_at": datetime(2026, 3, 2, 9, 0),
        "updated_at": datetime(2026, 3, 2, 9, 0),
        "birth_name": "DUPONT",
        "email": "famille@example.org",
        "children": "[]",
    }
    values = common | row
    columns = ", ".join(values)
    db.session.execute(
        text(f"INSERT INTO application ({columns}) VALUES ({', '.join(':' + k for k in values)})"), values
    )


def same(found, expected) -> bool:
    """A value read back through the driver: JSON and times come back as text from SQLite, booleans as 0 and 1."""
    if isinstance(expected, dict):
        return (json.loads(found) if isinstance(found, str) else found) == expected
    if isinstance(expected, datetime):
        return found == expected or str(found).replace("T", " ")[:19] == expected.isoformat(" ")
    if isinstance(expected, date):
        return found == expected or str(found)[:10] == expected.isoformat()
    return found == expected


def application_columns() -> set[str]:
    return {column["name"] for column in inspect(db.engine).get_columns("application")}


def test_the_pass_famille_facts_move_to_their_table_and_back(migration_app):
    with migration_app.app_context():
        db.session.execute(
            text("INSERT INTO agent (id, email, is_admin, active, created_at) VALUES (1, :e, false, true, :at)"),
            {"e": "agent@val-fleuri.example", "at": datetime(2026, 1, 1)},
        )
        insert(PASS_FAMILLE)
        insert(CRECHE)
        db.session.commit()

        upgrade()

        assert not application_columns() & set(MOVED)
        moved = db.session.execute(text("SELECT * FROM pass_famille_request")).mappings().all()
        assert len(moved) == 1 and moved[0]["application_id"] == 1
        db.session.expire_all()
        granted = db.session.get(Application, 1)
        assert granted.pass_famille.pass_number == "PASS-2026-000001"
        assert granted.pass_famille.qf_verified_by.email == "agent@val-fleuri.example"
        assert granted.pass_famille.decision == DECISION
        assert granted.pass_famille.pass_valid_until == date(2027, 3, 4)
        assert db.session.get(Application, 2).pass_famille is None
        db.session.commit()

        downgrade(revision=BEFORE)

        assert set(MOVED) <= application_columns()
        assert "pass_famille_request" not in inspect(db.engine).get_table_names()
        rows = {r["id"]: r for r in db.session.execute(text("SELECT * FROM application ORDER BY id")).mappings()}
        back = rows[1]
        for key in MOVED:
            assert same(back[key], DECISION if key == "decision" else PASS_FAMILLE[key]), (key, back[key])
        assert rows[2]["rules_version"] == "préinscription en crèche" and rows[2]["qf_value"] is None
        db.session.commit()

        upgrade()
        db.session.expire_all()
        assert db.session.get(Application, 1).pass_famille.pass_number == "PASS-2026-000001"
