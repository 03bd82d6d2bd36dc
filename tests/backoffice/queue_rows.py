"""Application rows for the back-office tests, inserted straight into the database as the wizard records them."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from passfamille.extensions import db
from passfamille.models import Application, PassFamilleRequest

RULES_2026 = "2026-01-01 / délibération n° 2025-112 du 15/12/2025"
BRACKETS_2026 = [("A", 450, "0"), ("B", 900, "10"), ("C", 1300, "20"), ("D", 1700, "30"), ("E", 2800, "40")]
FAMILIES = [
    ("DUPONT", None, "SOPHIE"),
    ("LÉGER", "MARTIN", "Gérôme Élodie"),
    ("N'DIAYE", None, "Aïssatou"),
    ("GARCIA-LÓPEZ", None, "Inès"),
    ("BERNARD", None, "Julien Marc"),
    ("ŒUVRARD", None, "Chloé"),
    ("PETIT", None, "Lucas"),
    ("ROUX", None, "Emma"),
]


def values(number: int, **changes) -> dict:
    """One application row as the wizard records it (CAF route, Tranche B), with `changes` on top."""
    birth_name, usage_name, first_names = FAMILIES[number % len(FAMILIES)]
    qf = changes.pop("qf", 850)
    source = changes.pop("qf_source", "api")
    bracket = next(
        ((code, tariff) for code, ceiling, tariff in BRACKETS_2026 if qf is not None and qf <= ceiling), None
    )
    created_at = changes.pop("created_at", datetime(2026, 3, 2, 9, 30) + timedelta(minutes=number))
    eligible = changes.pop("eligible", bracket is not None if qf is not None else None)
    children = [{"first_names": "LAURA", "birth_date": "2016-11-15", "source": "api"}]
    row = {
        "id": number,
        "reference": f"PF-{created_at.year}-{number:06d}",
        "demarche": "pass_famille",
        "status": "submitted" if source == "api" else "to_verify",
        "created_at": created_at,
        "updated_at": created_at,
        "birth_name": birth_name,
        "usage_name": usage_name,
        "first_names": first_names,
        "email": f"famille.{number}@example.org",
        "qf_value": qf,
        "qf_provider": "CNAF" if source == "api" else None,
        "qf_year": 2026 if source == "api" else None,
        "qf_month": 1 if source == "api" else None,
        "qf_source": source if qf is not None else None,
        "qf_fetched_at": created_at - timedelta(minutes=3) if source == "api" else None,
        "api_request_id": f"req-{number:08d}" if source == "api" else None,
        "children": children,
        "address": {"lines": ["1 rue des Lilas"], "postal_code": "13990", "city": "Val-Fleuri", "country": None},
        "address_source": "api" if source == "api" else "declared",
        "eligible": eligible,
        "bracket_code": bracket[0] if bracket and eligible else None,
        "tariff": bracket[1] if bracket and eligible else None,
        "decision": {
            "eligible": eligible,
            "reasons": [] if eligible else ["QF_ABOVE_CEILING"],
            "covered_children": children if eligible else [],
            "rules_version": RULES_2026,
        },
        "rules_version": RULES_2026,
    }
    row.update(changes)
    return row


# The Pass Famille's facts live in their own table, one row per application.
PASS_FAMILLE_KEYS = {c.key for c in PassFamilleRequest.__table__.columns} - {"id", "application_id"}


def add(app, *rows: dict) -> None:
    with app.app_context():
        applications = [{k: v for k, v in row.items() if k not in PASS_FAMILLE_KEYS} for row in rows]
        facts = [
            {"application_id": row["id"], **{k: v for k, v in row.items() if k in PASS_FAMILLE_KEYS}}
            for row in rows
            if row["demarche"] != "creche"
        ]
        db.session.execute(insert(Application), applications)
        if facts:
            db.session.execute(insert(PassFamilleRequest), facts)
        db.session.commit()


# Imported by the queue test modules that list these eight.
@pytest.fixture(name="varied")
def varied_applications(app):
    """Eight applications across statuses, sources, brackets and days."""
    add(
        app,
        values(1, created_at=datetime(2026, 3, 1, 8, 0), qf=400),
        values(2, created_at=datetime(2026, 3, 2, 23, 59), qf=850),
        values(3, created_at=datetime(2026, 3, 3, 0, 0), qf=1250, qf_source="document"),
        values(4, created_at=datetime(2026, 3, 4, 10, 0), qf=None, qf_source=None, status="awaiting_recheck"),
        values(5, created_at=datetime(2026, 3, 5, 10, 0), qf=3100, status="refused"),
        values(6, created_at=datetime(2026, 3, 6, 10, 0), qf=850, status="accepted"),
        values(7, created_at=datetime(2026, 3, 7, 10, 0), qf=1600, status="in_review", demarche="autre"),
        values(8, created_at=datetime(2026, 3, 8, 10, 0), qf=870, qf_source="document", status="documents_requested"),
    )
