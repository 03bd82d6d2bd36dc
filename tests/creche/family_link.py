"""Helpers for the family's crèche link and the daily relance command, as a family and cron would use them."""

import re
from datetime import date
from urllib.parse import urlsplit

from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

LINK = re.compile(r"https?://\S+/creche/suivi/\S+")


def link_of(app, application_id: int) -> str:
    """The family's link, as the receipt mail gives it (path only, for the test client)."""
    with app.app_context():
        return urlsplit(statemachine.family_link(db.session.get(Application, application_id))).path


def link_in(message) -> str:
    """The family's link in a mail, path only."""
    found = LINK.search(message.get_content())
    assert found, "pas de lien de suivi dans le courriel"
    return urlsplit(found.group(0)).path


def run_relance(app, day: date) -> str:
    """`flask --app wsgi creche relance --date AAAA-MM-JJ`, as cron runs it; returns what it printed."""
    result = app.test_cli_runner().invoke(args=["creche", "relance", "--date", day.isoformat()])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output.strip()


def counts(sent=0, closed=0, expired=0) -> str:
    return f"{sent} relance(s) envoyée(s), {closed} demande(s) close(s), {expired} proposition(s) expirée(s)."


def status_of(app, application_id: int) -> str:
    with app.app_context():
        return db.session.get(Application, application_id).status


def rank_rows(page) -> list[tuple[str, ...]]:
    """The rows of the « rang » table: (choice, structure, section, rank)."""
    table = page.soup.find("caption", string=re.compile("Rang de votre demande")).find_parent("table")
    return [tuple(cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])) for row in table.tbody("tr")]
