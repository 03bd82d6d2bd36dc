"""Retention of crèche requests, enforced by `adhesions purge`: a finished request is erased with its proofs after
retention.refused_application_months; the other démarche of the household loses only the link."""

from datetime import date, timedelta

from sqlalchemy import func, select

from passfamille.creche import relance
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application, CrecheRequest, CrecheWish, PassFamilleRequest, utcnow
from passfamille.retention import months_after

from ..creche_factory import make_request


def purge(app):
    result = app.test_cli_runner().invoke(args=["adhesions", "purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_closed_request_is_erased_with_its_wishes_after_the_retention_of_finished_requests(app, mailbox):
    kept = make_request(app)
    closed = make_request(app)
    with app.app_context():
        application = db.session.get(Application, closed)
        statemachine.change_status(application, "closed", None, today=date(2026, 3, 1))
        months = app.extensions["commune"].retention.refused_application_months
        assert application.purge_after == months_after(date(2026, 3, 1), months)
        assert application.decided_at is not None
    assert "1 demande(s)" in purge(app)
    with app.app_context():
        assert db.session.get(Application, closed) is None
        assert db.session.get(Application, kept) is not None
        assert db.session.scalar(select(func.count(CrecheRequest.id))) == 1
        assert db.session.scalar(select(func.count(CrecheWish.id))) == 1


def test_a_request_still_waiting_is_kept_and_a_confirmation_pushes_its_retention_back(app):
    waiting = make_request(app, today=date(2026, 1, 10))
    assert "0 demande(s)" in purge(app)
    with app.app_context():
        application = db.session.get(Application, waiting)
        months = app.extensions["commune"].retention.application_months
        assert application.purge_after == months_after(date(2026, 1, 10), months)
        relance.confirm(application, today=date(2026, 4, 10))
        assert application.purge_after == months_after(date(2026, 4, 10), months)


def test_purging_the_pass_famille_keeps_the_linked_creche_request_without_its_link(app):
    creche_id = make_request(app)
    with app.app_context():
        creche_request = db.session.get(Application, creche_id)
        pass_famille = Application(status="accepted", birth_name="MARTIN", email="famille@example.org")
        pass_famille.pass_famille = PassFamilleRequest(rules_version="test", decision={})
        db.session.add(pass_famille)
        db.session.flush()
        pass_famille.linked_application = creche_request
        creche_request.linked_application = pass_famille
        pass_famille.purge_after = utcnow() - timedelta(days=1)
        db.session.commit()
        pass_famille_id = pass_famille.id
    assert "1 demande(s)" in purge(app)
    with app.app_context():
        assert db.session.get(Application, pass_famille_id) is None
        creche_request = db.session.get(Application, creche_id)
        assert creche_request.linked_application_id is None and creche_request.creche is not None
