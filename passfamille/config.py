"""The only module that reads the environment.

Every setting an installer can change is an environment variable documented in the README.
"""

import os
import secrets
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_COMMUNE_FILE = PACKAGE_DIR / "commune-exemple.yaml"
# The built-in sandbox (passfamille/sandbox) listens here under `make run` and accepts this token.
SANDBOX_URL = "http://127.0.0.1:5001"
SANDBOX_TOKEN = "bac-a-sable-passfamille"  # noqa: S105 - public test token of the local sandbox
# The sandbox's FranceConnect (passfamille/sandbox/franceconnect): its issuer and the public test client it knows.
SANDBOX_FRANCECONNECT = (
    f"{SANDBOX_URL}/franceconnect/api/v2",
    "passfamille-bac-a-sable",
    "secret-public-du-bac-a-sable-franceconnect",
)
# What the Pass Famille asks FranceConnect for: the identity pivot (API Particulier finds the family with it), the
# e-mail (so that the family types nothing), and the CAF/MSA data of the QF endpoint (REFERENCE §2).
FRANCECONNECT_SCOPES = "openid identite_pivot email cnaf_quotient_familial cnaf_allocataires cnaf_enfants cnaf_adresse"
# Added for a crèche request: the EAJE endpoint's data, under the names API Particulier checks in the token
# (FranceConnect's catalogue names no EAJE scope yet: to confirm with API Particulier before production).
FRANCECONNECT_SCOPES_CRECHE = (
    "cnav_participation_familiale_eaje_allocataires cnav_participation_familiale_eaje_enfants "
    "cnav_participation_familiale_eaje_adresse cnav_participation_familiale_eaje_parametres_calcul"
)
# Added when the DGFiP may be asked (wizard/fiscal.py): its data for the avis d'imposition's FranceConnect modality,
# as FranceConnect names them (`dgfip.claims.ts`); the commune's DGFiP habilitation must hold them.
FRANCECONNECT_SCOPES_DGFIP = (
    "dgfip_rfr dgfip_nbpart dgfip_sitfam dgfip_pac_nbPac dgfip_aft dgfip_annee_n_moins_2_si_indispo_n_moins_1"
)
# The same sandbox serves API Impôt particulier (passfamille/sandbox/impot) with these public credentials.
IMPOT_SANDBOX = {
    "IMPOT_PARTICULIER_URL": f"{SANDBOX_URL}/impotparticulier/1.0",
    "IMPOT_PARTICULIER_TOKEN_URL": f"{SANDBOX_URL}/impotparticulier/token",
    "IMPOT_PARTICULIER_CLIENT_ID": "bac-a-sable-passfamille",
    "IMPOT_PARTICULIER_CLIENT_SECRET": "bac-a-sable-passfamille-secret",
    "IMPOT_PARTICULIER_ID_TELESERVICE": "bac-a-sable-passfamille",
}


def _dev_secret_key(instance_path: Path) -> str:
    """A random key kept under instance/ so that `make run` needs no configuration.

    Production sets SECRET_KEY in the environment; this file is never committed.
    """
    key_file = instance_path / "dev-secret-key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _impot_particulier(api_url: str) -> dict:
    """API Impôt particulier (DGFiP) settings: the sandbox's by default only when API Particulier is the sandbox
    too (as for its token); otherwise empty, which means no habilitation (the app never calls the DGFiP)."""
    settings = {}
    for name, sandbox_value in IMPOT_SANDBOX.items():
        value = os.environ.get(name)
        if value is None and api_url == SANDBOX_URL:
            value = sandbox_value
        settings[name] = (value or "").rstrip("/") if name.endswith("_URL") else value or ""
    return {
        **settings,
        # A TLS client certificate and its key (paths), which the DGFiP's gateway checks (cgu-prod §4).
        "IMPOT_PARTICULIER_CERT": os.environ.get("IMPOT_PARTICULIER_CERT", ""),
        "IMPOT_PARTICULIER_KEY": os.environ.get("IMPOT_PARTICULIER_KEY", ""),
        # The resource the habilitation gives: RessourceIRDerniere2 (`deuxans`), RessourceIRDerniere or RessourceIR.
        "IMPOT_PARTICULIER_SCOPE": os.environ.get("IMPOT_PARTICULIER_SCOPE", "RessourceIRDerniere2"),
        # The habilitation's quota (50 calls per minute unless the DGFiP granted more), held by the app.
        "IMPOT_PARTICULIER_CALLS_PER_MINUTE": _int("IMPOT_PARTICULIER_CALLS_PER_MINUTE", 50),
    }


