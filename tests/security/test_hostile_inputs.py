"""Inputs schemathesis found that used to crash a handler (500); each must be a 4xx with a readable message.

Numbers far outside any id or parameter range are the theme: SQLite cannot bind an integer above 2**63 - 1
(PostgreSQL answers such a lookup with no rows), and a float near the double limit turns into infinity as
soon as it is divided.
"""

import pytest

pytestmark = pytest.mark.django_db

BEYOND_ANY_ID = 10**25
NEAR_DOUBLE_LIMIT = 1e308


def answered_without_crash(client, method, url, body=None):
    client.raise_request_exception = False
    response = getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)
    return response


def test_reorder_with_an_id_beyond_any_row_is_refused(world):
    # when a customer re-orders an item id no database can hold
    response = answered_without_crash(
        world.api_clients["owner"], "post", "/api/orders/reorder/", {"items": [BEYOND_ANY_ID]}
    )
    # then it is a 400 naming the problem, not a 500
    assert response.status_code == 400, response.content[:300]
    assert response.json()["detail"]


def test_filtering_orders_by_a_maker_id_beyond_any_row_is_not_a_crash(world):
    # when staff filter orders by a maker id no database can hold
    response = answered_without_crash(world.api_clients["staff"], "get", f"/api/orders/?maker={BEYOND_ANY_ID}")
    # then the answer is an empty page or a 400, not a 500
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 200:
        assert response.json()["count"] == 0


@pytest.mark.parametrize("endpoint", ["designs", "preview"])
def test_a_template_parameter_near_the_float_limit_is_refused(world, endpoint):
    # when a customer asks for a ring of size 1e308
    response = answered_without_crash(
        world.api_clients["owner"],
        "post",
        f"/api/templates/ring/{endpoint}/",
        {"parameters": {"size": NEAR_DOUBLE_LIMIT}},
    )
    # then it is refused like any out-of-range size, naming the parameter
    assert response.status_code == 400, response.content[:300]
    assert response.json()["parameter"] == "size"


def test_the_template_page_refuses_a_parameter_near_the_float_limit(world):
    client = world.web_clients["owner"]
    client.raise_request_exception = False
    # when the customizer form is posted with size 1e308
    response = client.post("/templates/ring/", {"size": "1e308"})
    # then the form is shown again with the error (400), not a 500
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize(
    "moment",
    [
        "2020-01-01T00:00:00%2B23:59",  # an offset Python accepts and PostgreSQL does not (beyond 15:59)
        "0001-01-01T00:00:00%2B01:00",  # in UTC, a moment before year 1
        "9999-12-31T23:59:59-01:00",  # in UTC, a moment after year 9999
    ],
)
def test_filtering_orders_by_a_date_at_the_edge_of_the_calendar_is_not_a_crash(world, moment):
    # when a customer filters their orders by an odd but well-formed ISO date
    response = answered_without_crash(world.api_clients["owner"], "get", f"/api/orders/?created_after={moment}")
    # then the answer is a page or a 400, never a 500
    assert response.status_code in (200, 400), response.content[:300]


@pytest.mark.parametrize("thread", ["job", "version"])
def test_a_web_message_with_a_nul_character_is_refused(world, thread):
    from codesign.models import Message

    client = world.web_clients["owner"]
    client.raise_request_exception = False
    url = (
        f"/jobs/{world.ids['job']}/messages/"
        if thread == "job"
        else f"/designs/{world.ids['design']}/versions/{world.ids['version_number']}/messages/"
    )
    # when the conversation form is posted with a NUL character (PostgreSQL text cannot hold one)
    response = client.post(url, {"body": "hello\x00world"})
    # then the page answers (a redirect with the error shown), and nothing with a NUL was stored
    assert response.status_code == 302, response.content[:300]
    assert not any("\x00" in body for body in Message.objects.values_list("body", flat=True))


def test_the_template_page_refuses_a_nul_character_in_the_name(world):
    from designs.models import Design

    client = world.web_clients["owner"]
    client.raise_request_exception = False
    # when the customizer form names the design with a NUL character
    response = client.post("/templates/ring/", {"name": "ring\x00"})
    # then the page answers, and no design carries a NUL
    assert response.status_code in (302, 400), response.content[:300]
    assert not any("\x00" in name for name in Design.objects.values_list("name", flat=True))
