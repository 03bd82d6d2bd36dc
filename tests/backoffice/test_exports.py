"""The agents' download of the filtered list: a CSV an agent reads in a French spreadsheet (French titles, labels,
Paris time), the JSON of the CLI export for programs, and a streamed response whose memory does not grow with the
number of applications."""

import csv
import gc
import io
import json
import time
import tracemalloc
from datetime import date, datetime, timedelta

from passfamille.exports import COLUMNS, TITLES
from passfamille.extensions import db
from passfamille.folding import fold_names

from ..formclient import Browser
from ..functional.journeys import DUPONT, LEFEBVRE, add_child, finish, through_api
from .queue_rows import PASS_FAMILLE_KEYS, add, values

BOM = b"\xef\xbb\xbf"


def submit_two(app) -> None:
    page = through_api(Browser(app.test_client()), DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    finish(page.submit("Continuer"))
    page = through_api(Browser(app.test_client()), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    finish(add_child(page).submit("Continuer"))


def cli_rows(app) -> list[dict]:
    return json.loads(app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "json"]).output)


def download(browser, label: str, path: str = "/agents/"):
    page = browser.get(path)
    link = page.soup.find("a", string=f"Télécharger ({label})")
    assert link is not None and link.has_attr("download")
    return browser.client.get(link["href"])


def csv_rows(body: bytes) -> list[dict]:
    assert body.startswith(BOM)
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";")
    assert tuple(reader.fieldnames) == TITLES
    return list(reader)


def test_csv_download_has_the_cli_rows_and_opens_in_a_french_spreadsheet(app, agent_browser):
    submit_two(app)
    response = download(agent_browser, "CSV")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="demandes-{date.today().isoformat()}.csv"'
    body = response.get_data()
    assert body.startswith(BOM + "Référence;Démarche;Statut;Déposée le (heure de Paris);".encode())
    rows = csv_rows(body)
    # Newest first, as on the queue; the CLI's applications, in the same readable CSV.
    assert [r["Référence"] for r in rows] == [r["reference"] for r in reversed(cli_rows(app))]
    cli_csv = app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "csv"]).output.encode()
    assert sorted(csv_rows(cli_csv), key=lambda r: r["Référence"]) == sorted(rows, key=lambda r: r["Référence"])
    assert rows[0]["Prénoms"] == "ALEXIS GÉRÔME JEAN-PHILIPPE" and rows[1]["Nom de naissance"] == "DUPONT"
    assert rows[1]["Enfants couverts"] == "LAURA 15/11/2013; INES 03/12/2016; MAXIME 01/09/2015"
    assert (rows[1]["Démarche"], rows[1]["Statut"], rows[1]["Éligible"]) == ("Pass Famille", "Déposée", "Oui")


def test_csv_speaks_french_to_the_agent_with_paris_time_and_reasons_spelled_out(app, agent_browser):
    # 07:30 UTC on 14 July is 09:30 in Paris (summer time); 23:30 UTC on 2 March is already 3 March in Paris.
    add(
        app,
        values(1, created_at=datetime(2026, 7, 14, 7, 30), status="in_review", qf=3100),
        values(2, created_at=datetime(2026, 3, 2, 23, 30), qf=None, qf_source="declared", status="to_verify"),
    )
    rows = {r["Référence"]: r for r in csv_rows(download(agent_browser, "CSV").get_data())}
    refused, pending = rows["PF-2026-000001"], rows["PF-2026-000002"]
    assert refused["Déposée le (heure de Paris)"] == "14/07/2026 09:30"
    assert pending["Déposée le (heure de Paris)"] == "03/03/2026 00:30"
    assert (refused["Statut"], refused["Éligible"]) == ("En instruction", "Non")
    assert refused["Motifs"] == "Quotient familial au-dessus du plafond"
    assert (refused["Source du QF"], refused["Mois du QF"], refused["Organisme du QF"]) == (
        "CAF/MSA (API Particulier)",
        "01/2026",
        "CNAF",
    )
    assert (pending["Statut"], pending["Source de l'adresse"], pending["Éligible"]) == (
        "Déposée, à vérifier",
        "Saisie par la famille",
        "En attente",
    )
    # The JSON, read by programs, keeps its codes and UTC.
    found = {r["reference"]: r for r in json.loads(download(agent_browser, "JSON").get_data())}
    assert found["PF-2026-000001"]["deposee_le"] == "2026-07-14T07:30:00"
    assert (found["PF-2026-000001"]["statut"], found["PF-2026-000001"]["motifs"]) == ("in_review", "QF_ABOVE_CEILING")


def test_json_download_is_the_cli_export_of_the_filtered_list(app, agent_browser):
    submit_two(app)
    response = download(agent_browser, "JSON")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="demandes-{date.today().isoformat()}.json"'
    rows = json.loads(response.get_data(as_text=True))
    assert list(rows[0]) == list(COLUMNS)
    assert rows == list(reversed(cli_rows(app)))
    assert (rows[1]["qf"], rows[1]["tranche"], rows[1]["tarif"], rows[1]["eligible"]) == (900, "B", "10", "oui")


def test_downloads_follow_the_filters_and_the_sort_of_the_queue(app, agent_browser):
    add(app, *[values(n, qf=qf) for n, qf in enumerate([400, 850, 1250, 870, 860, 3100], start=1)])
    page = agent_browser.get("/agents/?tranche=B&tri=anciennes")
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select(".queue-downloads a")}
    assert links == {
        "Télécharger (CSV)": "/agents/demandes.csv?tranche=B&tri=anciennes",
        "Télécharger (JSON)": "/agents/demandes.json?tranche=B&tri=anciennes",
    }
    rows = csv_rows(download(agent_browser, "CSV", "/agents/?tranche=B&tri=anciennes").get_data())
    assert [r["Référence"] for r in rows] == ["PF-2026-000002", "PF-2026-000004", "PF-2026-000005"]
    rows = json.loads(download(agent_browser, "JSON", "/agents/?tranche=B").get_data())
    assert [r["reference"] for r in rows] == ["PF-2026-000005", "PF-2026-000004", "PF-2026-000002"]
    assert {r["tranche"] for r in rows} == {"B"}


