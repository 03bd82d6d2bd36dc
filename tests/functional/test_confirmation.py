"""The confirmation page: when the family hears back (the commune's settings), a printable summary, a follow-up link
for each démarche; and « Vous avez perdu le lien ? », which sends the follow-up link again to the e-mail of the
application without telling anyone whether a reference exists."""

import logging
import re
from datetime import date, timedelta

from passfamille import create_app
from passfamille.formatting import long_date

from ..conftest import edited_example_settings
from ..formclient import Browser
from .journeys import EMAIL, LEFEBVRE, add_child, finish, through_api
from .test_references import send_both

LOST_LINK = "/demande/lien-perdu"
SENT = "Si ce numéro de demande et cette adresse électronique correspondent à une demande"


def send_pass_famille(app):
    page = through_api(Browser(app.test_client()), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = finish(add_child(page).submit("Continuer"))
    assert page.h1 == "Votre demande est envoyée", page.h1
    return page


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_content())


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- the confirmation page -------------------------------------------------------------------------------------


def test_confirmation_says_when_the_family_hears_back_and_links_to_its_follow_up(app, mailbox):
    page = send_pass_famille(app)
    expected = long_date(date.today() + timedelta(days=30))  # the example settings' answer_within_days
    assert f"puis vous écrira au plus tard le {expected}" in page.text

    summary = page.soup.find("dl", class_="confirmation__summary").get_text(" ", strip=True)
    reference = page.soup.select_one(".reference").get_text(strip=True)
    assert f"Envoyée le {date.today():%d/%m/%Y}" in summary and f"demande n° {reference}" in summary
    button = page.soup.find("button", string="Imprimer ou enregistrer en PDF")
    assert button is not None and button.has_attr("data-imprimer")

    follow = page.click("Suivre ma demande : Pass Famille")
    assert follow.status == 200 and follow.h1 == "Votre demande de Pass Famille"
    assert reference in follow.text and "vous écrira dans les 30 jours suivant votre demande" in follow.text

    (receipt,) = mailbox.received(EMAIL)
    body = receipt.get_content()
    assert "La mairie vous répond dans les 30 jours." in body
    follow_link = next(link for link in links_in(receipt) if "/demande/suivi/" in link)
    again = Browser(app.test_client()).get(path_of(follow_link))  # another device: the link is the key
    assert again.h1 == "Votre demande de Pass Famille" and reference in again.text


def test_the_time_frame_comes_from_the_commune_settings(app_config, tmp_path):
    settings = edited_example_settings(
        tmp_path / "reponse-10-jours",
        lambda text: text.replace("answer_within_days: 30", "answer_within_days: 10", 1),
    )
    page = send_pass_famille(create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings)}))
    assert f"au plus tard le {long_date(date.today() + timedelta(days=10))}" in page.text


def test_both_demarches_each_have_their_time_frame_and_follow_up_link(app):
    page = send_both(app)
    sections = [s.get_text(" ", strip=True) for s in page.soup.select(".confirmation__demarche")]
    assert len(sections) == 2
    assert "puis vous écrira au plus tard le" in sections[0]
    assert "nous vous demanderons par courriel si vous maintenez votre demande" in sections[1]
    assert page.click("Suivre ma demande : Préinscription en crèche").status == 200


# --- « Vous avez perdu le lien ? » -----------------------------------------------------------------------------


def ask_link(browser, reference, email):
    page = browser.get(LOST_LINK)
    assert page.h1 == "Vous avez perdu le lien de suivi ?"
    return (
        page.fill("Numéro de demande", reference)
        .fill("Adresse électronique donnée dans la demande", email)
        .submit("Recevoir le lien par courriel")
    )


