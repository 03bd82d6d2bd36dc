"""axe-core (WCAG 2.1 A/AA + best practices) on every page and state of the agents' back-office and of the family's
link, error states included; and reflow at 320 px (RGAA 10.11) of those pages, with the wizard's proof page that
shares the family link's file field.

Applications are filed straight into the live server's database (agent.py): the citizen's journey has its own
tests, these are about what agents and families see afterwards."""

import re

import pytest
from playwright.sync_api import expect

from passfamille.backoffice import accounts, auth
from passfamille.backoffice.queries import PAGE_SIZE
from passfamille.extensions import db
from passfamille.models import ApiEvent, Application, utcnow

from .agent import (
    ADMIN,
    AGENT,
    PNG,
    Agent,
    Filed,
    agent_account,
    family_path,
    file_application,
    move,
    password_path,
    region,
)
from .axe import Audit
from .journey import DOCUMENTS_MODE, Citizen, fill_identity, start

pytestmark = pytest.mark.browser

SMALL_SCREEN = {"width": 320, "height": 640}
ERROR_TITLE = re.compile(r"^Erreur : ")
NEWCOMER = "nouvel.agent.navigateur@val-fleuri.example"


@pytest.fixture
def agent(new_page, live_server) -> Agent:
    return Agent(new_page()).log_in(agent_account(live_server.app))


def sees_error_summary(page, message: str):
    expect(page).to_have_title(ERROR_TITLE)
    expect(page.get_by_role("alert")).to_contain_text(message)


def at_least(app, count: int) -> None:
    """Enough applications in the live server's database for the queue to have a second page."""
    with app.app_context():
        existing = db.session.query(Application).count()
    for number in range(count - existing):
        file_application(app, qf=400 + 25 * number, birth_name="PETIT", first_names="LUCAS", address="p@example.org")


def test_login_and_password_pages_have_no_axe_violation(new_page, live_server):
    page, audit = new_page(), Audit()
    visitor = Citizen(page)

    visitor.open("/agents/connexion").sees_heading("Connexion à l'espace agents")
    audit.scan(page, "connexion")
    visitor.press("Se connecter").sees_heading("Connexion à l'espace agents")
    sees_error_summary(page, "Saisissez votre adresse électronique")
    audit.scan(page, "connexion en erreur (champs vides)")

    with live_server.app.app_context():
        if auth.find_agent(NEWCOMER) is None:
            accounts.create(NEWCOMER)
    visitor.open(password_path(live_server.app, NEWCOMER)).sees_heading("Choisir votre mot de passe")
    audit.scan(page, "choix du mot de passe")
    visitor.type("Nouveau mot de passe", "trop court").type("Confirmez le mot de passe", "autre chose")
    visitor.press("Enregistrer le mot de passe").sees_heading("Choisir votre mot de passe")
    sees_error_summary(page, "au moins 12 caractères")
    audit.scan(page, "choix du mot de passe en erreur")

    assert page.goto("/agents/mot-de-passe/lien-abime").status == 404
    visitor.sees_heading("Ce lien ne fonctionne plus")
    audit.scan(page, "lien de mot de passe invalide")

    audit.assert_clean()


def test_forgotten_password_pages_have_no_axe_violation(new_page, live_server):
    page, audit = new_page(), Audit()
    visitor = Citizen(page)

    visitor.open("/agents/connexion").follow("Mot de passe oublié ?").sees_heading("Mot de passe oublié")
    audit.scan(page, "mot de passe oublié")
    visitor.press("Recevoir un lien").sees_heading("Mot de passe oublié")
    sees_error_summary(page, "Saisissez l'adresse électronique de votre compte")
    audit.scan(page, "mot de passe oublié en erreur (champ vide)")
    visitor.type("Adresse électronique", "inconnu.navigateur@val-fleuri.example").press("Recevoir un lien")
    visitor.sees_heading("Demande de lien envoyée")
    expect(page.get_by_text("Si un compte actif correspond à cette adresse", exact=False)).to_be_visible()
    audit.scan(page, "demande de lien envoyée")

    audit.assert_clean()


