"""Each démarche's record is whole: every status it can reach has a label and a mail for the family, every panel of
the agents' page exists, its link's payload key is its own — a forgotten entry would only show as a 500 when an
agent first makes that change."""

from pathlib import Path

import pytest

from passfamille.demarches import DEMARCHES, STATUS_LABELS

TEMPLATES = Path(__file__).resolve().parents[1] / "passfamille" / "templates"


@pytest.mark.parametrize("code", list(DEMARCHES))
def test_every_reachable_status_has_a_label_and_a_mail(code):
    demarche = DEMARCHES[code]
    assert set(demarche.transitions) == set(demarche.statuses), "a status without its transitions, or the reverse"
    reached = {to for targets in demarche.transitions.values() for to in targets}
    assert reached <= set(demarche.statuses)
    for status in reached:
        mail = TEMPLATES / demarche.mail_template.format(status=status)
        assert mail.is_file(), f"{code} → {status} : pas de courriel {mail.name}"


@pytest.mark.parametrize("code", list(DEMARCHES))
def test_every_panel_of_the_agents_page_exists(code):
    panels = DEMARCHES[code].detail_panels
    assert set(panels) == {"facts", "decision", "actions"}
    for template in panels.values():
        assert (TEMPLATES / template).is_file(), template


def test_demarches_have_their_own_prefix_link_and_statuses():
    records = list(DEMARCHES.values())
    assert len({d.prefix for d in records}) == len(records)
    assert len({(d.link.salt, d.link.key) for d in records}) == len(records)
    assert len({d.link.path for d in records}) == len(records)
    # One label per status across démarches: the queue's filter lists them all.
    assert sum(len(d.statuses) for d in records) == len(STATUS_LABELS)
