"""Which resource of API Impôt particulier to call, and for which year (REFERENCE §1.3–1.4).

The token's scope names one resource. `RessourceIRDerniere2` (`…/deuxans`) chooses the year itself: the last avis,
or the one before while the last is not yet available. The two `annrev` resources need a year: incomes of year N−1
are taxed, hence available, from the changeover date of year N (22 July in 2024 and 2025, doc-v2.9 §6.3); before
it the last available year is N−2. Around that date a household's avis may still be missing: the client then asks
once for the year before (see client.py).
"""

from dataclasses import dataclass
from datetime import date

SCOPE_DEUXANS = "RessourceIRDerniere2"
SCOPE_IR = "RessourceIR"
SCOPE_DERNIERE = "RessourceIRDerniere"
# (month, day) from which year N−1 is available in year N.
CHANGEOVER = (7, 22)


@dataclass(frozen=True)
class Resource:
    label: str  # the endpoint's name in logs
    path: str  # relative to the base URL, without `/spi/{spi}`; `{annrev}` where a year goes
    media_type: str

    @property
    def by_year(self) -> bool:
        return "{annrev}" in self.path

    def spi_path(self, spi: str, annrev: int | None) -> str:
        return f"/spi/{spi}" + self.france_connect_path(annrev)

    def france_connect_path(self, annrev: int | None) -> str:
        return self.path.format(annrev=annrev) if self.by_year else self.path


_DERNIERE_MEDIA_TYPE = "application/prs.dgfip.part.derniere.situations.ir.assiettes.v1+json"
RESOURCES = {
    SCOPE_DEUXANS: Resource("deuxans", "/dernieresituation/ir/assiettes/deuxans", _DERNIERE_MEDIA_TYPE),
    SCOPE_DERNIERE: Resource(
        "dernieresituation_annrev", "/dernieresituation/ir/assiettes/annrev/{annrev}", _DERNIERE_MEDIA_TYPE
    ),
    SCOPE_IR: Resource(
        "situations_annrev",
        "/situations/ir/assiettes/annrev/{annrev}",
        "application/prs.dgfip.part.situations.ir.assiettes.v1+json",
    ),
}


def resource_for(scope: str) -> Resource:
    try:
        return RESOURCES[scope]
    except KeyError:
        raise ValueError(f"scope non pris en charge : {scope} (attendu : {', '.join(RESOURCES)})") from None


def last_available_year(today: date) -> int:
    """The last income year whose avis is out on `today`: N−1 from the changeover date, N−2 before it."""
    return today.year - 1 if (today.month, today.day) >= CHANGEOVER else today.year - 2


def years_to_ask(today: date) -> tuple[int, ...]:
    """The years to ask, in order. After the changeover the year N−1 may still be missing for a household (taxed
    late): N−2 is then asked once. Before it only N−2 is asked: an older avis does not say today's situation."""
    year = last_available_year(today)
    return (year, year - 1) if year == today.year - 1 else (year,)
