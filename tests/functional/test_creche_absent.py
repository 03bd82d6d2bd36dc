"""A commune without a `creche:` section gets the Pass Famille wizard as before: no choice of démarche."""

from passfamille import create_app
from tests.formclient import Browser


def test_a_commune_without_creches_shows_no_choice(app_config, settings_without_creche):
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings_without_creche)})
    browser = Browser(app.test_client())
    page = browser.get("/")
    assert not page.has_label("Les deux") and "Que souhaitez-vous demander" not in page.text
    page = page.submit("Commencer ma demande")
    assert page.h1.startswith("Votre quotient familial")
