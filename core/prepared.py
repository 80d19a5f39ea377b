"""Reads compiled to SQL once and run again with new values: for the hot read endpoints.

Building a ``values()`` queryset and compiling it (resolving each ``a__b__c`` lookup to its joins, then writing the
SQL) costs 1-6 ms of Python per query, several times what PostgreSQL takes to answer it. An order's page reads seven
kinds of rows, so its first render was mostly Django writing SQL it had written before, and PostgreSQL planning it
again (1.4 ms for a job's six-table read). A ``PreparedRead`` builds its queryset once per database connection with
stand-in values, keeps the compiled SQL and the compiler (for the backend's converters: datetimes, decimals and
JSON come back exactly as ``values()`` gives them), and afterwards only swaps the values in and executes. On
PostgreSQL the statement is also prepared in the database session (``PREPARE``, then ``EXECUTE`` with the values),
so it is parsed and planned once per session too; a prepared statement outlives a rolled-back transaction, and
each session (a new connection after ``CONN_MAX_AGE``) prepares its own. ``DATABASE_PREPARE_READS=0`` keeps the
compiled SQL but sends it whole each time (behind a connection pooler in transaction mode).

    ITEMS = PreparedRead(lambda order: OrderItem.objects.filter(order_id=order).values("id", "quantity"))
    ITEMS(order=42)  # [{"id": 7, "quantity": 2}, ...]

The keyword values are integers (ids), or lists of integers (``field__in``): a list's length is part of the shape,
so a page of 25 ids compiles once per connection for that length. The reads go through the connection's cursor
like any other, so ``CaptureQueriesContext`` counts them, and the read cache sees their tables (an ``EXECUTE``
names them in a comment, as its ``SELECT`` would).
"""

import contextlib
import itertools
import re
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# Stand-ins that never occur as real values, just under the largest 64-bit id; one per value of a shape.
_STAND_IN_BASE = 2**63 - 10**9
_prepare_lock = threading.Lock()
_statement_numbers = itertools.count(1)
# The largest id a database column holds: larger ones can match nothing (and SQLite cannot even bind them).
MAX_ID = 2**63 - 1
_PLACEHOLDER = re.compile(r"%%|%s")
_TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"\w+"', re.IGNORECASE)


class PreparedRead:
    def __init__(self, build):
        self.build = build

    def __call__(self, **values) -> list[dict]:
        return read_together((self, values))[0]

    def _for(self, connection, values: dict):
        """The prepared statement for these values' shape on this connection, and the values in its order (None
        when a value can match no row)."""
        flat = [number for _name, value in sorted(values.items()) for number in (value if _is_list(value) else [value])]
        if any(not 0 <= number <= MAX_ID for number in flat):
            return None, None
        shape = tuple((name, len(value) if _is_list(value) else None) for name, value in sorted(values.items()))
        prepared = connection.__dict__.setdefault("_prepared_reads", {}).get((id(self), shape))
        if prepared is None:
            prepared = self._prepare(connection, shape)
        return prepared, flat

    def _prepare(self, connection, shape):
        counter = itertools.count()
        stand_ins = {}
        arguments = {}
        for name, length in shape:
            if length is None:
                arguments[name] = _stand_in(counter, stand_ins)
            else:
                arguments[name] = [_stand_in(counter, stand_ins) for _ in range(length)]
        query = self.build(**arguments).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [(position, stand_ins[value]) for position, value in enumerate(params) if value in stand_ins]
        if sorted(index for _position, index in slots) != sorted(stand_ins.values()):
            raise ValueError(f"{self.build}: each value must appear once as a parameter of the SQL: {sql}")
        names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        prepared = _Prepared(compiler, sql, tuple(params), slots, names)
        if connection.vendor == "postgresql" and settings.DATABASE_PREPARE_READS:
            connection.ensure_connection()
            prepared.for_session(connection, stand_ins, next(_statement_numbers))
        with _prepare_lock:
            connection.__dict__.setdefault("_prepared_reads", {})[(id(self), shape)] = prepared
        return prepared


