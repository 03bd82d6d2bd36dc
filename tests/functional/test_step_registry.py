"""Every step declares what the generic view needs: walked on three journeys brought to the recap, each step of
the path opens, answers a POST with its own form (never a 405 unless it only shows, never a 500), and every
« Modifier » link of the recap opens the page it names."""

from pathlib import Path

import pytest

from passfamille import rules
from passfamille.extensions import db
from passfamille.models import Draft
from passfamille.wizard import household, store
from passfamille.wizard import step as step_module
from passfamille.wizard.step import path
from passfamille.wizard.steps import STEPS

from ..concurrency.families import both_recap, pass_famille_recap
from ..formclient import path_of
from .journeys import DUPONT, through_api

TEMPLATES = Path(__file__).resolve().parents[2] / "passfamille" / "templates"


def pass_famille_through_caf(browser):
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.submit("Continuer")  # the household, as the CAF/MSA gave it
    assert page.h1 == "Votre résultat", page.error_summary() or page.h1
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande", page.h1
    return page


JOURNEYS = {
    "pass_famille_caf": pass_famille_through_caf,
    "pass_famille_document": pass_famille_recap,
    "both_caf": both_recap,
}


def test_steps_are_declared_once_with_their_template_and_real_dependents():
    names = [s.name for s in STEPS]
    assert len(set(names)) == len(names) and len({s.slug for s in STEPS}) == len(STEPS)
    for declared in STEPS:
        assert (TEMPLATES / declared.template).is_file(), declared.template
        assert set(declared.invalidates) <= set(names), declared.name
    assert STEPS[-1].title == "Vérifiez votre demande"


def on_path(app, browser):
    """The draft behind the browser's cookie, and for each step of its path whether it only shows (no form)."""
    cookie = browser.client.get_cookie("pf_brouillon")
    with app.test_request_context():
        draft = db.session.get(Draft, cookie.value)
        return [(s, s.form(draft, meta={"csrf": False}) is None) for s in path(STEPS, draft)]


@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_every_change_link_of_the_recap_opens_its_page(app, browser, journey):
    recap = JOURNEYS[journey](browser)
    links = [a["href"] for a in recap.soup.select(".recap-section__change")]
    assert len(links) >= 6, links
    for href in links:
        page = browser.get(href)
        assert page.status == 200 and page.h1 != "Page introuvable", (href, page.h1)
        assert page.h1 != "Vérifiez votre demande", href  # a guard sent the link back to the recap


@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_every_step_of_the_path_opens_and_answers_a_post_with_its_form(app, browser, journey):
    recap = JOURNEYS[journey](browser)
    csrf = recap.soup.select_one('input[name="csrf_token"]')["value"]
    steps = on_path(app, browser)
    assert steps[-1][0].name == "recapitulatif"
    for declared, shows_only in steps[:-1]:
        url = f"/demande/{declared.slug}"
        page = browser.get(url)
        # The step itself, not a guard's redirect; its tab title names its h1 (RGAA 8.6), which may say more than
        # the step's short title (the information step's heading names the CAF's data).
        assert page.status == 200 and path_of(page.url) == url, (url, page.url)
        assert page.title.startswith(f"{page.h1} – Étape "), (url, page.title)
        answer = browser.client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
        if shows_only:
            assert answer.status_code == 405, (url, answer.status_code)
        else:
            # Its own form: refused with messages (400), or nothing was required (on to the next page).
            assert answer.status_code in (400, 303), (url, answer.status_code)
            if answer.status_code == 400:
                assert "error-summary" in answer.get_data(as_text=True), url
    assert browser.get("/demande/recapitulatif").h1 == "Vérifiez votre demande"
    finish_page = browser.get("/demande/recapitulatif").submit("Envoyer ma demande")
    assert finish_page.h1.startswith("Vo") and "envoyée" in finish_page.h1, finish_page.h1


def test_a_step_must_declare_its_form():
    with pytest.raises(TypeError):
        step_module.Step("x", "X", applies=lambda draft: True)  # no form: refused at import


@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_the_recap_works_the_household_and_the_result_out_once(app, browser, journey, monkeypatch):
    """The recap shows the quotient familial, the address and the result: one reading of the draft, one decision
    (they were worked out again by every section that showed them)."""
    JOURNEYS[journey](browser)
    calls = {"decide": 0, "household": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(rules, "decide", counted("decide", rules.decide))
    monkeypatch.setattr(household, "_work_out", counted("household", household._work_out))
    page = browser.get("/demande/recapitulatif")
    assert page.h1 == "Vérifiez votre demande"
    assert calls == {"decide": 1, "household": 1}


def test_what_the_household_knows_follows_every_write_of_the_draft(app):
    with app.test_request_context():
        draft = store.new_draft()
        assert household.known(draft).home is None
        store.save_answers(draft, "foyer", {"street": "8 rue Paradis", "postal_code": "13006", "city": "Marseille"})
        assert household.known(draft).home["postal_code"] == "13006"
        db.session.commit()  # expired, read again from the database
        assert household.known(draft).address_source == "declared"
        store.drop_answers(draft, "foyer")
        assert household.known(draft).home is None
