"""The waiting list read from the database: same order as creche_points.rank, points from the current grid."""

from datetime import datetime

from passfamille.creche import waiting_list
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

from ..creche_factory import make_request


def test_rank_per_structure_and_age_group_follows_points_then_date(app):
    early = make_request(app, criteria=["residence"], created_at=datetime(2026, 9, 1, 9))
    late_but_more_points = make_request(app, criteria=["residence", "parent-seul"], created_at=datetime(2026, 10, 1, 9))
    later_same_points = make_request(app, criteria=["residence"], created_at=datetime(2026, 9, 2, 9))
    elsewhere = make_request(app, wishes=[("coquelicots", "bebes")], criteria=["residence", "handicap"])
    with app.app_context():
        entries = waiting_list.waiting_list("pioupious", "bebes")
        assert [e.request.application_id for e in entries] == [late_but_more_points, early, later_same_points]
        assert [e.points.total for e in entries] == [60, 40, 40]
        request = db.session.get(Application, later_same_points).creche
        assert [(p.rank, p.waiting) for p in waiting_list.positions(request)] == [(3, 3)]
        assert waiting_list.waiting_list("coquelicots", "bebes")[0].request.application_id == elsewhere


def test_a_request_offered_a_place_leaves_the_list_and_the_others_move_up(app, mailbox):
    first = make_request(app, criteria=["residence", "fratrie"])
    second = make_request(app, criteria=["residence"])
    with app.app_context():
        application = db.session.get(Application, first)
        statemachine.change_status(
            application, "offered", None, offer=("pioupious", "bebes", application.creche.start_date)
        )
        assert application.reference.startswith("CR-")
        assert [e.request.application_id for e in waiting_list.waiting_list("pioupious", "bebes")] == [second]
        assert waiting_list.positions(application.creche)[0].rank is None
    (message,) = mailbox.received("famille@example.org")
    assert "Préinscription en crèche" in message["Subject"]
    assert "Multi-accueil Les Pioupious" in message.get_content()