def read_together(*calls: tuple[PreparedRead, dict]) -> list[list[dict]]:
    """The rows of several prepared reads (``(read, values)`` each), in their order. On PostgreSQL they are sent
    together in one pipeline (one wait for the database instead of one per read); elsewhere one after another."""
    connection = connections[DEFAULT_DB_ALIAS]
    planned = [read._for(connection, values) for read, values in calls]
    results = [[] for _ in calls]
    sending = [(index, prepared, flat) for index, (prepared, flat) in enumerate(planned) if prepared is not None]
    if not sending:
        return results
    with connection.cursor() as first:
        for _index, prepared, _flat in sending:
            if prepared.statement is not None:
                _prepare_in_session(connection, first, prepared)
        cursors = [first] + [connection.cursor() for _ in sending[1:]]
        try:
            pipelined = len(sending) > 1 and all(prepared.statement for _i, prepared, _f in sending)
            with connection.connection.pipeline() if pipelined else contextlib.nullcontext():
                for cursor, (_index, prepared, flat) in zip(cursors, sending, strict=True):
                    if prepared.statement is not None:
                        cursor.execute(prepared.execute_sql, flat)
                    else:
                        params = list(prepared.params)
                        for position, value_index in prepared.slots:
                            params[position] = flat[value_index]
                        cursor.execute(prepared.sql, params)
                    if not pipelined:
                        results[_index] = cursor.fetchall()
            if pipelined:
                for cursor, (index, _prepared, _flat) in zip(cursors, sending, strict=True):
                    results[index] = cursor.fetchall()
        finally:
            for cursor in cursors[1:]:
                cursor.close()
    for index, prepared, _flat in sending:
        rows = results[index]
        if rows:
            names = prepared.names
            indexes = range(len(names))
            results[index] = [
                {names[i]: row[i] for i in indexes} for row in prepared.compiler.results_iter(results=[rows])
            ]
    return results


class _Prepared:
    __slots__ = ("compiler", "sql", "params", "slots", "names", "statement", "prepare_sql", "execute_sql")

    def __init__(self, compiler, sql, params, slots, names):
        self.compiler, self.sql, self.params, self.slots, self.names = compiler, sql, params, slots, names
        self.statement = self.prepare_sql = self.execute_sql = None

    def for_session(self, connection, stand_ins: dict, number: int) -> None:
        """The PostgreSQL statement: the values become ``$1..$n`` (bigint), every other parameter a literal."""
        positions = iter(range(len(self.params)))

        def placeholder(match):
            if match.group() == "%%":
                return "%"
            value = self.params[next(positions)]
            if value in stand_ins:
                return f"${stand_ins[value] + 1}"
            return connection.ops.compose_sql("%s", [value])

        body = _PLACEHOLDER.sub(placeholder, self.sql)
        count = len(stand_ins)
        self.statement = f"makernet_read_{number}"
        types = ", ".join(["bigint"] * count)
        self.prepare_sql = f"PREPARE {self.statement} ({types}) AS {body}"
        tables = " ".join(dict.fromkeys(_TABLES.findall(self.sql)))
        arguments = ", ".join(["%s"] * count)
        self.execute_sql = f"/* {tables} */ EXECUTE {self.statement} ({arguments})"


def _prepare_in_session(connection, cursor, prepared: _Prepared) -> None:
    """``PREPARE`` the statement once in this database session (kept on the driver's connection object, so a new
    session prepares again)."""
    session = connection.connection
    done = getattr(session, "_makernet_prepared", None)
    if done is None:
        done = session._makernet_prepared = set()
    if prepared.statement not in done:
        cursor.execute(prepared.prepare_sql)
        done.add(prepared.statement)


def _stand_in(counter, stand_ins: dict) -> int:
    index = next(counter)
    value = _STAND_IN_BASE + index
    stand_ins[value] = index
    return value


def _is_list(value) -> bool:
    return isinstance(value, list | tuple)
