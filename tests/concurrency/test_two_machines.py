"""Two app machines behind one address: each its own copy of the code and its own instance folder, both on one
PostgreSQL with the same SECRET_KEY, configured from the environment as in production (SMTP_URL to the run's SMTP
server, the built-in sandbox). A family and an agent go from one machine to the other at every turn, as a load
balancer may send them, and see what they would see on one machine; nothing is written on either machine's disk."""

import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from ..backoffice.agents import PASSWORD, make_agent
from ..conftest import edited_example_settings
from ..formclient import Browser
from ..functional.journeys import DUPONT, EMAIL, add_child, begin, fill_identity, finish
from .browsers import HttpClient
from .conftest import AGENT
from .server import ROOT, GunicornProcess

DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
PROOF = b"%PDF-1.4\n% l'avis d'imposition de la famille, envoye depuis la machine A\n%%EOF\n"
SECRET_KEY = "la-meme-cle-sur-les-deux-machines"
LOGIN_ATTEMPTS = 5  # the documented default, per account and 15 minutes
OTHER_AGENT = "autre.agent@val-fleuri.example"


class Machine(GunicornProcess):
    """One app machine: a copy of what a commune installs (the package, wsgi.py, gunicorn.conf.py, the migrations)
    in its own folder, so that its instance folder is its own, served by its own gunicorn."""

    def __init__(self, name: str, folder: Path, environment: dict):
        super().__init__(folder.parent / f"gunicorn-{name}.log", f"gunicorn ({name})")
        self.name = name
        self.folder = folder
        self.instance = folder / "instance"
        self.environment = environment
        folder.mkdir()
        ignore = shutil.ignore_patterns("__pycache__")
        for part in ("passfamille", "migrations"):
            shutil.copytree(ROOT / part, folder / part, ignore=ignore)
        for part in ("wsgi.py", "gunicorn.conf.py"):
            shutil.copy(ROOT / part, folder / part)
        # Its own copy of the commune's settings, as a second machine would have.
        self.environment["PASSFAMILLE_COMMUNE"] = str(edited_example_settings(folder / "commune", lambda text: text))

    def start(self, wait_seconds: float = 30) -> None:
        options = ["--config", "gunicorn.conf.py", "--workers", "1", "--threads", "4", "--graceful-timeout", "5"]
        options += ["--no-control-socket", "--chdir", str(self.folder), "wsgi:app"]
        self.launch(options, self.folder, self.environment, wait_seconds)

    def served(self, method: str, path_start: str, wait_seconds: float = 5) -> bool:
        """Whether its access log shows a request `method path…` (the path's start). gunicorn writes the line once
        the response is sent, maybe after the client has read it: a line not there yet is waited for a while."""
        deadline = time.monotonic() + wait_seconds
        while f'"{method} {path_start}' not in self.log_path.read_text(errors="replace"):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def written(self) -> list[str]:
        """What the app wrote in its instance folder."""
        return sorted(str(p.relative_to(self.instance)) for p in self.instance.rglob("*"))


class Balancer(HttpClient):
    """The one address the browsers know: every request goes to the machine chosen last, whatever machine the page
    it comes from was served by (its cookies go along: they are the browser's, not a machine's)."""

    def to(self, machine: Machine) -> "Balancer":
        self.base_url = machine.url
        return self

    def _on_current(self, url: str) -> str:
        _, _, path, query, _ = urlsplit(url)
        scheme, netloc, _, _, _ = urlsplit(self.base_url)
        return urlunsplit((scheme, netloc, path, query, ""))

    def get(self, url, follow_redirects=True):
        return super().get(self._on_current(url), follow_redirects)

    def post(self, url, data, follow_redirects=True, content_type=None):
        return super().post(self._on_current(url), data, follow_redirects, content_type)


@pytest.fixture
def live_config(tmp_path, sandbox, smtp_server, migrated_template, postgres_url) -> dict:
    """The configuration of the test process's `app` (agents, reading what the machines wrote): PostgreSQL only,
    the machines' database. Overrides the suite's SQLite-and-PostgreSQL `live_config`."""
    from ..conftest import config_for

    (tmp_path / "tests").mkdir()
    config = config_for(tmp_path / "tests", sandbox, smtp_server, migrated_template)
    config.update(
        SQLALCHEMY_DATABASE_URI=postgres_url, SECRET_KEY=SECRET_KEY, TESTING=False, WEAK_PASSWORD_HASH_FOR_TESTS=False
    )
    return config


@pytest.fixture
def machines(app, tmp_path, sandbox, smtp_server, postgres_url):
    """Machines A and B, configured from the environment only, as in production."""
    controller, _ = smtp_server
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PASSFAMILLE_", "API_PARTICULIER", "SMTP"))},
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": postgres_url,
        "API_PARTICULIER_URL": sandbox.url,
        "API_PARTICULIER_TOKEN": "bac-a-sable-passfamille",
        "SMTP_URL": f"smtp://127.0.0.1:{controller.port}",
        "MAIL_FROM": "pass-famille@val-fleuri.example",
        "PASSFAMILLE_URL": "https://pass-famille.val-fleuri.example",
        # The access log (standard output, to a file here) written as each request ends: the test reads it.
        "PYTHONUNBUFFERED": "1",
    }
    started = []
    try:
        for name in ("a", "b"):
            machine = Machine(name, tmp_path / f"machine-{name}", dict(environment))
            machine.start()
            started.append(machine)
        yield started
    finally:
        for machine in started:
            machine.stop()


def path_in(message, pattern: str) -> str:
    found = re.search(pattern, message.get_body().get_content())
    assert found, message.get_body().get_content()[:600]
    return urlsplit(found.group(0)).path


