import pytest

from .agents import logged_in, make_agent


@pytest.fixture
def agent_browser(app):
    make_agent(app)
    return logged_in(app)


@pytest.fixture
def admin_browser(app):
    make_agent(app, "admin@val-fleuri.example", admin=True)
    return logged_in(app, "admin@val-fleuri.example")
