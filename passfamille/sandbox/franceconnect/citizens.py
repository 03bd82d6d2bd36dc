"""The test citizens of FranceConnect's demo identity provider (fixtures/franceconnect/*.csv, see its PROVENANCE.md)
and the claims FranceConnect gives about them."""

import csv
from dataclasses import dataclass
from pathlib import Path

from .clients import claims_for

CITIZENS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "franceconnect"
CITIZEN_FILES = ("fcp-low-idp-base.csv", "fcp-low-idp-base.legacy.csv")
# Our own: DGFiP test taxpayers as FranceConnect citizens (the avis d'imposition's FranceConnect modality), see
# PROVENANCE.md.
OWN_CITIZEN_FILES = ("passfamille-contribuables-dgfip.csv",)


@dataclass(frozen=True)
class Citizen:
    login: str
    family_name: str
    given_name: str
    gender: str
    birthdate: str
    birthplace: str
    birthcountry: str
    preferred_username: str
    email: str

    @property
    def label(self) -> str:
        """« NOM Prénoms (login) », as the mire lists them."""
        name = " ".join(part for part in (self.family_name, self.given_name) if part)
        return f"{name} ({self.login})" if name else self.login

    def claim(self, name: str) -> object:
        if name == "given_name_array":
            return self.given_name.split()
        return getattr(self, name)

    def claims(self, scopes: frozenset[str] | set[str]) -> dict:
        """The claims the scopes give; an empty e-mail is left out (FranceConnect has none to give), the other
        claims are given as the identity provider holds them (e.g. `birthplace` is "" for someone born abroad)."""
        found = {name: self.claim(name) for name in claims_for(scopes)}
        if "email" in found and not found["email"]:
            del found["email"]
        return found


def load_citizens(folder: Path = CITIZENS_DIR) -> dict[str, Citizen]:
    citizens: dict[str, Citizen] = {}
    for name in (*CITIZEN_FILES, *OWN_CITIZEN_FILES):
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if not row.get("login"):
                    continue
                citizen = Citizen(**{field: (row.get(field) or "").strip() for field in Citizen.__dataclass_fields__})
                if citizen.login in citizens:
                    raise ValueError(f"Identité de test en double : {citizen.login}")
                citizens[citizen.login] = citizen
    return citizens
