"""The wizard's work per request (issue 11): what is read once per process is not read again by a request, an earlier
step recorded as complete is not checked again, yet a record never lets through what the guard refused before (another
day, other settings), and a request commits once."""

from datetime import date

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from passfamille import create_app, forms_base, places
from passfamille.extensions import db
from passfamille.models import Draft
from passfamille.wizard import applicant_form, progress
from passfamille.wizard.applicant_form import ApplicantForm
from passfamille.wizard.step import Step

from ..conftest import edited_example_settings
from ..formclient import Browser
from .journeys import BOTH, CAF_MODE, DUPONT, LEFEBVRE, PASS_FAMILLE, begin, fill_identity, start, through_api

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def counting(monkeypatch, owner, name: str, calls: list | None = None) -> list:
    """Replace owner.name by a wrapper that notes each call (its first argument) in `calls`, returned."""
    calls = [] if calls is None else calls
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        calls.append(args[0] if args else None)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


# --- read once per process --------------------------------------------------------------------------------------


def test_a_new_app_answers_its_first_identity_page_without_reading_the_communes(app_config, monkeypatch):
    """create_app reads the communes (gunicorn's master, before its workers fork): no family waits a second for
    them on the first request of a worker."""
    monkeypatch.setattr(places, "_data", None)  # a process that has not read them yet
    loads = counting(monkeypatch, places, "_Data")
    fresh = create_app(app_config)
    assert len(loads) == 1
    page = fill_identity(start(Browser(fresh.test_client())), LEFEBVRE)  # « 08 – Ardennes » in the list
    assert page.submit("Continuer").h1 == "Vérifiez les informations de la CAF/MSA"
    assert len(loads) == 1  # the page of départements and the commune's lookup read nothing


def test_identity_forms_share_their_lists_and_read_no_translation_catalogue(app, monkeypatch):
    catalogue_reads = counting(monkeypatch, forms_base, "wtforms_translations")
    with app.test_request_context():
        first, second = ApplicantForm(), ApplicantForm(needs_birth_data=False)
        assert first.birth_department.choices is second.birth_department.choices
        assert first.birth_country.choices is second.birth_country.choices
        # WTForms' own messages are still French.
        assert first.meta.get_translations(first).gettext("Not a valid choice.") == "N'est pas un choix valide."
    assert catalogue_reads == []


def test_the_shared_lists_cannot_be_changed_by_one_form_for_the_others(app):
    with app.test_request_context(), pytest.raises(AttributeError):
        ApplicantForm().birth_department.choices.append(("XX", "Nulle part"))  # a tuple
    assert applicant_form.department_choices()[1].label == "01 – Ain"


# --- earlier steps recorded as complete ----------------------------------------------------------------------


def checked(monkeypatch) -> list[str]:
    """The names of the steps checked from their stored answers (their forms built and validated again)."""
    return counting(monkeypatch, Step, "is_complete", _Names())


class _Names(list):
    def names(self) -> list[str]:
        return [step.name for step in self]


def draft_of(app, browser) -> Draft:
    with app.app_context():
        return db.session.get(Draft, browser.client.get_cookie("pf_brouillon").value)


def test_the_next_pages_do_not_check_again_the_steps_saved_before(app, browser, monkeypatch):
    page = through_api(browser, DUPONT)
    calls = checked(monkeypatch)
    page = page.choose("Oui, elles sont correctes").submit("Continuer")  # POST, then GET « Votre foyer »
    assert page.h1 == "Votre foyer"
    # The POST checks its own step once from storage, to record it; the GET that follows checks nothing: neither
    # « Vous » nor « Informations » is built again.
    assert calls.names() == ["verification"]
    recorded = progress.recorded(draft_of(app, browser))
    assert set(recorded) == {"information", "demandeur", "verification"}


def test_a_draft_saved_before_the_records_is_checked_once_then_recorded(app, browser, monkeypatch):
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    with app.app_context():
        draft = db.session.get(Draft, browser.client.get_cookie("pf_brouillon").value)
        draft.answers = {k: v for k, v in draft.answers.items() if k != progress.RECORDS}  # as saved before
        db.session.commit()
    calls = checked(monkeypatch)
    assert browser.get("/demande/foyer").h1 == "Votre foyer"
    assert calls.names() == ["information", "demandeur", "verification"]  # never taken as complete
    calls.clear()
    page = page.submit("Continuer")  # the household, as the CAF/MSA gave it: POST records every step
    assert page.h1 == "Votre résultat"
    calls.clear()
    assert browser.get("/demande/resultat").h1 == "Votre résultat"
    assert calls.names() == []


