"""The crèche pre-registration in chromium: the wizard's steps as a parent does them (by labels, button and link
names), waiting requests filed straight into the live server's database when the journey is not the point, the
family's link in each state, and one check of a page for axe and for reflow at 320 px."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from playwright.sync_api import Page, expect

from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application, utcnow

from ..creche_factory import make_request
from ..formclient import path_of
from ..functional.journeys import EMAIL, LEFEBVRE
from .axe import Audit
from .journey import CAF_MODE, Citizen, add_child, fill_identity, type_child
from .test_backoffice_accessibility import scrolls_sideways, sticking_out

BOTH = "Les deux"
CRECHE = "Une place en crèche (préinscription)"
START_HEADING = "Demander le Pass Famille ou une place en crèche"
PIOUPIOUS = "Multi-accueil Les Pioupious"
COQUELICOTS = "Crèche familiale Les Coquelicots"
LEA = "Léa, né ou née le 14/07/2024"
NEXT_YEAR = str(date.today().year + 1)
RESIDENCE = "La famille habite Val-Fleuri (40 points)"
RESIDENCE_PROOF = "Justificatif de domicile de moins de 3 mois"
ALONE = "Parent qui élève seul son enfant (20 points)"
ALONE_PROOF = "Attestation de paiement de la CAF ou jugement fixant la résidence de l'enfant"
NO_CAF = "Continuer sans les informations de la CAF ou de la MSA"
SMALL_SCREEN = {"width": 320, "height": 640}
CR_REFERENCE = re.compile(r"CR-\d{4}-\d{6}")
PF_REFERENCE = re.compile(r"PF-\d{4}-\d{6}")
FAMILY_LINK = re.compile(r"https?://\S+/creche/suivi/\S+")


# --- the wizard's crèche steps ----------------------------------------------------------------------------------
def begin(citizen: Citizen, demarche: str = BOTH) -> Citizen:
    """The start page, the démarche chosen, up to the page that says what the mairie asks the CAF/MSA."""
    citizen.open("/").sees_heading(START_HEADING)
    citizen.choose(demarche).press("Commencer ma demande")
    return citizen.sees_heading(re.compile(r"ce que la mairie demande à la CAF ou à la MSA$"))


def to_foyer(citizen: Citizen, demarche: str = BOTH, person: dict = LEFEBVRE, email: str = EMAIL) -> Citizen:
    """Through the CAF/MSA call, the family's data confirmed, to « Votre foyer »."""
    begin(citizen, demarche).choose(CAF_MODE).press("Continuer").sees_heading("Vous")
    fill_identity(citizen, person, email).press("Continuer")
    citizen.sees_heading("Vérifiez les informations de la CAF/MSA")
    return citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")


def to_child(citizen: Citizen, demarche: str = BOTH, email: str = EMAIL) -> Citizen:
    """LEFEBVRE's CAF file has no child: Léa, the only child to add, is typed at the foyer step and added by
    « Continuer » (no reload of « Votre foyer »), then « Votre enfant »."""
    to_foyer(citizen, demarche, email=email)
    # What the family reads before doing so: « Continuer » adds the child typed.
    expect(citizen.page.get_by_text("Saisissez l'enfant puis appuyez sur « Continuer »")).to_be_visible()
    return type_child(citizen).press("Continuer").sees_heading("Votre enfant")


def to_child_without_caf(citizen: Citizen, person: dict) -> Citizen:
    """From the page after the start page: an identity the CAF/MSA does not know (404 at the sandbox), the family
    goes on without its data and types its address."""
    citizen.choose(CAF_MODE).press("Continuer").sees_heading("Vous")
    fill_identity(citizen, person).press("Continuer")
    citizen.choose(NO_CAF).press("Continuer").sees_heading("Votre foyer")
    citizen.type("Numéro et voie", "8 rue Paradis").type("Code postal", "13006").type("Commune", "Marseille")
    add_child(citizen).sees_heading("Votre foyer")
    return citizen.press("Continuer").sees_heading("Votre enfant")


def fill_wishes(
    citizen: Citizen, first=PIOUPIOUS, second=None, start=("05", "01", NEXT_YEAR), days="4", hours="32"
) -> Citizen:
    citizen.select("Premier choix", first)
    if second:
        citizen.select("Deuxième choix (facultatif)", second)
    citizen.type("Jour", start[0]).type("Mois", start[1]).type("Année", start[2])
    citizen.type("Nombre de jours d'accueil par semaine", days)
    return citizen.type("Nombre d'heures d'accueil par semaine", hours)


def to_situation(citizen: Citizen, second=COQUELICOTS) -> Citizen:
    """From « Votre enfant » (Léa), the wishes, to « Votre situation »."""
    citizen.choose(LEA).press("Continuer").sees_heading("Vos souhaits d'accueil")
    return fill_wishes(citizen, second=second).press("Continuer").sees_heading("Votre situation")


# --- requests filed straight into the live server's database ---------------------------------------------------
@dataclass(frozen=True)
class Waiting:
    id: int
    reference: str


def waiting_request(app: Flask, **values) -> Waiting:
    """A waiting crèche request recorded by the real registration code (tests/creche_factory.py)."""
    application_id = make_request(app, **values)
    with app.app_context():
        return Waiting(application_id, db.session.get(Application, application_id).reference)


def family_path(app: Flask, request: Waiting) -> str:
    """The family's link, as its mails carry it, without host (the app builds it on PASSFAMILLE_URL)."""
    with app.app_context():
        return path_of(statemachine.family_link(db.session.get(Application, request.id)))


def link_in(body: str) -> str:
    found = FAMILY_LINK.search(body)
    assert found, f"pas de lien de suivi de la crèche dans le courriel :\n{body}"
    return path_of(found.group())


def ask_to_confirm(app: Flask, request: Waiting) -> None:
    """The daily command has sent this family its relance (as `creche relance` records it): an answer is due."""
    with app.app_context():
        db.session.get(Application, request.id).creche.relance_sent_at = utcnow()
        db.session.commit()


def offer_place(app: Flask, request: Waiting, structure="pioupious", group="bebes") -> None:
    """The commission offers a place in 30 days (the family is mailed, as from the commission's page)."""
    with app.app_context():
        application = db.session.get(Application, request.id)
        start = date.today() + timedelta(days=30)
        statemachine.change_status(application, "offered", None, offer=(structure, group, start))


# --- axe and reflow, page after page ----------------------------------------------------------------------------
class Inspection:
    """Each page is scanned by axe at its own width, then laid out at 320 px: it must not scroll sideways
    (RGAA 10.11). Failures are kept so that one failing test lists every page at fault."""

    def __init__(self):
        self.audit = Audit()
        self.too_wide: list[str] = []

    def check(self, page: Page, where: str) -> None:
        self.audit.scan(page, where)
        size = page.viewport_size
        page.set_viewport_size(SMALL_SCREEN)
        try:
            width = scrolls_sideways(page)
            if width:
                self.too_wide.append(
                    f"  - {where} ({page.url}) : défile de {width} px ; dépassent : {sticking_out(page)}"
                )
        finally:
            page.set_viewport_size(size)

    def assert_clean(self) -> None:
        problems = []
        if self.audit.failures:
            problems.append("Violations axe :\n" + "\n".join(self.audit.failures))
        if self.too_wide:
            problems.append("Pages qui défilent horizontalement à 320 px :\n" + "\n".join(self.too_wide))
        assert not problems, "\n".join(problems)
        assert self.audit.scanned, "aucune page analysée"
