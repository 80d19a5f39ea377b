"""A cache of rendered API reads that can never serve what the database no longer says.

Every read endpoint costs 5-10 ms of ORM and serializer Python per page of nested objects, against about 1 ms for
a trivial DRF view with the same token check; people and makers' scripts read the same pages again and again
(makers poll their offers, customers reload an order). So a read is rendered once and kept, with the *version of
every table it read*, and served from the cache until one of those tables is written.

How it stays right:

- **Writes are seen where they happen: in the database connection.** ``track_writes`` is an execute wrapper on
  every connection (web, Celery workers, management commands; installed in ``CoreConfig.ready``). Each INSERT,
  UPDATE, DELETE or TRUNCATE names its table; that table's version (a token in the cache, shared by every
  process) changes at once and again **after the transaction commits**. Nothing written through
  Django escapes it: ``save()``, ``queryset.update()`` with ``F()``, bulk operations, raw cursors alike.
- **A read knows its tables.** While a response is rendered, every SELECT's FROM and JOIN tables are collected.
  The versions are taken *before* rendering, from the tables this endpoint read the last time; a render that read
  a table outside that set is served but not kept (the set grows, the next render is kept). A write that commits
  during a render bumps a version after the snapshot, so the kept entry is already out of date and never served.
- **A version is a random token, never a counter.** A bump writes a fresh one (so two processes bumping at once
  cannot land on the same value, and a version that was evicted and created again cannot match an entry kept
  under its earlier life).
- **The entry is keyed by everything the body depends on besides the tables**: the caller (user id), the absolute
  URL (scheme, host, path, query), the negotiated media type and the language.

What it does not see: writes to the database by anything that is not this Django project (psql by hand, another
program). After such a change, ``python manage.py readcache_clear`` (or any write through the platform to the same
table) makes the entries go. Entries also expire after ``READ_CACHE_SECONDS`` whatever happens.

Conditional GET: every cached response carries a weak ETag (the key plus the table versions it was rendered
from); ``If-None-Match`` with it answers 304 with no body after one cache read, which is what a maker's poller
costs when nothing changed. Weak, because fields that only count down with the clock (an offer's
``seconds_left``) are recomputed on every answer and may differ while the data is the same.
"""

import hashlib
import logging
import re
import secrets
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.translation import get_language
from rest_framework.response import Response

logger = logging.getLogger(__name__)

VERSION_PREFIX = "readcache:v:"
ENTRY_PREFIX = "readcache:e:"
# Leading keyword of a statement that changes a table, and the table it names (Django quotes table names on
# PostgreSQL and SQLite alike).
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([\w]+)"?', re.IGNORECASE)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\s+(?:TABLE\s+)?(.*)", re.IGNORECASE | re.DOTALL)
_QUOTED_NAME = re.compile(r'"([\w]+)"')
_READ_TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"([\w]+)"', re.IGNORECASE)


def is_enabled() -> bool:
    return settings.READ_CACHE_SECONDS > 0


# Writes -----------------------------------------------------------------------------------------------------


def written_tables(sql: str) -> list[str]:
    """The tables a statement writes to ([] for reads and anything else)."""
    match = _WRITE.match(sql)
    if match:
        return [match.group(1)]
    match = _TRUNCATE.match(sql)
    if match:
        return _QUOTED_NAME.findall(match.group(1).split(";")[0])
    return []


class _Bump:
    """An on-commit callback that bumps one table's version (kept once per table and savepoint)."""

    __slots__ = ("table",)

    def __init__(self, table: str):
        self.table = table

    def __call__(self):
        bump_tables([self.table])


def track_writes(execute, sql, params, many, context):
    """Execute wrapper: note the tables a statement writes, to bump their versions once the data is committed."""
    result = execute(sql, params, many, context)
    if not isinstance(sql, str):
        return result
    tables = written_tables(sql)
    if not tables:
        return result
    # At once, and again after the commit: the first makes reads inside the same transaction (and tests, which
    # never commit) see the change; the second makes sure no read kept between the two survives the commit.
    bump_tables(tables)
    db = context["connection"]
    if not db.in_atomic_block:
        return result
    savepoints = tuple(db.savepoint_ids)
    pending = {(entry[1].table, tuple(entry[0])) for entry in db.run_on_commit if isinstance(entry[1], _Bump)}
    for table in tables:
        if (table, savepoints) not in pending:
            transaction.on_commit(_Bump(table), using=db.alias)
    return result


def install(sender=None, connection=None, **kwargs):
    """``connection_created`` receiver: every new database connection reports its writes."""
    target = connection
    if target is not None and track_writes not in target.execute_wrappers:
        target.execute_wrappers.append(track_writes)


def bump_tables(tables) -> None:
    """Make every kept read of these tables out of date: each gets a new random version (a fresh value rather
    than an increment, so two processes bumping at once can never land on the same value, even on a cache
    without atomic increments). A failing cache is logged, never raised into a write that already happened."""
    try:
        cache.set_many({VERSION_PREFIX + table: _new_version() for table in set(tables)}, timeout=None)
    except Exception:  # noqa: BLE001 - the write is done; the cache's failure must not undo the answer
        logger.exception("read cache: could not bump the versions of %s", sorted(set(tables)))


def _new_version() -> str:
    return secrets.token_hex(8)


