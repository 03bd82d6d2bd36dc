"""The agents' dashboard: counts per status, bracket and démarche, where the QF came from, time to decision."""

from datetime import datetime, timedelta

import pytest

from passfamille.backoffice.viewmodels_queue import duration

from .queue_rows import add, values

NBSP = "\u00a0"


def table(page, caption: str) -> dict[str, list[str]]:
    found = [t for t in page.soup.find_all("table") if t.caption and t.caption.get_text(strip=True) == caption]
    assert len(found) == 1, caption
    return {
        tr.find("th").get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in found[0].select("tbody tr")
    }


def figure(page, heading: str) -> str:
    title = page.soup.find("h2", string=heading)
    return title.find_next_sibling("p").get_text(" ", strip=True)


@pytest.fixture
def known_set(app):
    start = datetime(2026, 3, 2, 9, 0)

    def decided(number, status, qf, after, **changes):
        created = start + timedelta(days=number)
        return values(number, status=status, qf=qf, created_at=created, decided_at=created + after, **changes)

    add(
        app,
        decided(1, "accepted", 400, timedelta(days=1)),
        decided(2, "accepted", 850, timedelta(days=2, hours=5)),
        decided(3, "accepted", 1250, timedelta(days=10)),
        decided(4, "refused", 3100, timedelta(hours=3)),
        decided(5, "refused", 3200, timedelta(days=4, minutes=50)),
        values(6, status="to_verify", qf=870, qf_source="document"),
        # A decision date on an application back in review does not count: only accepted or refused ones do.
        decided(7, "in_review", 500, timedelta(days=40), qf_source="document", demarche="autre"),
        values(8, status="awaiting_recheck", qf=None, qf_source=None),
    )


def test_dashboard_counts_a_known_set_of_applications(app, known_set, agent_browser):
    page = agent_browser.get("/agents/tableau-de-bord")
    assert page.status == 200 and page.h1 == "Tableau de bord" and len(page.soup.find_all("h1")) == 1
    assert figure(page, "Demandes enregistrées") == "8"
    assert table(page, "Par statut") == {
        "Déposée": ["0"],
        "Déposée, à vérifier": ["1"],
        "En attente de la CAF/MSA": ["1"],
        "En instruction": ["1"],
        "Pièce demandée": ["0"],
        "Acceptée": ["3"],
        "Refusée": ["2"],
    }
    assert table(page, "Par tranche") == {
        "Tranche A": ["1"],
        "Tranche B": ["3"],
        "Tranche C": ["1"],
        "Tranche D": ["0"],
        "Tranche E": ["0"],
        "Sans tranche": ["3"],
    }
    assert table(page, "Par démarche") == {"Pass Famille": ["7"], "autre": ["1"]}
    assert table(page, "Origine du quotient familial") == {
        "CAF/MSA (API Particulier)": ["5", f"62,5{NBSP}%"],
        "Justificatif": ["2", f"25{NBSP}%"],
        "Déclaré par la famille": ["0", f"0{NBSP}%"],
        "Aucun": ["1", f"12,5{NBSP}%"],
    }


def test_median_time_to_decision_counts_accepted_and_refused_only(app, known_set, agent_browser):
    page = agent_browser.get("/agents/tableau-de-bord")
    # 3 h, 1 day, 2 days 5 h, 4 days, 10 days: the middle one.
    assert figure(page, "Délai médian de décision") == "2 jours et 5 heures"
    assert "sur 5 décisions" in page.text


def test_an_empty_dashboard_says_there_is_no_decision_yet(app, agent_browser):
    page = agent_browser.get("/agents/tableau-de-bord")
    assert figure(page, "Délai médian de décision") == "aucune décision"
    assert table(page, "Origine du quotient familial")["Aucun"] == ["0", f"0{NBSP}%"]
    assert table(page, "Par statut")["Déposée"] == ["0"]


def test_every_table_has_a_caption_and_scoped_headers(app, known_set, agent_browser):
    page = agent_browser.get("/agents/tableau-de-bord")
    tables = page.soup.find_all("table")
    assert len(tables) == 4
    for element in tables:
        assert element.caption is not None and element.caption.get_text(strip=True)
        assert all(th.get("scope") in ("col", "row") for th in element.find_all("th"))


@pytest.mark.parametrize(
    ("delay", "words"),
    [
        (None, "aucune décision"),
        (timedelta(minutes=59), "moins d'une heure"),
        (timedelta(hours=1), "1 heure"),
        (timedelta(hours=23, minutes=59), "23 heures"),
        (timedelta(days=1), "1 jour"),
        (timedelta(days=3, hours=1, minutes=30), "3 jours et 1 heure"),
        (timedelta(days=12, hours=7), "12 jours et 7 heures"),
    ],
)
def test_durations_read_in_french(delay, words):
    assert duration(delay) == words
