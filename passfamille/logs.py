"""What access logs may hold: a path, never the token of a link.

A family's link (/demande/suivi/<token>, /creche/suivi/<token>, months long for a crèche request) and an agent's
password or device link are keys: whoever reads an access log must not be able to use them. The token is replaced
by « [jeton] » in the development server's log (Werkzeug) and in gunicorn's access log (gunicorn.conf.py)."""

import logging
import re

TOKEN_PATHS = re.compile(r"(/(?:demande/suivi|creche/suivi|agents/mot-de-passe|agents/appareil)/)[^/\s?\"#]+")


# FranceConnect's callbacks: their query (the code, the state, an error) is no one's business in a log.
CALLBACK_QUERIES = re.compile(r"(/franceconnect/(?:retour|deconnexion/retour))\?[^\s\"#]*")


def mask_tokens(text: str) -> str:
    return CALLBACK_QUERIES.sub(r"\1?[masqué]", TOKEN_PATHS.sub(r"\1[jeton]", text))


class MaskTokens(logging.Filter):
    """Rewrites a record's message with its tokens masked (its arguments folded in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def register() -> None:
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, MaskTokens) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(MaskTokens())
