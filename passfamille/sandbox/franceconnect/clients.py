"""The clients the FranceConnect sandbox knows: passfamille as service provider (FS), API Particulier as data provider
(DP), and the scopes each may use.

These identifiers and secrets are **public sandbox values**, published in the source code on purpose, like the
API Particulier sandbox's tokens: they open nothing but this local sandbox. A commune's real FranceConnect client id
and secret come from the environment (passfamille/config.py), never from here.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..tokens import EAJE_SCOPES, QUOTIENT_FAMILIAL_SCOPES

FS_CLIENT_ID = "passfamille-bac-a-sable"
FS_CLIENT_SECRET = "secret-public-du-bac-a-sable-franceconnect"  # noqa: S105 (public sandbox value)
DP_CLIENT_ID = "api-particulier-bac-a-sable"
DP_CLIENT_SECRET = "secret-public-du-fournisseur-de-donnees-bac-a-sable"  # noqa: S105 (public sandbox value)
# The DGFiP (API Impôt particulier) as a second data provider: the DGFiP sandbox introspects the tokens with it.
DGFIP_DP_CLIENT_ID = "dgfip-bac-a-sable"
DGFIP_DP_CLIENT_SECRET = "secret-public-dgfip-bac-a-sable"  # noqa: S105 (public sandbox value)

REDIRECT_PATH = "/franceconnect/retour"
POST_LOGOUT_REDIRECT_PATH = "/franceconnect/deconnexion/retour"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")

IDENTITY_PIVOT_CLAIMS = (
    "given_name",
    "given_name_array",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
)
# FranceConnect v2's scope -> claims (REFERENCE §2, fc `scopes/src/data/fcp-low/fcp-low.scopes.ts`): `identite_pivot`
# no longer gives `preferred_username` since v2; the data providers' scopes give no claim to the service provider.
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "identite_pivot": IDENTITY_PIVOT_CLAIMS,
    "profile": ("given_name", "given_name_array", "family_name", "birthdate", "gender", "preferred_username"),
    "birth": ("birthplace", "birthcountry"),
    **{
        claim: (claim,)
        for claim in ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry", "email")
    },
    "preferred_username": ("preferred_username",),
}

# Scopes for the crèche (EAJE) through FranceConnect. FranceConnect's own catalogue has no EAJE scope yet (fc@fbf65bf8,
# REFERENCE §2), the official sandbox's `all_fc` token uses `eaje_*` names, and API Particulier's EAJE serializer
# shows a block of `data` only when the token carries `cnav_participation_familiale_eaje_{allocataires,enfants,
# adresse,parametres_calcul}` (siade `serializers/api_particulier/cnav/participation_familiale_eaje/v3.rb`). The
# serializer decides what a commune receives, so these are the names chosen here: the same as the identity
# modality's EAJE scopes (tokens.EAJE_SCOPES). Unverified at FranceConnect: ask API Particulier before production.
EAJE_FC_SCOPES: tuple[str, ...] = tuple(EAJE_SCOPES.values())
QUOTIENT_FAMILIAL_FC_SCOPES: tuple[str, ...] = tuple(QUOTIENT_FAMILIAL_SCOPES.values())
# The DGFiP's scopes a commune's habilitation may hold (FranceConnect `dgfip.claims.ts`, REFERENCE §2): the avis's
# RFR, parts, family situation, dependants, fiscal address and the year asked.
DGFIP_FC_SCOPES: tuple[str, ...] = (
    "dgfip_rfr",
    "dgfip_nbpart",
    "dgfip_sitfam",
    "dgfip_pac_nbPac",
    "dgfip_aft",
    "dgfip_annee_n_moins_1",
    "dgfip_annee_n_moins_2_si_indispo_n_moins_1",
)


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    scopes: frozenset[str]
    redirect_path: str = ""  # FS only: see `accepts_redirect`
    post_logout_redirect_path: str = ""
    id_token_signed_response_alg: str = "ES256"  # noqa: S105 (an algorithm's name)
    userinfo_signed_response_alg: str = "ES256"

    def accepts_redirect(self, uri: str | None) -> bool:
        return bool(self.redirect_path) and _loopback(uri, self.redirect_path)

    def accepts_post_logout_redirect(self, uri: str | None) -> bool:
        return bool(self.post_logout_redirect_path) and _loopback(uri, self.post_logout_redirect_path)


def _loopback(uri: str | None, path: str) -> bool:
    """FranceConnect registers exact redirect URLs per client. Accepting `http://127.0.0.1:<any port><path>` and
    `http://localhost:<any port><path>` is a convenience of this sandbox only: the app and its tests run on a port
    chosen at start-up (port 0), and nothing outside the machine can be sent there."""
    if not uri:
        return False
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in LOOPBACK_HOSTS
        and port is not None
        and parts.path == path
        and not parts.fragment
        and not parts.username
        and not parts.password
    )


FS_SCOPES = frozenset(
    {
        "openid",
        "identite_pivot",
        "given_name",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        "email",
        "preferred_username",
        *QUOTIENT_FAMILIAL_FC_SCOPES,
        *EAJE_FC_SCOPES,
        *DGFIP_FC_SCOPES,
    }
)
# API Particulier as a data provider: FranceConnect filters the introspection's `scope` down to these (REFERENCE §3.4).
DP_SCOPES = frozenset(
    {
        "openid",
        "identite_pivot",
        "given_name",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        *QUOTIENT_FAMILIAL_FC_SCOPES,
        *EAJE_FC_SCOPES,
    }
)

SERVICE_PROVIDERS = {
    FS_CLIENT_ID: Client(
        FS_CLIENT_ID,
        FS_CLIENT_SECRET,
        FS_SCOPES,
        redirect_path=REDIRECT_PATH,
        post_logout_redirect_path=POST_LOGOUT_REDIRECT_PATH,
    )
}
DGFIP_DP_SCOPES = frozenset({"openid", "identite_pivot", *IDENTITY_PIVOT_CLAIMS, *DGFIP_FC_SCOPES}) - {
    "given_name_array"
}
DATA_PROVIDERS = {
    DP_CLIENT_ID: Client(DP_CLIENT_ID, DP_CLIENT_SECRET, DP_SCOPES),
    DGFIP_DP_CLIENT_ID: Client(DGFIP_DP_CLIENT_ID, DGFIP_DP_CLIENT_SECRET, DGFIP_DP_SCOPES),
}


def claims_for(scopes: frozenset[str] | set[str]) -> list[str]:
    """The claims the scopes give, in a stable order, `sub` excluded (always present)."""
    found: list[str] = []
    for scope in sorted(scopes):
        for claim in SCOPE_CLAIMS.get(scope, ()):
            if claim != "sub" and claim not in found:
                found.append(claim)
    return found