def from_environment(instance_path: Path) -> dict:
    api_url = os.environ.get("API_PARTICULIER_URL", SANDBOX_URL).rstrip("/")
    token = os.environ.get("API_PARTICULIER_TOKEN")
    if token is None and api_url == SANDBOX_URL:
        token = SANDBOX_TOKEN
    sandbox = api_url == SANDBOX_URL
    fc_url, fc_client_id, fc_client_secret = (
        os.environ.get(name, default if sandbox else "")
        for name, default in zip(
            ("FRANCECONNECT_URL", "FRANCECONNECT_CLIENT_ID", "FRANCECONNECT_CLIENT_SECRET"),
            SANDBOX_FRANCECONNECT,
            strict=True,
        )
    )
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _dev_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{instance_path / 'passfamille.db'}"),
        "API_PARTICULIER_URL": api_url,
        "API_PARTICULIER_TOKEN": token or "",
        # The crèche's own habilitation (EAJE endpoint, since March 2026), when the commune holds one: empty, the
        # default token serves the crèche too (see api_clients.py).
        "API_PARTICULIER_TOKEN_CRECHE": os.environ.get("API_PARTICULIER_TOKEN_CRECHE", ""),
        "API_PARTICULIER_CONNECT_TIMEOUT": _float("API_PARTICULIER_CONNECT_TIMEOUT", 3.0),
        "API_PARTICULIER_READ_TIMEOUT": _float("API_PARTICULIER_READ_TIMEOUT", 8.0),
        "API_PARTICULIER_DEADLINE": _float("API_PARTICULIER_DEADLINE", 10.0),
        "PASSFAMILLE_COMMUNE": os.environ.get("PASSFAMILLE_COMMUNE", str(DEFAULT_COMMUNE_FILE)),
        # gunicorn names itself in the environment before it builds the app: a process that only serves requests
        # needs no `flask db` commands, and Flask-Migrate brings Alembic (11 MiB in every worker).
        "MIGRATION_COMMANDS": not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"),
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", ""),
        "MAIL_FOLDER": str(instance_path / "mails"),
        "DOCUMENTS_FOLDER": str(instance_path / "documents"),
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        # The address agents use, for links printed by `agents create` and sent in mails.
        "PASSFAMILLE_URL": os.environ.get("PASSFAMILLE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Agents' log-in attempts per 15 minutes, counted before the password is checked: per account from unknown
        # browsers (and per trusted browser), and per client address.
        "LOGIN_ATTEMPTS": _int("PASSFAMILLE_LOGIN_ATTEMPTS", 5),
        "LOGIN_ATTEMPTS_PER_ADDRESS": _int("PASSFAMILLE_LOGIN_ATTEMPTS_PER_ADDRESS", 30),
        # Number of reverse proxies in front of the app (their X-Forwarded-For is trusted), 0 when none.
        "PROXIES": int(os.environ.get("PASSFAMILLE_PROXIES", "0") or 0),
        # Identity lookups (calls to API Particulier with a typed civil identity): per client address and hour,
        # and for the whole service per second and per minute, under API Particulier's 20 calls/s per token and
        # 1,000 calls/min per IP (beyond, its servers ban the IP for 12 h).
        "LOOKUPS_PER_ADDRESS_HOUR": _int("PASSFAMILLE_LOOKUPS_PER_ADDRESS_HOUR", 10),
        "API_CALLS_PER_SECOND": _int("PASSFAMILLE_API_CALLS_PER_SECOND", 10),
        "API_CALLS_PER_MINUTE": _int("PASSFAMILLE_API_CALLS_PER_MINUTE", 300),
        # New drafts (anonymous storage) per client address and hour.
        "DRAFTS_PER_ADDRESS_HOUR": _int("PASSFAMILLE_DRAFTS_PER_ADDRESS_HOUR", 30),
        # FranceConnect v2 for families (franceconnect/): on when the three are set; under `make run`, the sandbox's.
        "FRANCECONNECT_URL": fc_url.rstrip("/"),
        "FRANCECONNECT_CLIENT_ID": fc_client_id,
        "FRANCECONNECT_CLIENT_SECRET": fc_client_secret,
        "FRANCECONNECT_SCOPES": os.environ.get("FRANCECONNECT_SCOPES", FRANCECONNECT_SCOPES),
        # Scopes added for a crèche request (the EAJE endpoint's data), as the commune's habilitation names them.
        "FRANCECONNECT_SCOPES_CRECHE": os.environ.get("FRANCECONNECT_SCOPES_CRECHE", FRANCECONNECT_SCOPES_CRECHE),
        # Scopes added when the DGFiP may be asked (API Impôt particulier's FranceConnect modality).
        "FRANCECONNECT_SCOPES_DGFIP": os.environ.get("FRANCECONNECT_SCOPES_DGFIP", FRANCECONNECT_SCOPES_DGFIP),
        **_impot_particulier(api_url),
        # Never read from the environment: only a test configuration turns it on, and create_app refuses it
        # outside TESTING (see backoffice/auth.py).
        "WEAK_PASSWORD_HASH_FOR_TESTS": False,
    }
