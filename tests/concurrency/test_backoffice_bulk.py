"""Two agents acting at once on overlapping selections of the queue, each with a double click, against a real
server: every row ends with one owner (one audit event), or one status change (its family's mail is queued in the
same transaction: one change, one mail)."""

from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application, AuditEvent

from ..backoffice.agents import make_agent
from ..backoffice.queue_rows import add, values
from .browsers import burst, clicks, form_of, summary
from .conftest import AGENT
from .test_backoffice_follow import COLLEAGUE, log_in


def selection_posts(agent_browser, colleague, button: str, mine: range, theirs: range, times: int = 5):
    url, data = form_of(agent_browser.get("/agents/"), button)
    _, other = form_of(colleague.get("/agents/"), button)
    data.pop("page", None), other.pop("page", None)
    data["dossier"] = [str(n) for n in mine]
    other["dossier"] = [str(n) for n in theirs]
    return clicks(agent_browser, times, url, data) + clicks(colleague, times, url, other)


def test_two_agents_following_overlapping_selections_at_once_give_each_row_one_owner(
    app, live, new_browser, agent_browser
):
    add(app, *(values(n) for n in range(1, 31)))
    make_agent(app, COLLEAGUE)
    colleague = log_in(new_browser, COLLEAGUE)

    posts = selection_posts(agent_browser, colleague, "Suivre ces dossiers", range(1, 21), range(11, 31))
    answers = burst(live.url, posts, follow_redirects=True)

    assert all(a.error is None and a.status == 200 for a in answers), (summary(answers), live.log())
    with app.app_context():
        owners = {a.id: a.assigned_agent.email for a in db.session.scalars(select(Application))}
        assigned = db.session.scalars(select(AuditEvent.application_id).where(AuditEvent.action == "assigned")).all()
    assert sorted(assigned) == list(range(1, 31))  # one event per row: each row taken once
    assert {owners[n] for n in range(1, 11)} == {AGENT}
    assert {owners[n] for n in range(21, 31)} == {COLLEAGUE}
    # What each agent's pages said adds up: 20 rows each, the overlap won by one or the other.
    won = {
        AGENT: sum(1 for o in owners.values() if o == AGENT),
        COLLEAGUE: sum(1 for o in owners.values() if o != AGENT),
    }
    said = [answer.page.text for answer in answers]
    assert any(f"{won[AGENT]} dossiers mis à jour" in text for text in said[:5])
    assert any(f"{won[COLLEAGUE]} dossiers mis à jour" in text for text in said[5:])


def test_two_agents_moving_overlapping_selections_to_instruction_at_once_mail_each_family_once(
    app, live, new_browser, agent_browser
):
    add(app, *(values(n) for n in range(1, 13)))
    make_agent(app, COLLEAGUE)
    colleague = log_in(new_browser, COLLEAGUE)

    posts = selection_posts(agent_browser, colleague, "Passer en instruction", range(1, 9), range(5, 13), times=4)
    for _, _, data in posts:
        data["confirme"] = "oui"  # as the confirmation page posts it
    answers = burst(live.url, posts, follow_redirects=True)

    assert all(a.error is None and a.status == 200 for a in answers), (summary(answers), live.log())
    with app.app_context():
        changed = db.session.scalars(select(AuditEvent.application_id).where(AuditEvent.action == "status")).all()
        statuses = set(db.session.scalars(select(Application.status)))
    assert sorted(changed) == list(range(1, 13))
    assert statuses == {"in_review"}
