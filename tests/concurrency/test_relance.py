"""`flask creche relance` run twice at once (the cron of two servers, a manual run during the nightly one): every
family due a relance gets one mail, every expired offer and unanswered relance is closed once."""

import threading
from datetime import date, datetime

from sqlalchemy import select

from passfamille.creche import relance
from passfamille.extensions import db
from passfamille.models import Application, AuditEvent

from ..creche_factory import make_request

RUNS = 3
DUE = 12  # requests confirmed in January: due a relance on 10 April (every 3 months in the example settings)


def run_at_once(app, day: date) -> list[relance.Counts | str]:
    barrier = threading.Barrier(RUNS)
    results: list[relance.Counts | str] = [""] * RUNS

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = relance.run(day)
            except Exception as error:  # reported by the assertion, with its type
                results[index] = f"{type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_relance_run_three_times_at_once_mails_each_family_once(app, mailbox):
    for index in range(DUE):
        make_request(app, email=f"famille{index}@example.org", created_at=datetime(2026, 1, 10, 9, index))

    results = run_at_once(app, date(2026, 4, 10))

    assert all(isinstance(r, relance.Counts) for r in results), results
    assert sum(r.sent for r in results) == DUE, results
    received = sorted(message["To"] for message in mailbox.received())
    assert received == sorted(f"famille{i}@example.org" for i in range(DUE)), f"{len(received)} relances envoyées"
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "relance")).all()
        assert len(events) == DUE
        pending = db.session.scalars(select(Application).where(Application.status == "waiting")).all()
        assert all(a.creche.relance_sent_at is not None for a in pending)


def test_closing_unanswered_relances_three_times_at_once_closes_each_once(app, mailbox):
    for index in range(DUE):
        make_request(app, email=f"famille{index}@example.org", created_at=datetime(2026, 1, 10, 9, index))
    assert sum(r.sent for r in run_at_once(app, date(2026, 4, 10))) == DUE
    mailbox.clear()

    results = run_at_once(app, date(2026, 5, 11))  # the 30 days to answer are over

    assert all(isinstance(r, relance.Counts) for r in results), results
    assert sum(r.closed for r in results) == DUE, results
    received = [message["To"] for message in mailbox.received()]
    assert len(received) == DUE and len(set(received)) == DUE, f"{len(received)} courriels de clôture"
    with app.app_context():
        closed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "status", AuditEvent.to_status == "closed")
        ).all()
        assert len(closed) == DUE