def test_queue_pages_have_no_axe_violation(agent, live_server):
    at_least(live_server.app, PAGE_SIZE + 1)
    page, audit = agent.page, Audit()

    agent.open("/agents/").sees_heading("Demandes")
    expect(page.get_by_role("table")).to_be_visible()
    audit.scan(page, "liste des demandes")
    page.get_by_text("Filtrer et trier la liste", exact=True).click()
    expect(page.get_by_label("Statut (Pass Famille)", exact=True)).to_be_visible()
    audit.scan(page, "liste, filtres dépliés")
    agent.select("Statut (Pass Famille)", "Déposée").select("Trier par", "Référence").press("Filtrer").sees_heading(
        "Demandes"
    )
    expect(page.get_by_role("link", name="Effacer les filtres")).to_be_visible()
    audit.scan(page, "liste filtrée")

    agent.open("/agents/?statut=perdue&du=31/02/2026").sees_heading("Demandes")
    sees_error_summary(page, "Choisissez un statut de la liste")
    audit.scan(page, "filtres invalides")

    agent.open("/agents/").follow("Page suivante").sees_heading("Demandes")
    expect(page).to_have_title(re.compile(r"^Demandes \(page 2 sur \d+\)"))
    audit.scan(page, "liste, page 2")

    agent.type("Référence, nom, courriel ou adresse", "PETIT").press("Rechercher").sees_heading("Demandes")
    expect(page.get_by_role("heading", name="Résultats de la recherche")).to_be_visible()
    expect(page.get_by_role("table")).to_be_visible()
    audit.scan(page, "résultats de recherche")
    agent.type("Référence, nom, courriel ou adresse", "PF-1999-999999").press("Rechercher").sees_heading("Demandes")
    expect(page.get_by_text("Aucune demande ne correspond à cette recherche.", exact=False)).to_be_visible()
    audit.scan(page, "recherche sans résultat")
    agent.type("Référence, nom, courriel ou adresse", "").press("Rechercher").sees_heading("Demandes")
    sees_error_summary(page, "Saisissez une référence, un nom, un prénom, un courriel ou une adresse")
    audit.scan(page, "recherche vide en erreur")

    audit.assert_clean()


