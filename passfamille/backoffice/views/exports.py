"""Back-office views: download of the filtered list, in the columns of the CLI export (`passfamille/exports.py`).

The response is streamed: rows are read from the database a batch at a time and written as they come, so that
100,000 applications take no more memory than 1,000."""

from datetime import date

from flask import Response, g, redirect, request, stream_with_context, url_for

from ... import exports
from .. import bp, queries, services
from .queue import filter_form


def _download(render, extension: str, mimetype: str) -> Response:
    form = filter_form()
    if form.errors:  # a hand-made link: the queue shows the message next to the faulty filter
        # The query string as typed: passed to url_for, a parameter named « endpoint » or « _scheme » would clash.
        return redirect(f"{url_for('backoffice.queue')}?{request.query_string.decode('latin-1')}", 303)
    return download(
        render(queries.for_export(services.scope(form.filters(g.agent.id), g.agent), form.sort())),
        "demandes",
        extension,
        mimetype,
    )


def download(chunks, name: str, extension: str, mimetype: str) -> Response:
    """A streamed attachment named after the day, e.g. demandes-2026-11-24.csv."""
    response = Response(stream_with_context(exports.in_chunks(chunks)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{date.today().isoformat()}.{extension}"'
    response.headers["Cache-Control"] = "no-store"  # personal data: no copy in a shared cache
    return response


@bp.get("/demandes.csv")
def export_csv():
    return _download(lambda rows: exports.as_csv(rows, to_row=exports.flat_row), "csv", "text/csv")


@bp.get("/demandes.json")
def export_json():
    return _download(lambda rows: exports.as_json(rows, to_row=exports.flat_row), "json", "application/json")
