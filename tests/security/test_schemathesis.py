"""schemathesis over /api/schema/: no request a client can send produces a 5xx, and answers match the schema.

The schema is read from the app itself (a WSGI application built inside the test process, so it runs with
the test settings and sees the test's database transaction). Each persona gets its own run with its token:
the customer who owns the world's objects, maker A who holds its job, and staff. Every operation is fuzzed
with schema-valid data (random ids, and the world's real ids so handlers get past the 404), and with
schema-violating data. All failures are gathered and reported together, each with the request as a curl
command and the server's traceback, instead of stopping (and shrinking) at the first.
"""

import logging
import re

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from designs.parametric import TEMPLATES
from tests.factories import api_key_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Per operation and persona: enough to reach every handler's branches on typed fields, small enough that
# the three personas x ~55 operations stay within a few minutes on two cores.
MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# An operation path -> the world's objects its parameters name ({name: World.ids key}).
WORLD_PARAMETERS = [
    (r"^/api/designs/\{id\}/versions/\{number\}/", {"id": "design", "number": "version_number"}),
    (r"^/api/designs/\{id\}/", {"id": "design"}),
    (r"^/api/orders/\{id\}/", {"id": "order"}),
    (r"^/api/(maker/)?jobs/\{id\}/", {"id": "job"}),
    (r"^/api/batches/\{id\}/", {"id": "batch"}),
    (r"^/api/maker/printers/\{id\}/", {"id": "printer"}),
    (r"^/api/proposals/\{id\}/", {"id": "proposal"}),
]


@pytest.fixture
def in_process_wsgi():
    """The app as a WSGI callable whose requests stay inside the test's transaction.

    Django's request signals close "old" database connections, which inside a test transaction would close
    the test's own connection; Django's test client unhooks them for the same reason.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(monkeypatch):
    # Rate limits have their own tests; here they would turn most upload, quote and register examples
    # into 429s after the first few and hide the handlers behind them.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


class ServerTracebacks(logging.Handler):
    """Keeps the traceback of each 500 Django logs, to report next to the request that caused it."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.last = ""

    def emit(self, record):
        if record.exc_info:
            self.last = "".join(logging.Formatter().formatException(record.exc_info).splitlines(True)[-8:])


@pytest.fixture
def server_tracebacks():
    handler = ServerTracebacks()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def world_parameters(path: str, world) -> dict | None:
    for pattern, names in WORLD_PARAMETERS:
        if re.match(pattern, path):
            return {name: world.ids[key] for name, key in names.items()}
    return None


def operation_strategy(operation, *, world, headers):
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, headers=headers),
        operation.as_strategy(GenerationMode.NEGATIVE, headers=headers),
    ]
    known = world_parameters(operation.path, world)
    if known:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, headers=headers, path_parameters=known))
    if "{slug}" in operation.path:
        for slug in sorted(TEMPLATES):
            strategies.append(
                operation.as_strategy(GenerationMode.POSITIVE, headers=headers, path_parameters={"slug": slug})
            )
    return st.one_of(strategies)


def fuzz_operation(operation, *, world, headers, tracebacks) -> tuple[int, list[str]]:
    """Run one operation's examples; the number of requests sent and the failures found."""
    sent, failures = [0], []
    # A 5xx the schema documents is an answer, not a crash: health says 503 when the worker is down.
    documented = {str(code) for code in operation.definition.raw.get("responses", {})}

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation_strategy(operation, world=world, headers=headers))
    def run(case):
        if failures:
            return  # one failure per operation is enough to report; the rest would be the same bug
        tracebacks.last = ""
        # On PostgreSQL a failed statement aborts the whole test transaction; roll back to a savepoint so one
        # server error does not turn every later request into another (in production each request is alone).
        savepoint = transaction.savepoint()
        response = case.call()
        if response.status_code >= 500:
            transaction.savepoint_rollback(savepoint)
        else:
            transaction.savepoint_commit(savepoint)
        sent[0] += 1
        try:
            checks = CHECKS
            if str(response.status_code) in documented:
                checks = [check for check in CHECKS if check is not not_a_server_error]
            case.validate_response(response, checks=checks)
        except (AssertionError, FailureGroup) as failure:
            failures.append(
                f"{operation.label}: {str(failure).strip()[:600]}\n  request: {case.as_curl_command()[:600]}"
                + (f"\n  server: {tracebacks.last.strip()}" if tracebacks.last else "")
            )

    run()
    return sent[0], failures


@pytest.mark.parametrize("persona", ["owner", "maker_a", "staff"])
def test_no_request_makes_a_server_error_and_answers_match_the_schema(
    world, persona, in_process_wsgi, unthrottled, server_tracebacks
):
    # given the schema the app publishes, and the persona's token
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", in_process_wsgi)
    token = getattr(world.users[persona], "api_key", None) or api_key_for(world.users[persona])
    headers = {"Authorization": f"Token {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    # when every operation is sent schema-valid and schema-violating requests
    requests, failures = 0, []
    for operation in operations:
        sent, found = fuzz_operation(operation, world=world, headers=headers, tracebacks=server_tracebacks)
        requests += sent
        failures.extend(found)
    print(f"\nschemathesis as {persona}: {len(operations)} operations, {requests} requests, {len(failures)} failures")
    # then none answered 5xx or off-schema
    assert len(operations) >= 50
    assert failures == [], "\n\n".join(failures)
