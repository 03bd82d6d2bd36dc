"""The ceiling of `make bench`: a bare Flask page served by the same gunicorn configuration as Pass Famille.

One GET, a small HTML page, no database, no template, no session: whatever the app does beyond this costs time
that the bench reports as a ratio to this page (same machine, same workers, same threads, same client)."""

from flask import Flask

app = Flask(__name__)

PAGE = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Page nue</title></head>'
    "<body><main><h1>Page nue</h1><p>Le plafond de vitesse de cette machine.</p></main></body></html>"
)


@app.get("/")
def bare_page():
    return PAGE
