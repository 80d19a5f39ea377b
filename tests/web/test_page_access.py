"""Who may open which page: the same rules as the API (someone else's object is 404, other roles 404,
anonymous visitors go to the login page)."""

import pytest

from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "owner", "other_customer", "maker", "other_maker", "staff")


def persona_user(world, persona):
    return {
        "anonymous": None,
        "owner": world.customer,
        "other_customer": world.other_customer,
        "maker": world.maker,
        "other_maker": world.other_maker,
        "staff": world.staff,
    }[persona]


# page -> expected status per persona (anonymous, owner, other customer, job's maker, other maker, staff)
PAGES = {
    "/": (200, 200, 200, 302, 302, 302),
    "/templates/": (200, 200, 200, 200, 200, 200),
    "/templates/ring/": (200, 200, 200, 200, 200, 200),
    "/templates/no-such-template/": (404, 404, 404, 404, 404, 404),
    "/notifications/": (302, 200, 200, 200, 200, 200),
    "/designs/": (302, 200, 200, 200, 200, 200),
    "/designs/upload/": (302, 200, 200, 404, 404, 404),
    "/designs/{design}/": (302, 200, 404, 200, 404, 200),
    "/quotes/{quote}/": (302, 200, 404, 404, 404, 404),
    "/orders/": (302, 200, 200, 404, 404, 200),
    "/orders/{order}/": (302, 200, 404, 404, 404, 200),
    "/orders/{order}/live/": (302, 200, 404, 404, 404, 200),
    "/maker/jobs/": (302, 404, 404, 200, 200, 404),
    "/maker/jobs/{job}/": (302, 404, 404, 200, 404, 404),
    "/dashboard/": (302, 404, 404, 404, 404, 200),
    "/dashboard/live/": (302, 404, 404, 404, 404, 200),
}


@pytest.fixture(autouse=True)
def _no_worker_ping(monkeypatch):
    # The dashboard pings workers through the broker; none runs in these tests.
    monkeypatch.setattr("web.queues.check_worker", lambda timeout: "down: no worker answered")


@pytest.mark.parametrize("path", PAGES)
def test_each_page_answers_each_persona_as_the_api_would(world, path):
    url = path.format(design=world.design.pk, quote=world.quote.pk, order=world.order.pk, job=world.job.pk)
    answers = {}
    for persona in PERSONAS:
        answers[persona] = client_as(persona_user(world, persona)).get(url).status_code
    assert answers == dict(zip(PERSONAS, PAGES[path], strict=True))


def test_anonymous_visitors_are_sent_to_log_in_and_back(world):
    response = client_as(None).get(f"/orders/{world.order.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/orders/{world.order.pk}/"


@pytest.mark.parametrize(
    ("path", "persona"),
    [
        ("/orders/{order}/confirm/", "other_customer"),
        ("/orders/{order}/cancel/", "other_customer"),
        ("/orders/{order}/delivered/", "maker"),
        ("/maker/jobs/{job}/accept/", "other_maker"),
        ("/maker/jobs/{job}/decline/", "other_maker"),
        ("/maker/jobs/{job}/accept/", "owner"),
        ("/designs/{design}/quote/", "other_customer"),
        ("/designs/{design}/versions/", "other_customer"),
        ("/quotes/{quote}/order/", "other_customer"),
    ],
)
def test_actions_on_someone_elses_objects_are_404_and_change_nothing(world, path, persona):
    url = path.format(design=world.design.pk, quote=world.quote.pk, order=world.order.pk, job=world.job.pk)
    response = client_as(persona_user(world, persona)).post(url, {"reason": "no"})
    assert response.status_code == 404
    world.order.refresh_from_db()
    world.job.refresh_from_db()
    assert (world.order.status, world.job.status) == ("routing", "offered")
    assert world.design.versions.count() == 1


def test_every_form_needs_the_csrf_token(world):
    client = client_as(world.customer)
    client.handler.enforce_csrf_checks = True
    response = client.post(f"/orders/{world.order.pk}/cancel/", {"reason": "changed my mind"})
    assert response.status_code == 403
    world.order.refresh_from_db()
    assert world.order.status == "routing"
