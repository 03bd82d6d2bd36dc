"""The tests' cheap password hash (WEAK_PASSWORD_HASH_FOR_TESTS): refused at start-up outside TESTING, off by
default, and never in the way of a hash made with the strong parameters (a hash string carries its parameters)."""

import pytest
from sqlalchemy import update
from werkzeug.security import generate_password_hash

from passfamille import create_app
from passfamille.backoffice import auth
from passfamille.extensions import db
from passfamille.models import Agent

from .backoffice.agents import PASSWORD, logged_in, make_agent

STRONG = "scrypt:32768:8:1$"
WEAK = "scrypt:256:8:1$"


@pytest.fixture
def checked_hashes(monkeypatch) -> list[str]:
    """The parameters of every hash the app checks a password against."""
    seen = []
    original = auth.check_password_hash

    def recorded(password_hash, password):
        seen.append(password_hash.split("$")[0] + "$")
        return original(password_hash, password)

    monkeypatch.setattr(auth, "check_password_hash", recorded)
    return seen


def test_a_production_configuration_with_the_weak_hash_refuses_to_start(app_config):
    # As the concurrency tests' gunicorn servers are configured (TESTING off): they must leave the switch off.
    with pytest.raises(RuntimeError, match="WEAK_PASSWORD_HASH_FOR_TESTS"):
        create_app({**app_config, "TESTING": False})
    with pytest.raises(RuntimeError, match="WEAK_PASSWORD_HASH_FOR_TESTS"):
        create_app({"WEAK_PASSWORD_HASH_FOR_TESTS": True})


def test_the_default_configuration_hashes_with_the_strong_parameters(checked_hashes):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["WEAK_PASSWORD_HASH_FOR_TESTS"] is False
    with app.app_context():
        strong = auth.hash_password(PASSWORD)
        assert strong.startswith(STRONG)
        agent = Agent(email="agent@val-fleuri.example", password_hash=strong, active=True)
        assert auth.password_matches(agent, PASSWORD)
        # An unknown address is checked against a dummy hash as costly as an agent's.
        assert not auth.password_matches(None, PASSWORD)
    assert checked_hashes == [STRONG, STRONG]


def test_the_tests_hash_cheaply_and_still_accept_a_strong_hash(app, checked_hashes):
    assert app.config["WEAK_PASSWORD_HASH_FOR_TESTS"] is True
    agent_id = make_agent(app)
    with app.app_context():
        assert db.session.get(Agent, agent_id).password_hash.startswith(WEAK)
        assert not auth.password_matches(None, PASSWORD)  # the dummy hash follows the same setting
        db.session.execute(
            update(Agent)
            .where(Agent.id == agent_id)
            .values(password_hash=generate_password_hash(PASSWORD, method="scrypt"))
        )
        db.session.commit()

    logged_in(app)

    assert checked_hashes == [WEAK, STRONG]


def test_a_weak_hash_is_checked_with_its_own_parameters_under_the_default_configuration():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        agent = Agent(email="agent@val-fleuri.example", password_hash=generate_password_hash(PASSWORD, WEAK[:-1]))
        agent.active = True
        assert auth.password_matches(agent, PASSWORD)
        assert not auth.password_matches(agent, "une autre phrase de passe")
