"""The family's pages reached by a link (/demande/suivi/<token>, /creche/suivi/<token>) under generated input: any
token that is not one we signed is the French « lien invalide » page; a bad answer or file is told in French."""

import io
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from passfamille.creche.relance import commune_today

from ..backoffice.agents import logged_in, make_agent
from ..backoffice.test_detail import apply_through_api, family_link, mails_to, page_of
from ..creche.family_link import link_of
from ..creche.test_family_pages import offer
from ..creche_factory import make_request
from ..formclient import Browser
from .checks import messages
from .conftest import Snapshot
from .inputs import cases as bad_cases
from .inputs import fuzz_settings

TOKENS = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=20),
    st.sampled_from(["9" * 5000, "x" * 20_000, "\x00", "%00", "..", "eyJhcHBsaWNhdGlvbiI6MX0.AAAA.BBBB"]),
)
NOT_A_FILE = st.binary(max_size=2000).filter(lambda content: not content.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")))


def test_family_link_with_a_forged_token_is_the_invalid_link_page(app, cases):
    client = app.test_client()

    @fuzz_settings(400)
    @given(token=TOKENS, prefix=st.sampled_from(["/demande/suivi/", "/creche/suivi/"]), post=st.booleans())
    def run(token, prefix, post):
        cases["n"] += 1
        url = prefix + quote(token, safe="")
        # A « / » in the token makes « // », which Werkzeug first redirects (308) to its merged form.
        response = client.post(url, follow_redirects=True) if post else client.get(url, follow_redirects=True)
        # A forged link is a 404 page; a POST without a CSRF token a 400 « La page a expiré ».
        assert response.status_code in (400, 404, 405), (url[:80], response.status_code)
        assert "<h1>" in response.get_data(as_text=True)

    run()


def test_family_upload_refuses_what_is_not_a_document(app, mailbox, cases):
    make_agent(app)
    application_id = apply_through_api(app)
    page = (
        page_of(logged_in(app), application_id).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    )
    page.fill("Pièce demandée à la famille", "Votre attestation de QF").submit("Demander une pièce").submit(
        "Confirmer et envoyer le courriel"
    )
    link = family_link(mails_to(mailbox)[-1])
    family = Browser(app.test_client())
    token = family.get(link).soup.find(attrs={"name": "csrf_token"})["value"]

    @fuzz_settings(300)
    @given(content=NOT_A_FILE, name=st.text(max_size=40), case=cases_or_text())
    def run(content, name, case):
        cases["n"] += 1
        data = {"csrf_token": token}
        if case is None:
            data["file"] = (io.BytesIO(content), name or "document.pdf")
        else:  # a text where a file is expected
            data["file"] = case
        response = family.client.post(link, data=data, content_type="multipart/form-data")
        page_html = response.get_data(as_text=True)
        if response.status_code == 413:
            return
        assert response.status_code == 400, (response.status_code, name, content[:20])
        assert messages(page_html).get("file-error", "").startswith("Erreur : "), page_html[:500]

    run()


def cases_or_text():
    texts = bad_cases(megabyte=False).map(lambda case: case.value if isinstance(case.value, str) else "")
    return st.one_of(st.none(), texts)


def test_creche_family_answers_are_only_the_buttons_values(app, mailbox, cases):
    waiting = make_request(app)
    offered = make_request(app, email="offre@example.org")
    offer(app, offered, commune_today())
    family = Browser(app.test_client())
    snapshot = Snapshot(app)
    answers = {
        link_of(app, offered) + "/proposition": ({"accepter", "refuser"}, "Choisissez si vous acceptez ou refusez"),
        # No relance pending: a good answer is told so (409); a bad one is asked again (400).
        link_of(app, waiting) + "/relance": ({"maintenir", "retirer"}, "Choisissez si vous maintenez ou retirez"),
    }
    # One CSRF token for the browser's session, from the page that shows the offer's buttons.
    token = family.get(link_of(app, offered)).soup.find(attrs={"name": "csrf_token"})["value"]

    @fuzz_settings(400)
    @given(url=st.sampled_from(sorted(answers)), case=bad_cases(megabyte=False), urlencoded=st.booleans())
    def run(url, case, urlencoded):
        cases["n"] += 1
        good, message = answers[url]
        values = [] if case.value is None else [case.value if isinstance(case.value, str) else "".join(case.value)]
        if case.how == "good_first":
            values = [sorted(good)[0], *values]
        data = MultiDict([("csrf_token", token), *(("reponse", value) for value in values)])
        content_type = "application/x-www-form-urlencoded" if urlencoded else "multipart/form-data"
        response = family.client.post(url, data=data, content_type=content_type)
        page_html = response.get_data(as_text=True)
        try:
            assert response.status_code < 500, page_html[:1000]
            if not values or values[0] not in good:
                assert response.status_code == 400 and message in page_html, (url, values[:1], response.status_code)
                assert "<title>Erreur : " in page_html
        finally:
            if response.status_code != 400:
                snapshot.restore()

    run()
