"""A commune without a `creche:` section gets the Pass Famille wizard as before: no choice of démarche."""

from passfamille import create_app
from passfamille.config import DEFAULT_COMMUNE_FILE
from tests.conftest import config_for
from tests.formclient import Browser


def test_a_commune_without_creches_shows_no_choice(tmp_path, sandbox, smtp_server, migrated_template):
    text = DEFAULT_COMMUNE_FILE.read_text(encoding="utf-8")
    settings_file = tmp_path / "commune.yaml"
    (tmp_path / "logo-val-fleuri.svg").write_bytes((DEFAULT_COMMUNE_FILE.parent / "logo-val-fleuri.svg").read_bytes())
    settings_file.write_text(text[: text.index("\n# Facultatif : préinscription en crèche")], encoding="utf-8")
    app = create_app(
        {**config_for(tmp_path, sandbox, smtp_server, migrated_template), "PASSFAMILLE_COMMUNE": str(settings_file)}
    )
    browser = Browser(app.test_client())
    page = browser.get("/")
    assert not page.has_label("Les deux") and "Que souhaitez-vous demander" not in page.text
    page = page.submit("Commencer ma demande")
    assert page.h1.startswith("Votre quotient familial")