def test_an_answer_changed_elsewhere_is_checked_again_by_the_guard(app, browser):
    """Another tab (or anything but the step's own POST) that leaves an earlier step incomplete: its record no
    longer matches, and the guard sends the family back to it as before."""
    through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    with app.app_context():
        draft = db.session.get(Draft, browser.client.get_cookie("pf_brouillon").value)
        draft.answers = {**draft.answers, "demandeur": {**draft.answers["demandeur"], "email": "pas-une-adresse"}}
        db.session.commit()
    assert browser.get("/demande/foyer").h1 == "Vous"


class Tomorrow(date):
    """A clock some years ahead, for the days on which a record was made."""

    @classmethod
    def today(cls):
        return date(date.today().year + 10, 1, 15)


def test_a_record_of_another_day_is_checked_again(app, browser, monkeypatch):
    """A birth date « in the past » on the day the step was saved, « in the future » today: the guard refuses it,
    as it did before records existed (dates are checked against today)."""
    future_birth = {**DUPONT, "birth_date": ("03", "09", str(date.today().year + 5))}
    page = start(browser)
    with monkeypatch.context() as then:
        then.setattr(applicant_form, "date", Tomorrow)
        then.setattr(progress, "date", Tomorrow)
        page = fill_identity(page, future_birth).submit("Continuer")
        assert page.h1 == "Vous", page.error_summary()  # saved; the CAF/MSA does not know this identity
        assert "demandeur" in progress.recorded(draft_of(app, browser))
        assert browser.get("/demande/verification-caf").h1 == "La CAF ou la MSA n'a pas reconnu votre identité"
    # Today again: the same record, another day.
    assert browser.get("/demande/verification-caf").h1 == "Vous"


def test_a_record_made_under_other_settings_is_checked_again(app, browser, monkeypatch, tmp_path):
    page = through_api(browser, DUPONT)
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    renamed = edited_example_settings(tmp_path / "renamed", lambda text: text.replace("Val-Fleuri", "Val-Joli"))
    from passfamille.commune import load_settings

    monkeypatch.setitem(app.extensions, "commune", load_settings(renamed))
    calls = checked(monkeypatch)
    assert browser.get("/demande/verification-caf").h1 == "Vérifiez les informations de la CAF/MSA"
    assert calls.names()[:2] == ["information", "demandeur"]


def test_submitting_checks_every_step_again_whatever_was_recorded(app, browser, monkeypatch):
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.submit("Continuer").click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    calls = checked(monkeypatch)
    assert page.submit("Envoyer ma demande").h1 == "Votre demande est envoyée"
    assert {"information", "demandeur", "verification", "foyer"} <= set(calls.names())


# --- one commit per request ----------------------------------------------------------------------------------


@pytest.fixture
def commits():
    counted = []

    def note(session):
        counted.append(session)

    event.listen(Session, "after_commit", note)
    yield counted
    event.remove(Session, "after_commit", note)


def test_starting_a_demande_commits_the_new_draft_once(app, browser, commits):
    page = browser.get("/").choose(BOTH)
    commits.clear()
    assert page.submit("Commencer ma demande").h1.startswith("Vo")
    # The address's counter of new drafts (committed at once, ratelimit.py), then the draft with its démarche.
    assert len(commits) == 2
    with app.app_context():
        assert db.session.scalars(select(Draft)).one().answers["demarche"] == {"choice": "both"}
    commits.clear()
    page = browser.get("/").choose(PASS_FAMILLE)
    assert page.submit("Reprendre ma demande").h1.startswith("Vo")  # the same draft: no new counter
    assert len(commits) == 1


def test_a_step_commits_once(app, browser, commits):
    page = begin(browser, BOTH).choose(CAF_MODE)
    commits.clear()
    assert page.submit("Continuer").h1 == "Vous"
    assert len(commits) == 1


def test_a_proof_replaced_by_another_file_is_taken_and_the_step_recorded(app, browser):
    """The step is recorded after its POST from what is stored: the new file included, not only the old one."""
    route = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
    page = fill_identity(start(browser, route), DUPONT).submit("Continuer")
    for name in ("avis.pdf", "avis-corrige.pdf"):
        page = page.choose("Dernier avis d'imposition").attach("Votre justificatif", name, PDF)
        page = page.fill("Quotient familial indiqué sur le document, en euros", "850").submit("Continuer")
        assert page.h1 == "Votre foyer", page.error_summary() or page.h1
        assert "justificatif" in progress.recorded(draft_of(app, browser))
        page = browser.get("/demande/justificatif")
