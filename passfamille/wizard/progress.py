"""Which steps of a draft are complete, known without building their forms again.

A step is complete when its stored answers (and files) would pass it again (step.is_complete). Building and
validating every earlier step's form on each request was a fifth of the wizard's time, so the answer is recorded on
the draft (by the store, its one writer) with a digest of everything it was worked out from. The path guard trusts a
record whose digest still matches; any other step is checked from storage as before, and recorded again by the next
request that writes the draft (a POST). Submitting ignores the records and checks every step.

What a step's completeness depends on, hence its digest:
- the answers of the démarche, of the steps before it on the path and its own (a step's form is built from earlier
  answers, never from later ones: data flows one way), and those of the steps off the path;
- the certified facts (the CAF/MSA's answer: the questions, the household's address);
- the day: a start date must be ahead, a child born, a birth date past;
- what the process started with: the commune's settings (structures, points, rules and their dates, what the
  family is shown), the communes' files and the code of the checks. Edited settings, refreshed files or a new
  release need a restart, and then every record is checked again once.
Files are not in it: only a step's own POST adds or deletes its files, and that POST records the step again or
clears it. A draft saved before records existed has none: each step is checked once, then recorded.
"""

import dataclasses
import hashlib
import json
from datetime import date
from functools import cache
from pathlib import Path

from flask import Flask, current_app

from ..models import Draft

# The reserved key of the draft's answers that holds the records: {step name: digest}. Never a step's name.
RECORDS = "_complete"
PACKAGE = Path(__file__).resolve().parents[1]


def install(app: Flask) -> None:
    """Work out what the process started with, once (create_app, before gunicorn forks): the commune's settings,
    the communes' files, the code. A change of any of them makes every record a miss."""
    settings = app.extensions["commune"]
    digest = hashlib.sha256(_code().encode() + _canonical(settings).encode()).hexdigest()
    app.extensions["wizard_start"] = (settings, digest)


@cache
def _code() -> str:
    digest = hashlib.sha256()
    for source in sorted([*PACKAGE.rglob("*.py"), *(PACKAGE / "data").glob("*.csv")]):
        digest.update(str(source.relative_to(PACKAGE)).encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _start() -> str:
    settings, digest = current_app.extensions.get("wizard_start") or (None, "")
    if settings is not current_app.extensions["commune"]:
        install(current_app)  # settings replaced after start-up: never trust what was recorded under others
        settings, digest = current_app.extensions["wizard_start"]
    return digest


def _canonical(value) -> str:
    """The settings as text that does not depend on the process (a frozenset's order does)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({fields})"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_canonical(item) for item in value)) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    return repr(value)


def _json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def digests(draft: Draft, steps: list) -> list[str]:
    """For each step of the path, in order, the digest of what its completeness depends on (see above)."""
    answers = draft.answers or {}
    on_path = {step.name for step in steps}
    others = {name: value for name, value in answers.items() if name not in on_path and name != RECORDS}
    running = hashlib.sha256()
    running.update(_json([_start(), date.today().isoformat(), draft.certified, others]))
    found = []
    for step in steps:
        running.update(_json([step.name, answers.get(step.name)]))
        found.append(running.copy().hexdigest()[:32])
    return found


def recorded(draft: Draft) -> dict[str, str]:
    return (draft.answers or {}).get(RECORDS) or {}
