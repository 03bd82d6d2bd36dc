"""The agents' queue: filters, sort, pages and counts per status. The search is in test_queue_search.py."""

from datetime import datetime

from .queue_pages import apply_filters, query_of, references
from .queue_rows import add, values, varied_applications  # noqa: F401 (fixture)


def test_queue_lists_the_newest_first_with_the_agreed_columns(app, varied, agent_browser):
    page = agent_browser.get("/agents/")
    assert page.status == 200 and page.h1 == "Demandes" and page.title.startswith("Demandes – ")
    assert references(page) == [f"PF-2026-{n:06d}" for n in range(8, 0, -1)]
    headers = [th.get_text(strip=True) for th in page.soup.select("table.queue thead th")]
    assert headers == [
        "Référence",
        "Déposée le",
        "Démarche",
        "Demandeur",
        "Statut",
        "Pris en charge par",
        "Source du QF",
        "Tranche",
        "Tarif",
        "Éligible",
    ]
    cells = [td.get_text(" ", strip=True) for td in page.soup.select("table.queue tbody tr")[6].select("th, td")]
    assert cells == [
        "PF-2026-000002",
        "02/03/2026",
        "Pass Famille",
        "N'DIAYE Aïssatou",
        "Déposée",
        "Personne",
        "CAF/MSA (API Particulier)",
        "B",
        "10\u00a0€",
        "Oui",
    ]
    first = [td.get_text(" ", strip=True) for td in page.soup.select("table.queue tbody tr")[7].select("td")]
    assert first[2:4] == ["MARTIN (naissance : LÉGER) Gérôme Élodie", "Déposée"] and first[7] == "0\u00a0€"
    refused = [td.get_text(" ", strip=True) for td in page.soup.select("table.queue tbody tr")[3].select("td")]
    assert refused[3:] == ["Refusée", "Personne", "CAF/MSA (API Particulier)", "–", "–", "Non"]


def test_reference_links_to_the_detail_page(app, varied, agent_browser):
    link = agent_browser.get("/agents/").soup.find("a", string="PF-2026-000003")
    assert link["href"] == "/agents/demandes/3"


def test_counts_per_status_are_links_that_filter(app, varied, agent_browser):
    page = agent_browser.get("/agents/")
    counts = [a.get_text(" ", strip=True) for a in page.soup.select(".status-counts a")]
    assert counts == [
        "Toutes : 8",
        "Déposée : 2",
        "Déposée, à vérifier : 1",
        "En attente de la CAF/MSA : 1",
        "En instruction : 1",
        "Pièce demandée : 1",
        "Acceptée : 1",
        "Refusée : 1",
    ]
    page = page.click("Déposée : 2")
    assert query_of(page) == {"statut": "submitted"}
    assert references(page) == ["PF-2026-000002", "PF-2026-000001"]
    assert page.value("Statut (Pass Famille)") == "submitted"
    assert page.soup.select_one('.status-counts a[aria-current="true"]').get_text(" ", strip=True) == "Déposée : 2"


# Each case is a separate page load in one test: a logged-in agent costs two scrypt hashes per test.
FILTER_CASES = [
    ("Statut (Pass Famille)", "Acceptée", [6]),
    ("Statut (Pass Famille)", "Déposée, à vérifier", [3]),
    ("Démarche", "Pass Famille", [8, 6, 5, 4, 3, 2, 1]),
    ("Tranche", "Tranche B", [8, 6, 2]),
    ("Tranche", "Tranche A", [1]),
    ("Tranche", "Sans tranche", [5, 4]),
    ("Source du quotient familial", "CAF/MSA (API Particulier)", [7, 6, 5, 2, 1]),
    ("Source du quotient familial", "Justificatif", [8, 3]),
    ("Source du quotient familial", "Aucun", [4]),
]


def test_each_filter_narrows_the_list(app, varied, agent_browser):
    for label, option, expected in FILTER_CASES:
        page = apply_filters(agent_browser.get("/agents/").select(label, option))
        assert page.status == 200, (label, option)
        assert references(page) == [f"PF-2026-{n:06d}" for n in expected], (label, option)
        assert page.soup.select_one("#resultats").get_text(" ", strip=True).startswith(f"{len(expected)} demande")


def test_date_range_includes_both_whole_days(app, varied, agent_browser):
    page = apply_filters(
        agent_browser.get("/agents/").fill("Déposée du", "02/03/2026").fill("Déposée au", "2026-03-04")
    )
    assert references(page) == ["PF-2026-000004", "PF-2026-000003", "PF-2026-000002"]
    assert query_of(page) == {"du": "02/03/2026", "au": "2026-03-04", "tri": "recentes"}
    assert page.value("Déposée du") == "02/03/2026"


def test_filters_combine_and_counts_follow_the_other_filters(app, varied, agent_browser):
    page = agent_browser.get("/agents/").select("Tranche", "Tranche B").fill("Déposée au", "06/03/2026")
    page = apply_filters(page.select("Statut (Pass Famille)", "Acceptée"))
    assert references(page) == ["PF-2026-000006"]
    counts = {a.get_text(" ", strip=True) for a in page.soup.select(".status-counts a")}
    assert {"Toutes : 2", "Déposée : 1", "Acceptée : 1", "Refusée : 0"} <= counts
    # A count's link keeps the other filters and changes only the status.
    page = page.click("Déposée : 1")
    assert query_of(page) == {"tranche": "B", "au": "2026-03-06", "statut": "submitted"}
    assert references(page) == ["PF-2026-000002"]