def away_from_a_window_edge(minutes: int = 15, margin_seconds: int = 20) -> None:
    """The log-in attempts are counted in fixed 15-minute windows: attempts made across an edge would be counted in
    two windows. Waits past the edge when it is near (a few seconds at most), never asserts a time."""
    now = datetime.now(UTC)
    into = (now.minute % minutes) * 60 + now.second
    left = minutes * 60 - into
    if left < margin_seconds:
        time.sleep(left + 1)


def test_a_family_and_an_agent_go_from_one_machine_to_the_other(app, machines, mailbox):
    a, b = machines
    family_balancer = Balancer(a.url)
    family = Browser(family_balancer)

    # The family starts on A, goes on on B with the same cookie (the draft is in the database).
    page = begin(family)
    assert page.h1.startswith("Votre quotient familial"), page.h1
    page = page.choose(DOCUMENT_ROUTE).submit("Continuer")
    assert page.h1 == "Vous", page.h1
    family_balancer.to(b)
    page = fill_identity(page, DUPONT).submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial", page.error_summary() or page.h1
    # Its proof is uploaded on A…
    family_balancer.to(a)
    # A tax notice: the family types no figure, the agent works the QF out from it.
    page = page.choose("Dernier avis d'imposition").attach("Votre justificatif", "avis.pdf", PROOF).submit("Continuer")
    assert page.h1 == "Votre foyer", page.error_summary() or page.h1
    # … seen on B (the step knows it has one), and the application sent from B.
    family_balancer.to(b)
    proof_page = family.get("/demande/justificatif")
    assert "PDF" in proof_page.text and "Ko" in proof_page.text, proof_page.text[:800]
    page = add_child(family.get("/demande/foyer"), "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = finish(page.submit("Continuer"))
    assert page.h1 == "Votre demande est envoyée", page.error_summary() or page.h1
    reference = re.search(r"PF-\d{4}-\d{6}", page.text).group(0)
    # Each request went where the balancer sent it.
    assert a.served("POST", "/demande/justificatif") and not b.served("POST", "/demande/justificatif", 0)
    assert b.served("POST", "/demande/recapitulatif") and not a.served("POST", "/demande/recapitulatif", 0)
    receipts = mailbox.received(EMAIL)
    assert len(receipts) == 1, f"{len(receipts)} accusés de réception"
    assert reference in receipts[0].get_body().get_content()

    # The agent logs in on A; the session (in the database) opens the application on B, where the proof downloads.
    make_agent(app, AGENT)
    agent_balancer = Balancer(a.url)
    agent = Browser(agent_balancer)
    page = agent.get("/agents/connexion").fill("Adresse électronique", AGENT).fill("Mot de passe", PASSWORD)
    page = page.submit("Se connecter")
    assert page.h1 != "Connexion à l'espace agents", page.error_summary()
    agent_balancer.to(b)
    page = agent.get("/agents/")
    link = page.soup.find("a", string=reference)
    assert link is not None, page.text[:1000]
    page = agent.get(link["href"])
    assert page.status == 200 and reference in page.text
    download = page.soup.find("a", string=re.compile("^Télécharger"))["href"]
    response = agent_balancer.get(download)
    assert response.status_code == 200 and response.content == PROOF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={reference}-piece-1.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert b.served("GET", "/agents/documents/")

    # The decision is made on A, from the page B served.
    agent_balancer.to(a)
    page = page.submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    assert "Vérifiez d'abord le quotient familial sur le justificatif" in page.text, page.text[:800]
    page = page.fill("Quotient familial lu sur le document", "800").submit("Enregistrer la vérification")
    page = page.submit("Accepter").submit("Confirmer et envoyer le courriel")
    assert "Numéro du pass PASS-" in page.text, page.text[:800]
    pass_number = re.search(r"PASS-\d{4}-\d{6}", page.text).group(0)

    # The family's link, from the mail, opens on B.
    accepted = [m for m in mailbox.received(EMAIL) if "est acceptée" in m.get_body().get_content()]
    assert len(accepted) == 1
    family_balancer.to(b)
    page = family.get(path_in(accepted[0], r"https://pass-famille\.val-fleuri\.example/demande/suivi/\S+"))
    assert page.status == 200 and pass_number in page.text, page.text[:800]
    assert [m["Subject"] for m in mailbox.received(EMAIL)].count(receipts[0]["Subject"]) == 1  # the receipt, once

    # Neither machine wrote anything on its disk: no proof, no mail, no key, no session.
    assert a.written() == [] and b.written() == [], (a.written(), b.written())


def test_log_in_attempts_are_counted_across_both_machines(app, machines, mailbox):
    a, b = machines
    make_agent(app, OTHER_AGENT)
    away_from_a_window_edge()
    answers = []
    for attempt in range(LOGIN_ATTEMPTS + 2):
        machine = machines[attempt % 2]  # A, B, A, B…: each machine alone sees at most four
        browser = Browser(Balancer(machine.url))
        page = browser.get("/agents/connexion").fill("Adresse électronique", OTHER_AGENT)
        page = page.fill("Mot de passe", f"mauvais {attempt}").submit("Se connecter")
        answers.append((machine.name, page.status, "Trop de tentatives" in page.text))

    checked = [answer for answer in answers if answer[1] == 400 and not answer[2]]
    refused = [answer for answer in answers if answer[1] == 429 and answer[2]]
    assert len(checked) == LOGIN_ATTEMPTS and len(refused) == 2, answers
    assert {name for name, _, _ in refused} == {"a", "b"}, answers  # the limit holds on both
