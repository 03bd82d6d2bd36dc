"""Crèche requests for tests that start after submission (family link, relance, commission, exports): recorded
through the same code as the wizard (creche.registration.record), without going through the pages."""

from datetime import date, datetime

from passfamille.creche import registration
from passfamille.extensions import db
from passfamille.models import Application, CrecheRequest, Document, DocumentContent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_request(
    app,
    *,
    wishes=(("pioupious", "bebes"),),
    criteria=(),
    email="famille@example.org",
    birth_name="MARTIN",
    first_names="Camille",
    child_first_name="Léo",
    child_birth_date=date(2026, 6, 1),
    child_due_date=None,
    start_date=date(2027, 1, 4),
    created_at: datetime | None = None,
    today: date | None = None,
    psu=(40923, 1, 0),
) -> int:
    """Record one waiting request and return its application id. `created_at` fixes its place among equals."""
    with app.app_context():
        application = Application(
            birth_name=birth_name,
            first_names=first_names,
            email=email,
            children=[],
            address={"lines": ["12 rue des Tilleuls", "13990 Val-Fleuri"]},
            address_source="declared",
        )
        if created_at is not None:
            application.created_at = created_at
        annual, children, aeeh = psu if psu else (None, None, None)
        request = CrecheRequest(
            child_source="expected" if child_due_date else "declared",
            child_first_name=child_first_name,
            child_birth_date=None if child_due_date else child_birth_date,
            child_due_date=child_due_date,
            start_date=start_date,
            days_per_week=4,
            hours_per_week=36,
            criteria=list(criteria),
            psu_source="api" if psu else None,
            psu_annual_resources=annual,
            psu_children=children,
            psu_aeeh_children=aeeh,
        )
        registration.record(application, request, list(wishes), today or date.today())
        if created_at is not None:
            request.confirmed_at = created_at
        db.session.commit()
        return application.id


def attach(app, application_id: int, kind: str) -> None:
    """A proof as the wizard keeps it: its row and its bytes."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        document = Document(application=application, kind=kind, content_type="application/pdf", size=len(PDF))
        document.content = DocumentContent(data=PDF)
        db.session.add(document)
        db.session.commit()


def with_proof(app, criteria=(), **request) -> int:
    """A waiting crèche request whose family sent a resources proof (and, for each criterion, its proof)."""
    application_id = make_request(app, psu=None, criteria=criteria, **request)
    with app.app_context():
        db.session.get(Application, application_id).creche.psu_source = "document"
        db.session.commit()
    attach(app, application_id, "ressources-creche")
    for code in criteria:
        attach(app, application_id, f"critere-{code}")
    return application_id
