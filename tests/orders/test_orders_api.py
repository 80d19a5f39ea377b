from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Payment
from core.models import Notification
from orders.models import IdempotencyKey, Order, OrderEvent, OrderStatus
from orders.services.dispatch import order_dispatch
from orders.services.status import order_set_status
from tests.conftest import client_for
from tests.factories import ReadyVersionFactory
from tests.money import BERLIN_ADDRESS, pay

TO_BERLIN = {"shipping_address": BERLIN_ADDRESS}

pytestmark = pytest.mark.django_db

BERLIN = {"lat": 52.52, "lon": 13.405}


def place(user, version, *, key=None, quantity=2, material="pla", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {
        "items": [{"design_version": version.pk, "material": material, "quantity": quantity}],
        "shipping_address": BERLIN_ADDRESS,
        "ship_to": BERLIN,
        **extra,
    }
    return client_for(user).post("/api/orders/", body, format="json", **headers)


def test_placing_freezes_prices_and_starts_the_timeline(customer, version, makers):
    response = place(customer, version, quantity=2)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "placed"
    [item] = body["items"]
    assert item["quantity"] == 2 and item["material"] == "pla"
    # The items' price, plus shipping, plus German VAT (a consumer in Berlin): each a line, net, VAT and gross.
    assert Decimal(item["total_price"]) == Decimal(body["items_net"])
    assert Decimal(body["shipping_net"]) == settings.SHIPPING_FEE
    assert body["vat"]["rate"] == "19.00" and body["vat"]["country"] == "DE" and not body["vat"]["reverse_charge"]
    net = Decimal(body["items_net"]) + Decimal(body["shipping_net"])
    assert Decimal(body["vat_total"]) == (net * Decimal("0.19")).quantize(Decimal("0.01"))
    assert Decimal(body["total"]) == net + Decimal(body["vat_total"])
    assert [line["kind"] for line in body["lines"]] == ["item", "shipping"]
    assert sum(Decimal(line["gross"]) for line in body["lines"]) == Decimal(body["total"])
    assert body["shipping_address"]["postcode"] == "10115" and body["shipping_address"]["country"] == "DE"
    assert body["payment"] is None
    assert item["price_breakdown"]["lines"]
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in body["events"]] == [("", "placed", "carol")]
    assert body["allowed_next"] == ["awaiting_payment", "cancelled"]


