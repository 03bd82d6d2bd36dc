"""Counters of attempts per time window, shared by every worker through the database.

Each attempt is counted *before* it is made, with one atomic statement (INSERT … ON CONFLICT DO UPDATE … RETURNING,
on SQLite and PostgreSQL alike), so that concurrent requests and several app processes cannot slip past a limit:
the 21st of 20 simultaneous requests sees 21. Windows are fixed (the current hour, the current minute…); a bucket's
key is a keyed hash of what it counts (a client address, an account, a draft), never the value itself. Expired
buckets are deleted by `adhesions purge`.

Counting commits the request's session at once (so that every worker sees the count): call it before making
changes that must not be committed yet. It uses the session's own connection: a second one per request would
starve the connection pool under a burst of requests."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models import RateBucket, utcnow


def _key(kind: str, subject: str, window: timedelta, now: datetime) -> tuple[str, datetime]:
    seconds = int(window.total_seconds())
    index = int(now.replace(tzinfo=UTC).timestamp()) // seconds  # `now` is naive UTC, as utcnow() gives
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"{kind}\x00{subject}".encode(), hashlib.sha256).hexdigest()[:32]
    expires_at = datetime.fromtimestamp((index + 1) * seconds, UTC).replace(tzinfo=None)
    return f"{kind}:{digest}:{index}", expires_at


def _upsert(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def count(kind: str, subject: str, window: timedelta, now: datetime | None = None, cost: int = 1) -> int:
    """Count `cost` attempts of `kind` by `subject` in the current window; return the count, these included."""
    key, expires_at = _key(kind, subject, window, now or utcnow())
    insert = _upsert(db.engine.dialect.name)
    statement = (
        insert(RateBucket)
        .values(key=key, count=cost, expires_at=expires_at)
        .on_conflict_do_update(index_elements=["key"], set_={"count": RateBucket.count + cost})
        .returning(RateBucket.count)
    )
    value = db.session.execute(statement).scalar_one()
    db.session.commit()
    return value


def hit(kind: str, subject: str, limit: int, window: timedelta, now: datetime | None = None, cost: int = 1) -> bool:
    """Count `cost` attempts; True while the attempts of the window, these included, stay within `limit`."""
    return count(kind, subject, window, now, cost) <= limit


def current(kind: str, subject: str, window: timedelta, now: datetime | None = None) -> int:
    """The attempts counted so far in the current window, without counting one more."""
    key, _ = _key(kind, subject, window, now or utcnow())
    return db.session.execute(select(RateBucket.count).where(RateBucket.key == key)).scalar() or 0


def forget(kind: str, subject: str, window: timedelta, now: datetime | None = None) -> None:
    """Drop the current window's count (e.g. an account's failures once its agent has logged in)."""
    key, _ = _key(kind, subject, window, now or utcnow())
    db.session.execute(delete(RateBucket).where(RateBucket.key == key))
    db.session.commit()


def expired(now: datetime | None = None) -> int:
    """How many buckets `purge` would delete."""
    return db.session.scalar(
        select(func.count()).select_from(RateBucket).where(RateBucket.expires_at < (now or utcnow()))
    )


def purge(now: datetime | None = None) -> int:
    """Delete the buckets of windows that are over; return how many."""
    removed = db.session.execute(delete(RateBucket).where(RateBucket.expires_at < (now or utcnow()))).rowcount
    db.session.commit()
    return removed