def test_application_pages_in_every_status_have_no_axe_violation(agent, live_server):
    app, page, audit = live_server.app, agent.page, Audit()

    proof = file_application(app, qf_source="document", qf=800, birth_name="N'DIAYE", first_names="AÏSSATOU")
    agent.open(f"/agents/demandes/{proof.id}").sees_heading(f"Demande {proof.reference}")
    expect(page.get_by_label("Quotient familial lu sur le document", exact=True)).to_be_visible()
    audit.scan(page, "déposée, à vérifier (justificatif et vérification du QF)")
    agent.type("Quotient familial lu sur le document", "huit cents").press("Enregistrer la vérification")
    sees_error_summary(page, "nombre entier d'euros")
    audit.scan(page, "vérification du QF en erreur")

    agent.press("Prendre en charge").press("Confirmer et envoyer le courriel").sees_heading(
        f"Demande {proof.reference}"
    )
    expect(page.get_by_role("button", name="Refuser")).to_be_visible()
    audit.scan(page, "en instruction, formulaires d'action (QF à vérifier)")
    agent.press("Refuser")
    sees_error_summary(page, "Indiquez le motif du refus")
    audit.scan(page, "refus sans motif en erreur")
    agent.type("Quotient familial lu sur le document", "800").press("Enregistrer la vérification")
    expect(page.get_by_role("button", name="Accepter")).to_be_visible()
    audit.scan(page, "en instruction, QF vérifié, acceptation possible")
    agent.type("Pièce demandée à la famille", "Votre avis d'imposition 2025.").press("Demander une pièce")
    expect(page.get_by_text("Un courriel sera envoyé à la famille", exact=False)).to_be_visible()
    audit.scan(page, "confirmation avant le courriel (pièce demandée)")
    agent.press("Confirmer et envoyer le courriel")
    expect(page.get_by_role("status")).to_contain_text("Pièce demandée.")
    audit.scan(page, "pièce demandée")

    pending = file_application(app, qf_source="pending", birth_name="ROUX", first_names="EMMA")
    agent.open(f"/agents/demandes/{pending.id}").sees_heading(f"Demande {pending.reference}")
    expect(page.get_by_text("Éligibilité à déterminer", exact=False)).to_be_visible()
    audit.scan(page, "en attente de la CAF/MSA")

    accepted = file_application(app, birth_name="GARCIA-LÓPEZ", first_names="INÈS")
    agent.open(f"/agents/demandes/{accepted.id}").sees_heading(f"Demande {accepted.reference}")
    expect(region(page, "Quotient familial et données certifiées")).to_contain_text("certifié")
    audit.scan(page, "déposée (QF certifié par la CAF)")
    move(app, accepted, "in_review", "accepted")
    agent.open(f"/agents/demandes/{accepted.id}").sees_heading(f"Demande {accepted.reference}")
    audit.scan(page, "acceptée")
    agent.follow("Voir l'attestation à imprimer").sees_heading("Attestation Pass Famille")
    audit.scan(page, "attestation (vue agent)")

    refused = file_application(app, birth_name="ROUX", first_names="EMMA")
    move(app, refused, "in_review", "refused")
    agent.open(f"/agents/demandes/{refused.id}").sees_heading(f"Demande {refused.reference}")
    audit.scan(page, "refusée")

    # Another agent decides while this one is typing a reason: the page says why nothing happened.
    raced = file_application(app, birth_name="BERNARD", first_names="JULIEN")
    move(app, raced, "in_review")
    agent.open(f"/agents/demandes/{raced.id}").sees_heading(f"Demande {raced.reference}")
    move(app, raced, "accepted")
    agent.type("Motif du refus", "Adresse hors commune.").press("Refuser")
    expect(page.get_by_role("alert")).to_contain_text("déjà « Acceptée »")
    audit.scan(page, "action refusée (demande déjà close)")

    audit.assert_clean()


def test_dashboard_health_and_accounts_pages_have_no_axe_violation(new_page, live_server):
    admin = Agent(new_page()).log_in(agent_account(live_server.app, ADMIN, admin=True))
    page, audit = admin.page, Audit()

    admin.follow("Tableau de bord").sees_heading("Tableau de bord")
    audit.scan(page, "tableau de bord")
    admin.follow("État d'API Particulier en détail").sees_heading("État d'API Particulier")
    audit.scan(page, "état d'API Particulier (jeton valide)")

    admin.follow("Agents").sees_heading("Agents")
    audit.scan(page, "comptes des agents")
    admin.press("Créer le compte").sees_heading("Agents")
    sees_error_summary(page, "Saisissez l'adresse électronique de l'agent")
    audit.scan(page, "création de compte en erreur")
    address = "claire.recrue@val-fleuri.example"
    admin.type("Adresse électronique de l'agent", address).press("Créer le compte").sees_heading("Agents")
    expect(page.get_by_role("status")).to_contain_text(f"Compte créé : {address}")
    expect(page.locator(".one-time-link")).to_contain_text("/agents/mot-de-passe/")
    audit.scan(page, "compte créé, lien à usage unique affiché")

    page.get_by_label("Compte à modifier").select_option(label=f"{address} (Pass Famille et Crèche)")
    page.get_by_label("Nouveaux services").select_option(label="Crèche seulement")
    admin.press("Changer les services").sees_heading(f"Confirmer les services de {address}")
    audit.scan(page, "confirmation des services d'un agent")
    page.set_viewport_size(SMALL_SCREEN)
    assert not scrolls_sideways(page), sticking_out(page)
    admin.press("Confirmer les services").sees_heading("Agents")
    expect(page.get_by_role("status")).to_contain_text(f"Services de {address} : Crèche")

    audit.assert_clean()