def test_idempotency_key_replays_the_first_answer(customer, version, makers):
    first = place(customer, version, key="order-1")
    again = place(customer, version, key="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_idempotency_key_with_another_body_is_422_and_changes_nothing(customer, version, makers):
    place(customer, version, key="order-1", quantity=2)
    response = place(customer, version, key="order-1", quantity=3)
    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert Order.objects.count() == 1


def test_idempotency_keys_are_per_user(customer, other_customer, version, makers):
    other_version = ReadyVersionFactory(design__owner=other_customer)
    assert place(customer, version, key="same").status_code == 201
    assert place(other_customer, other_version, key="same").status_code == 201
    assert Order.objects.count() == 2


def test_idempotency_keys_expire(customer, version, makers):
    place(customer, version, key="old")
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = place(customer, version, key="old")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Order.objects.count() == 2


def test_a_refused_request_is_replayed_as_refused(customer, version, makers):
    first = place(customer, version, key="bad", material="unobtainium")
    again = place(customer, version, key="bad", material="unobtainium")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert Order.objects.count() == 0


def test_confirm_then_dispatch_offers_the_nearest_maker(customer, version, makers):
    order_id = place(customer, version).json()["id"]
    response = client_for(customer).post(f"/api/orders/{order_id}/confirm/")
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_payment"
    assert response.json()["payment"]["checkout_url"].startswith("http")
    order_dispatch(order_id=order_id)  # nothing goes out before the payment
    assert not Order.objects.get(pk=order_id).jobs.exists()
    pay(order_id)
    order_dispatch(order_id=order_id)
    body = client_for(customer).get(f"/api/orders/{order_id}/").json()
    assert body["status"] == "routing"
    [job] = body["jobs"]
    assert job["status"] == "offered"
    assert job["maker"]["city"] == "Berlin"
    assert [e["to_status"] for e in body["events"]] == ["placed", "awaiting_payment", "confirmed", "routing"]


def test_forbidden_transition_is_409_naming_the_allowed_and_changes_nothing(customer, version, makers):
    order_id = place(customer, version).json()["id"]
    events_before = OrderEvent.objects.filter(order_id=order_id).count()
    response = client_for(customer).post(f"/api/orders/{order_id}/delivered/")
    assert response.status_code == 409
    body = response.json()
    assert body["current"] == "placed"
    assert body["requested"] == "delivered"
    assert body["allowed"] == ["awaiting_payment", "cancelled"]
    assert "Allowed next: awaiting_payment, cancelled" in body["detail"]
    assert Order.objects.get(pk=order_id).status == "placed"
    assert OrderEvent.objects.filter(order_id=order_id).count() == events_before


def test_cancel_until_production_then_not(customer, version, makers):
    client = client_for(customer)
    cancellable = place(customer, version).json()["id"]
    assert client.post(f"/api/orders/{cancellable}/cancel/", {"reason": "changed my mind"}).json()["status"] == (
        "cancelled"
    )
    in_production = place(customer, version).json()["id"]
    client.post(f"/api/orders/{in_production}/confirm/")
    pay(in_production)
    order_dispatch(order_id=in_production)
    job_id = Order.objects.get(pk=in_production).jobs.get().pk
    maker = Order.objects.get(pk=in_production).jobs.get().maker.members.get()
    assert client_for(maker).post(f"/api/maker/jobs/{job_id}/accept/").status_code == 200
    response = client.post(f"/api/orders/{in_production}/cancel/")
    assert response.status_code == 409
    assert Order.objects.get(pk=in_production).status == "in_production"


def test_cancelling_withdraws_open_offers(customer, version, makers):
    order_id = place(customer, version).json()["id"]
    client_for(customer).post(f"/api/orders/{order_id}/confirm/")
    pay(order_id)
    order_dispatch(order_id=order_id)
    client_for(customer).post(f"/api/orders/{order_id}/cancel/")
    job = Order.objects.get(pk=order_id).jobs.get()
    assert job.status == "cancelled"
    assert job.batch.status == "cancelled"


def test_customers_see_only_their_own_orders(customer, other_customer, version, makers, staff, maker_user):
    order_id = place(customer, version).json()["id"]
    assert client_for(other_customer).get(f"/api/orders/{order_id}/").status_code == 404
    assert client_for(other_customer).get("/api/orders/").json()["count"] == 0
    assert client_for(other_customer).post(f"/api/orders/{order_id}/cancel/").status_code == 404
    assert client_for(maker_user).get(f"/api/orders/{order_id}/").status_code == 403
    assert client_for(staff).get(f"/api/orders/{order_id}/").status_code == 200
    assert Order.objects.get(pk=order_id).status == "placed"


def test_staff_filter_and_page_through_orders(customer, version, makers, staff, materials):
    for _ in range(3):
        place(customer, version)
    petg_id = place(customer, version, material="petg").json()["id"]
    order_set_status(order_id=petg_id, to=OrderStatus.CANCELLED, reason="test")
    client = client_for(staff)
    assert client.get("/api/orders/").json()["count"] == 4
    assert [o["id"] for o in client.get("/api/orders/?status=cancelled").json()["results"]] == [petg_id]
    assert client.get("/api/orders/?material=petg").json()["count"] == 1
    assert client.get("/api/orders/?customer=carol&status=placed").json()["count"] == 3
    page = client.get("/api/orders/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.get("/api/orders/", {"created_after": tomorrow}).json()["count"] == 0


def test_query_counts_do_not_grow_with_items_and_events(customer, materials, makers, settings):
    settings.READ_CACHE_SECONDS = 0  # every request renders

    def detail_and_list_queries():
        client = client_for(customer)
        with CaptureQueriesContext(connection) as detail:
            client.get(f"/api/orders/{order_id}/")
        with CaptureQueriesContext(connection) as listing:
            client.get("/api/orders/")
        # a read's PREPARE is sent once per database session and shape (core/prepared.py), not per request
        return tuple(
            sum(1 for query in queries if not query["sql"].startswith("PREPARE ")) for queries in (detail, listing)
        )

    versions = [ReadyVersionFactory(design__owner=customer) for _ in range(6)]
    body = {
        "items": [{"design_version": v.pk, "material": "pla", "quantity": 1} for v in versions[:1]],
        "shipping_address": BERLIN_ADDRESS,
    }
    order_id = client_for(customer).post("/api/orders/", body, format="json").json()["id"]
    small = detail_and_list_queries()
    body["items"] = [{"design_version": v.pk, "material": "pla", "quantity": 1} for v in versions]
    for _ in range(4):
        client_for(customer).post("/api/orders/", body, format="json")
    order_id = Order.objects.order_by("-id").first().pk
    for status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.CANCELLED):
        order_set_status(order_id=order_id, to=status, reason="grow the timeline")
    large = detail_and_list_queries()
    assert large == small


def test_each_customer_visible_change_notifies_once(customer, version, makers):
    order_id = place(customer, version).json()["id"]
    client_for(customer).post(f"/api/orders/{order_id}/confirm/")
    client_for(customer).post(f"/api/orders/{order_id}/confirm/")  # a retry changes nothing
    assert Payment.objects.filter(order_id=order_id).count() == 1  # nor opens a second checkout
    pay(order_id)
    kinds = list(Notification.objects.filter(user=customer).order_by("id").values_list("kind", flat=True))
    assert kinds == ["order.awaiting_payment", "order.confirmed"]


def test_reorder_a_delivered_item_as_spare_parts(customer, version, makers):
    order_id = place(customer, version, quantity=2).json()["id"]
    order = Order.objects.get(pk=order_id)
    for status in (
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.CONFIRMED,
        OrderStatus.ROUTING,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ):
        order_set_status(order_id=order_id, to=status, reason="walk the lifecycle")
    item = order.items.get()
    response = client_for(customer).post("/api/orders/reorder/", {"items": [item.pk], "quantity": 5}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "placed"
    [new_item] = body["items"]
    assert new_item["design_version"] == version.pk
    assert new_item["reorder_of"] == item.pk
    assert new_item["quantity"] == 5


def test_only_delivered_items_can_be_reordered(customer, version, makers, other_customer):
    order_id = place(customer, version).json()["id"]
    item = Order.objects.get(pk=order_id).items.get()
    response = client_for(customer).post("/api/orders/reorder/", {"items": [item.pk]}, format="json")
    assert response.status_code == 400
    response = client_for(other_customer).post("/api/orders/reorder/", {"items": [item.pk]}, format="json")
    assert response.status_code == 400
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"items": [], "shipping_address": BERLIN_ADDRESS}, "items"),
        (
            {
                "items": [{"design_version": 999999, "material": "pla", "quantity": 1}],
                "shipping_address": BERLIN_ADDRESS,
            },
            "not found",
        ),
        ({"items": [{"material": "pla", "quantity": 1}], "shipping_address": BERLIN_ADDRESS}, "design_version"),
        ({"shipping_address": BERLIN_ADDRESS}, "items"),
        ("not json at all", ""),
    ],
)
def test_bad_orders_are_400(customer, version, makers, body, fragment):
    response = client_for(customer).post("/api/orders/", body, format="json")
    assert response.status_code == 400, response.content
    assert fragment in response.json()["detail"]
    assert Order.objects.count() == 0
