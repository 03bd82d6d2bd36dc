"""The civil identity sent to API Particulier's identity endpoints, as query parameters."""

from dataclasses import dataclass

FRANCE = "99100"


@dataclass(frozen=True)
class Identity:
    """What the citizen typed, in the API's terms. Unknown parts are None and are not sent."""

    birth_name: str
    sex: str
    birth_country: str
    first_names: tuple[str, ...] = ()
    usage_name: str | None = None
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    birth_commune_code: str | None = None
    birth_commune_name: str | None = None
    birth_department_code: str | None = None

    def params(self) -> list[tuple[str, str]]:
        pairs = [("nomNaissance", self.birth_name)]
        if self.usage_name:
            pairs.append(("nomUsage", self.usage_name))
        pairs += [("prenoms[]", name) for name in self.first_names]
        pairs.append(("sexeEtatCivil", self.sex))
        # The API ignores a month without a year and a day without a month: send only a coherent prefix.
        if self.birth_year:
            pairs.append(("anneeDateNaissance", str(self.birth_year)))
            if self.birth_month:
                pairs.append(("moisDateNaissance", str(self.birth_month)))
                if self.birth_day:
                    pairs.append(("jourDateNaissance", str(self.birth_day)))
        pairs.append(("codeCogInseePaysNaissance", self.birth_country))
        if self.birth_country == FRANCE:
            if self.birth_commune_code:
                pairs.append(("codeCogInseeCommuneNaissance", self.birth_commune_code))
            elif self.birth_commune_name:
                pairs.append(("nomCommuneNaissance", self.birth_commune_name))
                if self.birth_department_code:
                    pairs.append(("codeCogInseeDepartementNaissance", self.birth_department_code))
        return pairs
