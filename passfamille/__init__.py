"""Pass Famille: a commune's online application, pre-filled from API Particulier."""

from pathlib import Path

from flask import Flask, abort, render_template, send_file
from flask_wtf.csrf import CSRFError

from . import api_clients, config, formatting, franceconnect, impot_clients, logs, outbox, places, proxies
from .commune import load_settings
from .extensions import csrf, db
from .wizard import progress as wizard_progress

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    instance_path = Path(app.instance_path)
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(instance_path))
    # Room for a 10 MB file plus the form around it; the form itself enforces 10 MB with a French message.
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES + 512 * 1024
    # No text field of ours holds more than a few KB (the longest, an agent's message, 2,000 characters): a bigger
    # one is refused with 413 by Werkzeug (multipart), or by the forms' base (urlencoded, which Werkzeug reads whole).
    app.config["MAX_FORM_MEMORY_SIZE"] = 100 * 1024
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session; drafts expire on their own
    # Flask's session cookie holds only the CSRF secret; like every cookie of ours it is not sent by other sites.
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if test_config:
        app.config.update(test_config)
    if app.config["WEAK_PASSWORD_HASH_FOR_TESTS"] and not app.config["TESTING"]:
        # A server that errs as production does (TESTING off) must hash as production does too.
        raise RuntimeError("WEAK_PASSWORD_HASH_FOR_TESTS est réservé aux tests (TESTING) : refusé au démarrage.")

    settings = load_settings(app.config["PASSFAMILLE_COMMUNE"])
    app.extensions["commune"] = settings
    # The communes, départements and countries read now, not by the first request that needs them (about a second):
    # under gunicorn (preload_app) the master reads them once and its workers share that memory.
    places.preload()
    wizard_progress.install(app)
    api_clients.install(app.extensions, app.config, recipient=settings.commune.siret)
    impot_clients.install(app.extensions, app.config)

    db.init_app(app)
    if app.config["MIGRATION_COMMANDS"]:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    proxies.register(app)
    formatting.register(app)
    logs.register()
    outbox.register(app)

    from .creche.family import bp as creche_family_bp
    from .family import bp as family_bp
    from .lost_link import bp as lost_link_bp
    from .wizard.views import bp as wizard_bp

    app.register_blueprint(wizard_bp)
    app.register_blueprint(family_bp)
    app.register_blueprint(creche_family_bp)
    app.register_blueprint(lost_link_bp)
    franceconnect.install(app)
    from . import backoffice

    backoffice.register(app)
    _register_pages(app)
    _register_error_handlers(app)
    _register_security_headers(app)

    from . import cli

    cli.register(app)

    @app.context_processor
    def commune_context():
        return {"settings": settings}

    return app


def _register_pages(app: Flask) -> None:
    @app.get("/theme.css")
    def theme_css():
        colour = app.extensions["commune"].commune.colour
        response = app.response_class(f":root {{ --couleur: {colour}; }}\n", mimetype="text/css")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    @app.get("/logo")
    def commune_logo():
        logo = app.extensions["commune"].commune.logo
        if not logo:
            abort(404)
        return send_file(Path(logo), max_age=3600)

    @app.get("/donnees-personnelles")
    def personal_data():
        return render_template("pages/donnees-personnelles.html")

    @app.get("/accessibilite")
    def accessibility():
        return render_template("pages/accessibilite.html")


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/session.html"), 400

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/session.html"), 400

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(429)
    def too_many(error):
        return render_template("errors/429.html"), 429

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(error):
        return render_template("errors/413.html"), 413

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/500.html"), 500


def _register_security_headers(app: Flask) -> None:
    from .franceconnect.views import allowed_origin

    # FranceConnect's login and logout are reached by a form whose answer redirects there: the browser checks the
    # redirect against form-action too.
    with app.app_context():
        fc_origin = allowed_origin()
    form_action = f"'self' {fc_origin}" if fc_origin else "'self'"

    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        if app.config["SESSION_COOKIE_SECURE"]:
            # Served over HTTPS only: browsers must not try HTTP again for two years (not includeSubDomains: a
            # commune's other sites may not all be HTTPS).
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000")
        return response
