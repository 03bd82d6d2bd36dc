"""A draft submitted many times at once (double click, two tabs, a retry through the other worker) is recorded
once; every request shows the same confirmation; the family gets one receipt. Different drafts submitted at once
get references of one series without gap or repeat."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sqlalchemy import select

from passfamille.creche import waiting_list
from passfamille.extensions import db
from passfamille.models import Application

from ..functional.journeys import EMAIL
from .browsers import burst, clicks, form_of, summary
from .families import both_recap, pass_famille_recap

SENT = "Votre demande est envoyée"
BOTH_SENT = "Vos demandes sont envoyées"


def references(answer) -> list[str]:
    return [r.get_text(strip=True) for r in answer.page.soup.select(".reference")]


def applications(app) -> list[tuple[str, str]]:
    with app.app_context():
        return db.session.execute(select(Application.demarche, Application.reference).order_by(Application.id)).all()


def assert_all_confirmed(answers, live, heading: str) -> None:
    """No error, no 500 on the way; every request ends on the confirmation page, after a 303."""
    counts = summary(answers)
    assert all(a.error is None and 500 not in a.statuses for a in answers), (counts, live.log())
    assert all(a.statuses == [303, 200] for a in answers), counts
    headings = {a.page.h1 for a in answers}
    assert headings == {heading}, (headings, counts)


def test_one_draft_submitted_100_times_at_once_is_one_application(app, live, new_browser, mailbox):
    family = new_browser()
    url, data = form_of(pass_famille_recap(family), "Envoyer ma demande")

    answers = burst(live.url, clicks(family, 100, url, data), follow_redirects=True)

    assert_all_confirmed(answers, live, SENT)
    year = date.today().year
    recorded = applications(app)
    assert recorded == [("pass_famille", f"PF-{year}-000001")], f"{len(recorded)} demandes pour un brouillon"
    assert {tuple(references(a)) for a in answers} == {(f"PF-{year}-000001",)}
    receipts = mailbox.received()
    assert len(receipts) == 1, f"{len(receipts)} accusés de réception"
    assert receipts[0]["To"] == EMAIL and f"PF-{year}-000001" in receipts[0]["Subject"]


def test_a_both_draft_submitted_50_times_at_once_is_one_pass_famille_and_one_creche_request(
    app, live, new_browser, mailbox
):
    family = new_browser()
    url, data = form_of(both_recap(family), "Envoyer ma demande")

    answers = burst(live.url, clicks(family, 50, url, data), follow_redirects=True)

    assert_all_confirmed(answers, live, BOTH_SENT)
    year = date.today().year
    recorded = applications(app)
    assert recorded == [("pass_famille", f"PF-{year}-000001"), ("creche", f"CR-{year}-000001")], (
        f"{len(recorded)} demandes pour un brouillon « Les deux »"
    )
    assert {tuple(references(a)) for a in answers} == {(f"PF-{year}-000001", f"CR-{year}-000001")}
    receipts = mailbox.received()
    assert len(receipts) == 1, f"{len(receipts)} accusés de réception"
    assert f"PF-{year}-000001" in receipts[0].get_content() and f"CR-{year}-000001" in receipts[0].get_content()
    with app.app_context():
        # Léa is two years old at the wished start: the « grands » section of Les Pioupious, once.
        entries = waiting_list.waiting_list("pioupious", "grands")
        assert len(entries) == 1, f"l'enfant {len(entries)} fois sur la liste d'attente"
        assert entries[0].request.application.reference == f"CR-{year}-000001"


def test_50_families_submitting_at_once_get_50_references_without_gap_or_repeat(app, live, new_browser, mailbox):
    emails = [f"famille-{i:02d}@example.org" for i in range(50)]
    families = [new_browser() for _ in emails]
    # The 50 journeys themselves run a few at a time: only the submissions have to be simultaneous.
    with ThreadPoolExecutor(max_workers=8) as pool:
        recaps = list(pool.map(pass_famille_recap, families, emails))
    # Each family posts its own form (its own CSRF token) with its own cookies.
    posts = [(f.client.session, *form_of(page, "Envoyer ma demande")) for f, page in zip(families, recaps, strict=True)]

    answers = burst(live.url, posts, follow_redirects=True)

    assert_all_confirmed(answers, live, SENT)
    year = date.today().year
    expected = [f"PF-{year}-{n:06d}" for n in range(1, 51)]
    shown = [references(a) for a in answers]
    assert all(len(r) == 1 for r in shown), shown
    assert sorted(r[0] for r in shown) == expected
    assert sorted(reference for _, reference in applications(app)) == expected
    for address, (reference,) in zip(emails, shown, strict=True):
        receipts = mailbox.received(address)
        assert len(receipts) == 1, f"{len(receipts)} accusés de réception pour {address}"
        assert reference in receipts[0]["Subject"], (address, reference, receipts[0]["Subject"])
    assert len(mailbox.received()) == 50