@pytest.mark.parametrize(
    ("token", "level", "message"),
    [
        ("bac-a-sable-expire", "error", "Le jeton API Particulier est refusé"),
        ("bac-a-sable-sans-droits", "warning", "Le jeton API Particulier ne donne pas accès au quotient familial"),
    ],
)
def test_health_banner_and_page_in_trouble_have_no_axe_violation(other_live_server, new_page_on, token, level, message):
    server = other_live_server(API_PARTICULIER_TOKEN=token)
    with server.app.app_context():
        # Three failed calls of the last hours: the banner counts them, the page lists them by nature.
        for status, code in ((503, None), (None, "timeout"), (503, None)):
            db.session.add(
                ApiEvent(at=utcnow(), endpoint="quotient_familial", outcome="unavailable", status=status, code=code)
            )
        db.session.commit()
    agent = Agent(new_page_on(server)).log_in(agent_account(server.app))
    page, audit = agent.page, Audit()

    banner = page.get_by_role("region", name="État d'API Particulier")
    expect(banner).to_have_class(re.compile(rf"\bbanner--{level}\b"))
    expect(banner).to_contain_text(message)
    expect(banner).to_contain_text("3 erreurs en 24 h")
    audit.scan(page, f"liste avec bandeau « {level} »")
    agent.follow("État d'API Particulier en détail").sees_heading("État d'API Particulier")
    expect(page.get_by_role("table")).to_contain_text("Indisponibilités")
    audit.scan(page, f"état d'API Particulier (bandeau « {level} »)")

    audit.assert_clean()


def test_family_link_pages_have_no_axe_violation(new_page, live_server):
    app, page, audit = live_server.app, new_page(), Audit()
    family = Citizen(page)

    asked = file_application(app, birth_name="LÉGER", first_names="GÉRÔME ÉLODIE")
    move(app, asked, "in_review", "documents_requested")
    family.open(family_path(app, asked)).sees_heading("Envoyer le document demandé")
    audit.scan(page, "lien famille : pièce demandée")
    family.press("Envoyer le document").sees_heading("Envoyer le document demandé")
    sees_error_summary(page, "Choisissez le document à envoyer")
    audit.scan(page, "lien famille : envoi sans fichier en erreur")
    page.get_by_label("Votre document", exact=True).set_input_files(PNG)
    family.press("Envoyer le document").sees_heading("Votre demande de Pass Famille")
    expect(page.get_by_role("status")).to_contain_text("Merci : votre document est bien envoyé")
    audit.scan(page, "lien famille : merci, en instruction")

    accepted = file_application(app, birth_name="ŒUVRARD", first_names="CHLOÉ")
    move(app, accepted, "in_review", "accepted")
    family.open(family_path(app, accepted)).sees_heading("Attestation Pass Famille")
    audit.scan(page, "lien famille : attestation")

    refused = file_application(app, birth_name="PETIT", first_names="LUCAS")
    move(app, refused, "in_review", "refused")
    family.open(family_path(app, refused)).sees_heading("Votre demande de Pass Famille")
    audit.scan(page, "lien famille : refus")

    assert page.goto("/demande/suivi/lien-abime").status == 404
    family.sees_heading("Ce lien ne fonctionne plus")
    audit.scan(page, "lien famille invalide")

    audit.assert_clean()