def table_versions(tables, *, found: dict | None = None) -> dict[str, int]:
    """The current version of each table (created from the clock where missing). ``found``: what a ``get_many``
    that asked for these tables' version keys already gave (then only missing versions cost a round trip)."""
    tables = sorted(set(tables))
    keys = [VERSION_PREFIX + table for table in tables]
    found = cache.get_many(keys) if found is None else {key: found[key] for key in keys if key in found}
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _new_version(), timeout=None)
        found.update(cache.get_many(missing))
    return {table: found.get(VERSION_PREFIX + table) for table in tables}


def clear() -> int:
    """Make every kept read out of date (after the database was changed outside the platform): every table's
    version goes up. Returns the number of tables."""
    tables = connection.introspection.table_names()
    bump_tables(tables)
    return len(tables)


# Reads ------------------------------------------------------------------------------------------------------

# Per endpoint (view class), the tables its renders read, learnt as it runs (per process).
_known_tables: dict[str, set[str]] = {}
_known_lock = threading.Lock()


class _ReadCapture:
    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        if isinstance(sql, str):
            self.tables.update(_READ_TABLES.findall(sql))
        return execute(sql, params, many, context)


def known_tables(endpoint: str) -> set[str]:
    with _known_lock:
        return set(_known_tables.get(endpoint, ()))


def learn_tables(endpoint: str, tables: set[str]) -> None:
    with _known_lock:
        _known_tables.setdefault(endpoint, set()).update(tables)


def capture_reads():
    """A context manager collecting the tables the enclosed code reads (``.tables``)."""
    capture = _ReadCapture()

    class _Context:
        def __enter__(self_inner):
            self_inner.wrapper = connection.execute_wrapper(capture)
            self_inner.wrapper.__enter__()
            return capture

        def __exit__(self_inner, *exc):
            return self_inner.wrapper.__exit__(*exc)

    return _Context()


def entry_key(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return ENTRY_PREFIX + digest


def etag_for(key: str, versions: dict[str, int]) -> str:
    stamp = ",".join(f"{table}={versions[table]}" for table in sorted(versions))
    return 'W/"' + hashlib.sha256(f"{key}|{stamp}".encode()).hexdigest()[:32] + '"'


def entry_get(key: str) -> dict | None:
    """The kept entry for ``key`` if every table it read still has the version it was rendered at."""
    return entry_and_versions(key, ())[0]


def entry_and_versions(key: str, tables) -> tuple[dict | None, dict[str, int]]:
    """In one round trip to the cache (when the entry read no table outside ``tables``): the kept entry for
    ``key`` if every table it read still has the version it was rendered at, and the current versions of
    ``tables`` (the snapshot a new render is kept under)."""
    tables = set(tables)
    found = cache.get_many([key, *(VERSION_PREFIX + table for table in tables)])
    entry = found.pop(key, None)
    versions = table_versions(tables, found=found) if tables else {}
    if entry:
        kept = entry["versions"]
        current = {table: versions[table] for table in kept} if set(kept) <= tables else table_versions(kept)
        if current != kept:
            entry = None
    return entry or None, versions


def entry_put(key: str, entry: dict) -> None:
    cache.set(key, entry, timeout=settings.READ_CACHE_SECONDS)


def if_none_match(header: str, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, as RFC 9110 says for GET)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


# The view side ----------------------------------------------------------------------------------------------

VARY = "Accept, Accept-Language, Authorization, Cookie"


class CachedReadMixin:
    """For a DRF ``GET`` view whose body depends only on the caller, the URL and database rows: answers from the
    read cache while no table it read has been written, with a weak ETag and 304 for ``If-None-Match``.

    ``read_cache_per_user = False`` for bodies that are the same for everyone (materials, templates).
    ``refresh_cached_data(data)`` recomputes fields that move with the clock on every answer (the entry then keeps
    the data, not the bytes)."""

    read_cache_per_user = True

    def refresh_cached_data(self, data):
        return data

    def _refreshes(self) -> bool:
        return type(self).refresh_cached_data is not CachedReadMixin.refresh_cached_data

    def get(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        if not is_enabled() or getattr(renderer, "format", "") != "json":
            return super().get(request, *args, **kwargs)
        endpoint = f"{type(self).__module__}.{type(self).__qualname__}"
        caller = str(request.user.pk) if self.read_cache_per_user else "*"
        key = entry_key(endpoint, caller, request.build_absolute_uri(), request.accepted_media_type, get_language())
        condition = request.headers.get("If-None-Match", "")
        tables = known_tables(endpoint)
        entry, versions = entry_and_versions(key, tables)
        if entry is not None:
            if if_none_match(condition, entry["etag"]):
                return self._not_modified(entry["etag"])
            return self._answer(entry)
        with capture_reads() as capture:
            response = super().get(request, *args, **kwargs)
        learn_tables(endpoint, capture.tables)
        if response.status_code != 200 or not isinstance(response, Response):
            return response
        etag = etag_for(key, versions)
        entry = {"versions": versions, "etag": etag}
        if self._refreshes():
            entry["data"] = response.data
        else:
            content_type = renderer.media_type + (f"; charset={renderer.charset}" if renderer.charset else "")
            entry["body"] = renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            entry["content_type"] = content_type
        if capture.tables and capture.tables <= tables:
            entry_put(key, entry)
        if if_none_match(condition, etag):
            return self._not_modified(etag)
        return self._answer(entry)

    def _answer(self, entry):
        if "body" in entry:
            response = HttpResponse(entry["body"], content_type=entry["content_type"])
        else:
            response = Response(self.refresh_cached_data(entry["data"]))
        self._headers(response, entry["etag"])
        return response

    def _not_modified(self, etag):
        response = HttpResponseNotModified()
        self._headers(response, etag)
        return response

    @staticmethod
    def _headers(response, etag):
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = VARY