def test_a_download_with_a_bad_filter_leads_to_the_queue_and_its_message(app, agent_browser):
    page = agent_browser.get("/agents/demandes.csv?du=31/02/2026&tranche=B")
    assert page.status == 400 and page.h1 == "Demandes"
    assert "n'existe pas" in page.field_error("Déposée du") and page.value("Tranche") == "B"


def test_spreadsheet_cells_cannot_start_a_formula_and_amounts_have_a_decimal_comma(app, agent_browser):
    add(app, values(1, email='=HYPERLINK("http://x")@example.org', usage_name="-MARTIN", tariff="12.50"))
    row = csv_rows(download(agent_browser, "CSV").get_data())[0]
    assert row["Courriel"] == '\'=HYPERLINK("http://x")@example.org' and row["Nom d'usage"] == "'-MARTIN"
    assert row["Tarif (€)"] == "12,50"
    # JSON is for programs: values unchanged.
    row = json.loads(download(agent_browser, "JSON").get_data())[0]
    assert row["courriel"].startswith("=HYPERLINK") and row["tarif"] == "12.50"


def test_an_empty_list_downloads_a_header_and_an_empty_array(app, agent_browser):
    assert csv_rows(download(agent_browser, "CSV").get_data()) == []
    assert json.loads(download(agent_browser, "JSON").get_data()) == []


# --- 100,000 rows in constant memory --------------------------------------------------------------------------


def insert_many(app, start: int, count: int) -> None:
    """Realistic rows (the factory's, with names, e-mails, dates and QF varying), written straight through the
    SQLite driver: JSON serialised once, a second or two for 100,000 rows."""
    template = values(0)
    stored = {
        name: json.dumps(value) if isinstance(value, dict | list) else int(value) if isinstance(value, bool) else value
        for name, value in template.items()
    }
    names = [name for name in template if name not in PASS_FAMILLE_KEYS] + ["folded_names"]
    facts = [name for name in template if name in PASS_FAMILLE_KEYS and name != "qf_value"]
    varying = ("id", "reference", "email", "birth_name", "folded_names", "created_at", "updated_at")
    fixed = [stored[name] for name in names if name not in varying]
    sql = f"INSERT INTO application ({', '.join([*varying, *(n for n in names if n not in varying)])}) "
    sql += f"VALUES ({', '.join('?' * len(names))})"
    facts_sql = f"INSERT INTO pass_famille_request (application_id, qf_value, {', '.join(facts)}) "
    facts_sql += f"VALUES ({', '.join('?' * (len(facts) + 2))})"
    fixed_facts = [stored[name] for name in facts]
    first_day = datetime(2026, 1, 5, 8, 0)
    first = template["first_names"]
    rows, fact_rows = [], []
    for number in range(start, start + count):
        at = (first_day + timedelta(seconds=30 * number)).strftime("%Y-%m-%d %H:%M:%S.%f")
        email = f"famille.{number}@example.org"
        rows.append(
            (
                number,
                f"PF-2026-{number:06d}",
                email,
                f"NOM{number}",
                fold_names(f"NOM{number}", None, first),
                at,
                at,
                *fixed,
            )
        )
        fact_rows.append((number, 300 + number % 2500, *fixed_facts))
    with app.app_context():
        db.session.connection().exec_driver_sql(sql, rows)
        db.session.connection().exec_driver_sql(facts_sql, fact_rows)
        db.session.commit()


def streamed_peak(client, url: str) -> tuple[int, int, bytes]:
    """Peak memory allocated while the response is produced and read chunk by chunk, the bytes read, the last
    line. Nothing is kept but a count and the tail, as a browser writing to a file would do."""
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(url)  # the test client does not buffer: the app runs as the body is read
        size, tail = 0, b""
        for chunk in response.response:
            size += len(chunk)
            tail = chunk[-300:]
        response.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size, tail


def test_a_hundred_thousand_rows_stream_in_the_memory_of_a_thousand(app, agent_browser):
    started = time.monotonic()
    insert_many(app, 1, 1_000)
    small_peak, small_size, _ = streamed_peak(agent_browser.client, "/agents/demandes.csv")
    insert_many(app, 1_001, 99_000)
    inserted = time.monotonic()
    big_peak, big_size, tail = streamed_peak(agent_browser.client, "/agents/demandes.csv")

    assert big_size > 90 * small_size  # the whole list really went through
    assert tail.rstrip().split(b"\r\n")[-1].startswith(b"PF-2026-000001;")  # the oldest comes last
    # Materialising the rows would take ~100 times the small peak; streaming keeps it flat.
    assert big_peak < 3 * small_peak + 1_000_000, (small_peak, big_peak, big_size)
    print(
        f"\nExport CSV : 1 000 lignes -> pic {small_peak / 1e6:.2f} Mo ({small_size / 1e6:.2f} Mo produits) ; "
        f"100 000 lignes -> pic {big_peak / 1e6:.2f} Mo ({big_size / 1e6:.1f} Mo produits) ; "
        f"{time.monotonic() - started:.1f} s dont {time.monotonic() - inserted:.1f} s pour lire 100 000 lignes"
    )