def test_an_invalid_date_gets_a_french_message_and_the_other_filters_still_apply(app, varied, agent_browser):
    for typed in ["31/02/2026", "hier", "2026-13-01", "14/07/26"]:
        page = apply_filters(agent_browser.get("/agents/").select("Tranche", "Tranche B").fill("Déposée du", typed))
        assert page.status == 400 and page.title.startswith("Erreur : Demandes"), typed
        assert "n'existe pas ou n'est pas au format JJ/MM/AAAA" in page.field_error("Déposée du"), typed
        assert page.value("Déposée du") == typed and page.value("Tranche") == "B"
        assert references(page) == ["PF-2026-000008", "PF-2026-000006", "PF-2026-000002"], typed


def test_a_range_ending_before_it_starts_is_refused(app, varied, agent_browser):
    page = apply_filters(
        agent_browser.get("/agents/").fill("Déposée du", "05/03/2026").fill("Déposée au", "01/03/2026")
    )
    assert page.status == 400
    assert (
        page.field_error("Déposée au")
        == "Erreur : La date « déposée au » doit être le même jour ou après « déposée du »"
    )


def test_an_unknown_value_in_the_address_bar_is_a_message_not_a_500(app, varied, agent_browser):
    for query, label, message in [
        ("statut=perdue", "Statut (Pass Famille)", "Choisissez un statut de la liste"),
        ("tranche=Z", "Tranche", "Choisissez une tranche de la liste"),
        ("demarche=cantine", "Démarche", "Choisissez une démarche de la liste"),
        ("tri=taille", "Trier par", "Choisissez un tri de la liste"),
    ]:
        page = agent_browser.get(f"/agents/?{query}&source=document")
        assert page.status == 400, query
        assert message in page.field_error(label), query
        assert references(page) == ["PF-2026-000008", "PF-2026-000003"], query  # the valid filter still applies
    page = agent_browser.get("/agents/?source=ouidire&tranche=B")
    assert "Choisissez une source du quotient familial de la liste" in page.field_error("Source du quotient familial")
    assert references(page) == ["PF-2026-000008", "PF-2026-000006", "PF-2026-000002"]


def test_sorting(app, varied, agent_browser):
    for sort, expected in [
        ("Plus anciennes d'abord", [1, 2, 3, 4, 5, 6, 7, 8]),
        ("Référence", [1, 2, 3, 4, 5, 6, 7, 8]),
        # The workflow's order: déposée, à vérifier, en attente, en instruction, pièce demandée, acceptée, refusée.
        ("Statut", [2, 1, 3, 4, 7, 8, 6, 5]),
        ("Plus récentes d'abord", [8, 7, 6, 5, 4, 3, 2, 1]),
    ]:
        page = apply_filters(agent_browser.get("/agents/").select("Trier par", sort))
        assert references(page) == [f"PF-2026-{n:06d}" for n in expected], sort
        assert page.value("Trier par") in page.url


def test_sort_by_reference_is_not_by_date(app, agent_browser):
    add(app, values(2, created_at=datetime(2026, 1, 1)), values(1, created_at=datetime(2026, 2, 1)))
    assert references(agent_browser.get("/agents/?tri=reference")) == ["PF-2026-000001", "PF-2026-000002"]
    assert references(agent_browser.get("/agents/?tri=anciennes")) == ["PF-2026-000002", "PF-2026-000001"]


def test_pages_of_fifty_with_previous_and_next_links_that_keep_the_filters(app, agent_browser):
    add(app, *[values(n) for n in range(1, 131)], *[values(n, qf_source="document") for n in range(131, 141)])
    page = agent_browser.get("/agents/?source=api")
    assert len(references(page)) == 50 and references(page)[0] == "PF-2026-000130"
    assert page.soup.select_one(".pagination").get_text(" ", strip=True) == "Page 1 sur 3 Page suivante"
    assert "Page précédente" not in page.text
    page = page.click("Page suivante")
    assert query_of(page) == {"source": "api", "page": "2"}
    assert references(page)[0] == "PF-2026-000080" and references(page)[-1] == "PF-2026-000031"
    assert "Page 2 sur 3" in page.soup.select_one(".pagination").get_text(" ", strip=True)
    page = page.click("Page suivante")
    assert len(references(page)) == 30 and references(page)[-1] == "PF-2026-000001"
    assert "Page suivante" not in page.soup.select_one(".pagination").get_text(" ", strip=True)
    assert references(page.click("Page précédente"))[0] == "PF-2026-000080"
    # A page past the end shows the last one; a nonsense page the first.
    assert references(agent_browser.get("/agents/?source=api&page=99"))[-1] == "PF-2026-000001"
    assert references(agent_browser.get("/agents/?source=api&page=abc"))[0] == "PF-2026-000130"


def test_an_empty_queue_says_so(app, agent_browser):
    page = agent_browser.get("/agents/")
    assert page.status == 200 and "Aucune demande." in page.text
    assert page.soup.select_one(".pagination") is None