def test_the_lost_link_goes_to_the_applications_email_only_and_opens_its_follow_up(app, mailbox):
    page = send_both(app)
    pf_reference, cr_reference = [r.get_text(strip=True) for r in page.soup.select(".reference")]
    assert page.soup.find("a", string="recevez de nouveau le lien de suivi")["href"] == LOST_LINK
    mailbox.clear()

    # Typed as from a phone: lower case, spaces, the address in capitals.
    sent = ask_link(Browser(app.test_client()), f" {cr_reference.lower()} ", EMAIL.upper())
    assert sent.status == 200 and sent.h1 == "Demande de lien reçue" and SENT in sent.text
    assert EMAIL not in sent.url and cr_reference not in sent.url
    (message,) = mailbox.received()
    assert message["To"] == EMAIL and cr_reference in message["Subject"]
    (link,) = [link for link in links_in(message) if "/creche/suivi/" in link]
    follow = Browser(app.test_client()).get(path_of(link))
    assert follow.status == 200 and cr_reference in follow.text

    mailbox.clear()
    ask_link(Browser(app.test_client()), pf_reference, EMAIL)
    (message,) = mailbox.received()
    (link,) = [link for link in links_in(message) if "/demande/suivi/" in link]
    assert pf_reference in Browser(app.test_client()).get(path_of(link)).text


def test_an_unknown_reference_or_another_email_gets_the_same_page_and_no_mail(app, mailbox):
    page = send_pass_famille(app)
    reference = page.soup.select_one(".reference").get_text(strip=True)
    mailbox.clear()
    known = ask_link(Browser(app.test_client()), reference, EMAIL)

    unknown = ask_link(Browser(app.test_client()), "PF-2026-999999", EMAIL)
    other_email = ask_link(Browser(app.test_client()), reference, "quelquun@example.org")

    assert known.status == unknown.status == other_email.status == 200
    assert known.url == unknown.url == other_email.url
    assert known.soup.find("main").get_text() == unknown.soup.find("main").get_text()
    assert known.soup.find("main").get_text() == other_email.soup.find("main").get_text()
    assert [m["To"] for m in mailbox.received()] == [EMAIL]  # the right pair only


def test_a_double_click_sends_one_mail(app, mailbox):
    page = send_pass_famille(app)
    reference = page.soup.select_one(".reference").get_text(strip=True)
    mailbox.clear()
    form = Browser(app.test_client()).get(LOST_LINK)
    form = form.fill("Numéro de demande", reference).fill("Adresse électronique donnée dans la demande", EMAIL)
    form.submit("Recevoir le lien par courriel")
    form.submit("Recevoir le lien par courriel")  # the same form sent again
    assert len(mailbox.received()) == 1


def test_a_malformed_reference_is_told_at_the_field_and_kept(app):
    page = ask_link(Browser(app.test_client()), "PF 2026", EMAIL)
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert "PF-2026-000042" in page.field_error("Numéro de demande")
    assert page.value("Numéro de demande") == "PF 2026"
    assert page.value("Adresse électronique donnée dans la demande") == EMAIL


def test_lost_link_requests_are_rate_limited_per_connection_and_per_reference(app, mailbox):
    browser = Browser(app.test_client())
    for n in range(10):
        assert ask_link(browser, f"PF-2026-{n:06d}", EMAIL).status == 200
    refused = ask_link(browser, "PF-2026-000099", EMAIL)
    assert refused.status == 429 and refused.h1 == "Trop de demandes de lien"

    # From several connections, one reference is asked for a few times an hour at most.
    for n in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        assert ask_link(Browser(client), "CR-2026-000001", EMAIL).status == 200
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    assert ask_link(Browser(client), "CR-2026-000001", EMAIL).status == 429
    assert mailbox.received() == []


def test_the_lost_link_form_logs_neither_the_email_nor_the_reference_nor_the_link(app, mailbox, caplog):
    page = send_pass_famille(app)
    reference = page.soup.select_one(".reference").get_text(strip=True)
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    ask_link(Browser(app.test_client()), reference, EMAIL)
    (message,) = mailbox.received(EMAIL)[-1:]
    token = links_in(message)[0].rsplit("/", 1)[1]
    # The app's log lines (aiosmtpd, the tests' mail server, logs what it receives as its job).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "family link sent again" in logged
    assert EMAIL not in logged and reference not in logged and token not in logged
