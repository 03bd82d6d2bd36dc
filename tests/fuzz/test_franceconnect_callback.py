"""FranceConnect's callback under generated queries (issue 13): whatever comes back — a forged state, a made-up code,
an error, another issuer, odd characters, huge values — the family gets a page, never a server error, and a forged
callback neither logs anyone in nor spends the login under way."""

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from passfamille import create_app
from passfamille.extensions import db
from passfamille.models import Draft

from ..functional.test_franceconnect import DUPONT_FC, Family, fc_config
from .inputs import fuzz_settings

TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(["", "access_denied", "invalid_scope", "%00", "../../", "<script>", "null", "true"]),
)


def test_a_forged_callback_never_fails_nor_logs_in(app_config, sandbox):
    app = create_app(fc_config(app_config, sandbox))
    family = Family(app, sandbox)
    callback = family.mire(family.start(), DUPONT_FC)
    with app.app_context():
        pending = db.session.scalars(select(Draft)).one().franceconnect["state"]

    @fuzz_settings(150)
    @given(
        state=TEXT.filter(lambda state: state != pending),
        code=TEXT,
        error=st.none() | TEXT,
        issuer=st.none() | TEXT,
    )
    def forged(state, code, error, issuer):
        query = {"state": state, "code": code}
        if error is not None:
            query["error"] = error
        if issuer is not None:
            query["iss"] = issuer
        answer = family.client.get("/franceconnect/retour?" + urlencode(query))
        assert answer.status_code in (303, 400, 502), answer.status_code
        if answer.status_code != 303:
            assert "La connexion avec FranceConnect n'a pas abouti" in answer.get_data(as_text=True)

    forged()
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        assert draft.franceconnect == {**draft.franceconnect, "state": pending}  # the login under way still stands
        assert "identification" not in (draft.answers or {})
    assert family.back(callback).h1 == "Vous"  # and the genuine callback still goes through
