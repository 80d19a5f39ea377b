"""Reads compiled to SQL once and run again with new values: for the hot read endpoints.

Building a ``values()`` queryset and compiling it (resolving each ``a__b__c`` lookup to its joins, then writing the
SQL) costs 1-6 ms of Python per query, several times what PostgreSQL takes to answer it. An order's page reads seven
kinds of rows, so its first render was mostly Django writing SQL it had written before. A ``PreparedRead`` builds its
queryset once per database connection with stand-in values, keeps the compiled SQL and the compiler (for the
backend's converters: datetimes, decimals and JSON come back exactly as ``values()`` gives them), and afterwards
only swaps the values in and executes.

    ITEMS = PreparedRead(lambda order: OrderItem.objects.filter(order_id=order).values("id", "quantity"))
    ITEMS(order=42)  # [{"id": 7, "quantity": 2}, ...]

The keyword values are integers (ids), or lists of integers (``field__in``): a list's length is part of the shape,
so a page of 25 ids compiles once per connection for that length. The reads go through the connection's cursor
like any other, so the read cache sees their tables and ``CaptureQueriesContext`` counts them.
"""

import itertools
import threading

from django.db import DEFAULT_DB_ALIAS, connections

# Stand-ins that never occur as real values, just under the largest 64-bit id; one per value of a shape.
_STAND_IN_BASE = 2**63 - 10**9
_prepare_lock = threading.Lock()
# The largest id a database column holds: larger ones can match nothing (and SQLite cannot even bind them).
MAX_ID = 2**63 - 1


class PreparedRead:
    def __init__(self, build):
        self.build = build

    def __call__(self, **values) -> list[dict]:
        numbers = [number for value in values.values() for number in (value if _is_list(value) else [value])]
        if any(not 0 <= number <= MAX_ID for number in numbers):
            return []
        connection = connections[DEFAULT_DB_ALIAS]
        shape = tuple((name, len(value) if _is_list(value) else None) for name, value in sorted(values.items()))
        prepared = connection.__dict__.setdefault("_prepared_reads", {}).get((id(self), shape))
        if prepared is None:
            prepared = self._prepare(connection, shape)
        compiler, sql, params, slots, names = prepared
        params = list(params)
        flat = [number for _name, value in sorted(values.items()) for number in (value if _is_list(value) else [value])]
        for position, index in slots:
            params[position] = flat[index]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        indexes = range(len(names))
        return [{names[i]: row[i] for i in indexes} for row in compiler.results_iter(results=[rows])]

    def _prepare(self, connection, shape):
        counter = itertools.count()
        stand_ins = {}
        arguments = {}
        for name, length in shape:
            if length is None:
                arguments[name] = _stand_in(counter, stand_ins)
            else:
                arguments[name] = [_stand_in(counter, stand_ins) for _ in range(length)]
        queryset = self.build(**arguments)
        query = queryset.query
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
        prepared = (compiler, sql, tuple(params), slots, names)
        with _prepare_lock:
            connection.__dict__.setdefault("_prepared_reads", {})[(id(self), shape)] = prepared
        return prepared


def _stand_in(counter, stand_ins: dict) -> int:
    index = next(counter)
    value = _STAND_IN_BASE + index
    stand_ins[value] = index
    return value


def _is_list(value) -> bool:
    return isinstance(value, list | tuple)