def scrolls_sideways(page) -> int:
    """How far the page itself scrolls sideways (0 when it does not)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def sticking_out(page) -> list[str]:
    """The outermost elements that reach past the right edge of the screen, outside any box that scrolls: what to
    fix. A wide table scrolling inside its own box (.table-scroll) is fine (RGAA 10.11), the page scrolling is not."""
    return page.evaluate(
        """() => {
            const edge = document.documentElement.clientWidth + 1;
            const scrolls = e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
            const out = e => e.getBoundingClientRect().right > edge;
            const inScrollingBox = e => { for (let p = e.parentElement; p; p = p.parentElement) if (scrolls(p)
                && p !== document.documentElement && p !== document.body) return true; return false; };
            return [...document.body.querySelectorAll("*")]
                .filter(e => out(e) && !out(e.parentElement) && !inScrollingBox(e))
                .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> de ${Math.round(
                    e.getBoundingClientRect().width)} px : « ${(e.innerText || "").trim().slice(0, 50)} »`);
        }"""
    )


def _requested(app) -> Filed:
    filed = file_application(app, birth_name="LÉGER", first_names="GÉRÔME ÉLODIE")
    move(app, filed, "in_review", "documents_requested")
    return filed


def _accepted(app) -> Filed:
    filed = file_application(app, birth_name="GARCIA-LÓPEZ", first_names="INÈS")
    move(app, filed, "in_review", "accepted")
    return filed


def _with_history(app) -> Filed:
    """Checked on its document, then a document requested: a history of a few rows, as most applications have."""
    filed = file_application(app, qf_source="document", qf=1250, birth_name="N'DIAYE", first_names="AÏSSATOU")
    move(app, filed, "in_review", qf=1250)
    move(app, filed, "documents_requested")
    return filed


def _to_proof_page(page) -> None:
    citizen = Citizen(page)
    start(citizen, mode=DOCUMENTS_MODE)
    citizen.press("Continuer").sees_heading("Vous")
    fill_identity(citizen).press("Continuer").sees_heading("Votre justificatif de quotient familial")


# where: (who is logged in, the path, made with what the page needs). Each page is a test of its own, so that
# every page at fault shows on its own.
SMALL_SCREEN_PAGES = {
    "connexion": (None, lambda app: "/agents/connexion"),
    "mot de passe oublié": (None, lambda app: "/agents/mot-de-passe-oublie"),
    "demande de lien envoyée": (None, lambda app: "/agents/mot-de-passe-oublie/demande-envoyee"),
    "liste des demandes": (AGENT, lambda app: file_application(app) and "/agents/"),
    "page d'une demande": (AGENT, lambda app: f"/agents/demandes/{_with_history(app).id}"),
    "attestation (agents)": (AGENT, lambda app: f"/agents/demandes/{_accepted(app).id}/attestation"),
    "tableau de bord": (AGENT, lambda app: "/agents/tableau-de-bord"),
    "comptes des agents": (ADMIN, lambda app: "/agents/comptes"),
    "état d'API Particulier": (AGENT, lambda app: "/agents/sante"),
    "lien famille : pièce demandée": (None, lambda app: family_path(app, _requested(app))),
    "lien famille : attestation": (None, lambda app: family_path(app, _accepted(app))),
    "justificatif (parcours famille)": (None, None),
}


@pytest.mark.parametrize("where", list(SMALL_SCREEN_PAGES))
def test_page_does_not_scroll_sideways_at_320_px(new_page, live_server, tmp_path, where):
    who, path = SMALL_SCREEN_PAGES[where]
    page = new_page(viewport=SMALL_SCREEN)
    if who is not None:
        Agent(page).log_in(agent_account(live_server.app, who, admin=who == ADMIN))
    if path is None:
        _to_proof_page(page)
    else:
        page.goto(path(live_server.app))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    width = scrolls_sideways(page)
    if width:
        picture = tmp_path / "capture-320.png"
        page.screenshot(path=str(picture), full_page=True)
        pytest.fail(f"{where} : la page défile de {width} px à 320 px ; dépassent : {sticking_out(page)} ({picture})")
