"""The order button of a quote, the orders list and the order page with its actions, proposals and threads."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import Payment
from codesign import services as codesign
from codesign.models import Message, RevisionProposal
from designs.models import DesignVersion
from orders.models import Job, Order, OrderEvent
from orders.services import jobs as job_services
from tests.factories import cube_report
from tests.web.conftest import client_as, jpeg

pytestmark = pytest.mark.django_db


ADDRESS_FORM = {
    "name": "Carol Customer",
    "line1": "Invalidenstraße 44",
    "postcode": "10115",
    "city": "Berlin",
    "country": "de",
}


def test_the_order_button_places_the_chosen_offer_and_sends_the_customer_to_pay(world):
    client = client_as(world.customer)
    before = set(Order.objects.values_list("pk", flat=True))
    offer = world.quote.result["makers"][-1]  # not the recommended one: the customer picks
    response = client.post(
        f"/quotes/{world.quote.pk}/order/",
        {"idempotency_key": "k1", "note": "gift", "offer": offer["maker"], **ADDRESS_FORM},
    )
    order = Order.objects.exclude(pk__in=before).get()
    payment = Payment.objects.get(order_id=order.pk)
    # Straight to the payment page, which is the platform's own for the test provider.
    assert response["Location"] == payment.checkout_url.removeprefix(settings.SITE_URL)
    assert (order.status, order.note, order.ship_country, order.ship_postcode) == (
        "awaiting_payment",
        "gift",
        "DE",
        "10115",
    )
    item = order.items.get()
    assert (item.quantity, item.material.code, item.design_version) == (2, "pla", world.version)
    # What the customer pays: that maker's price, plus shipping, plus German VAT.
    assert (item.total_price, order.offer_maker_id) == (Decimal(offer["price"]), offer["maker"])
    assert order.total == order.items_net + order.shipping_net + order.vat_total
    page = client.get(payment.checkout_url.removeprefix(settings.SITE_URL)).content.decode()
    assert f"Pay €{order.total}" in page

    paid = client.post(payment.checkout_url.removeprefix(settings.SITE_URL), {"action": "pay"})

    assert paid.status_code == 302
    order.refresh_from_db()
    assert order.status in ("confirmed", "routing")
    assert list(order.events.values_list("to_status", flat=True))[:3] == ["placed", "awaiting_payment", "confirmed"]
    assert paid["Location"] == f"/orders/{order.pk}/"  # back to the shop, as after a real provider's page
    assert "Paid. Thank you." in client.get(payment.checkout_url.removeprefix(settings.SITE_URL)).content.decode()
    # The address book remembers it for the next order.
    assert world.customer.addresses.filter(postcode="10115").exists()


def test_a_declined_payment_leaves_the_order_waiting_and_says_why(world):
    client = client_as(world.customer)
    client.post(f"/quotes/{world.quote.pk}/order/", {"idempotency_key": "k2", **ADDRESS_FORM})
    order = Order.objects.filter(customer=world.customer).latest("id")
    url = Payment.objects.get(order_id=order.pk).checkout_url.removeprefix(settings.SITE_URL)

    client.post(url, {"action": "decline"})

    order.refresh_from_db()
    assert order.status == "awaiting_payment" and not order.jobs.exists()
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "The payment was declined" in page and "You can try again." in page
    client.post(url, {"action": "pay"})
    order.refresh_from_db()
    assert order.status in ("confirmed", "routing")


def test_a_bad_postcode_is_refused_with_the_field_named(world):
    client = client_as(world.customer)
    response = client.post(
        f"/quotes/{world.quote.pk}/order/", {"idempotency_key": "k3", **ADDRESS_FORM, "postcode": "1234"}, follow=True
    )
    assert "not a valid postcode in Germany" in response.content.decode()
    assert Order.objects.filter(customer=world.customer).count() == 1  # only the world's


def test_a_double_click_on_the_order_button_orders_once(world):
    client = client_as(world.customer)
    first = client.post(f"/quotes/{world.quote.pk}/order/", {"idempotency_key": "same", **ADDRESS_FORM})
    second = client.post(f"/quotes/{world.quote.pk}/order/", {"idempotency_key": "same", **ADDRESS_FORM})
    assert first["Location"] == second["Location"]
    assert Order.objects.filter(customer=world.customer).count() == 2  # the world's order and this one


def test_the_order_page_shows_the_timeline_the_jobs_and_the_parts(world):
    page = client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()
    for reason in ("placed by the customer", "confirmed by the customer", "paid ("):
        assert reason in page
    assert f'data-live-url="/orders/{world.order.pk}/live/"' in page
    assert "Berlin FDM" in page
    assert '<span class="badge badge-warn" data-status="offered">Offered</span>' in page
    live = client_as(world.customer).get(f"/orders/{world.order.pk}/live/")
    assert live["Cache-Control"] == "no-store"
    assert f'data-live-state="routing-{world.order.events.count()}-1"' in live.content.decode()


def test_cancel_with_a_reason_withdraws_the_offer(world):
    response = client_as(world.customer).post(f"/orders/{world.order.pk}/cancel/", {"reason": "bought one"})
    assert response["Location"] == f"/orders/{world.order.pk}/"
    world.order.refresh_from_db()
    world.job.refresh_from_db()
    assert (world.order.status, world.job.status) == ("cancelled", "cancelled")
    assert OrderEvent.objects.filter(order=world.order).last().reason == "bought one"


def test_a_forbidden_move_shows_the_state_machines_words_and_changes_nothing(world):
    response = client_as(world.customer).post(f"/orders/{world.order.pk}/delivered/", follow=True)
    assert (
        "The order is routing and cannot become delivered. Allowed next: cancelled, in_production, on_hold."
        in response.content.decode()
    )
    world.order.refresh_from_db()
    assert world.order.status == "routing"


def test_staff_may_cancel_but_not_confirm_for_the_customer(world):
    assert client_as(world.staff).post(f"/orders/{world.order.pk}/confirm/").status_code == 404
    client_as(world.staff).post(f"/orders/{world.order.pk}/cancel/", {"reason": "fraud check"})
    world.order.refresh_from_db()
    assert world.order.status == "cancelled"


def test_the_customer_marks_a_shipped_order_delivered(world):
    job_services.job_accept(job_id=world.job.pk, actor=world.maker)
    job_services.job_report_progress(job_id=world.job.pk, actor=world.maker, status="printing")
    job_services.job_report_progress(job_id=world.job.pk, actor=world.maker, status="printed", photo=jpeg())
    job_services.job_report_progress(
        job_id=world.job.pk, actor=world.maker, status="shipped", tracking_number="TRK1", carrier="DHL"
    )
    page = client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()
    assert "I received the parts" in page
    assert '<span class="mono">TRK1</span>' in page
    client_as(world.customer).post(f"/orders/{world.order.pk}/delivered/")
    world.order.refresh_from_db()
    assert world.order.status == "delivered"
    assert "I received the parts" not in client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()


def test_orders_list_filters_by_status(world):
    client = client_as(world.customer)
    assert [o.pk for o in client.get("/orders/").context["orders"]] == [world.order.pk]
    assert list(client.get("/orders/?status=delivered").context["orders"]) == []


def proposal_of(world, thickness_mm=22.0):
    """Berlin FDM proposes an uploaded revision of the cube; its analysis is made ready here."""
    job_services.job_accept(job_id=world.job.pk, actor=world.maker)
    proposal = codesign.proposal_create(
        job_id=world.job.pk,
        actor=world.maker,
        message="Bigger is sturdier",
        uploaded_file=SimpleUploadedFile("v2.stl", b"solid x\nendsolid x\n"),
    )
    return proposal


def test_a_proposal_waiting_for_its_analysis_cannot_be_accepted_yet(world):
    proposal = proposal_of(world)
    page = client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()
    assert "The new price shows once the proposed version is checked." in page
    response = client_as(world.customer).post(f"/proposals/{proposal.pk}/accept/", follow=True)
    assert "it can be accepted once its analysis is ready." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_accepting_a_proposal_moves_the_part_to_the_new_price(world, materials):
    proposal = proposal_of(world)
    DesignVersion.objects.filter(pk=proposal.version_id).update(
        status="ready", analysis=cube_report(30.0, materials=list(materials))
    )
    item = world.order.items.get()
    page = client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()
    assert "Bigger is sturdier" in page
    assert f"Price of the part: €{item.total_price} → <strong>" in page
    client_as(world.customer).post(f"/proposals/{proposal.pk}/accept/")
    proposal.refresh_from_db()
    item.refresh_from_db()
    assert proposal.status == "accepted"
    assert item.design_version_id == proposal.version_id
    assert proposal.price_difference == item.total_price - proposal.price_before
    assert proposal.price_difference > Decimal("0")


def test_rejecting_a_proposal_keeps_the_version(world):
    proposal = proposal_of(world)
    client_as(world.customer).post(f"/proposals/{proposal.pk}/reject/", {"reason": "keep mine"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note) == ("rejected", "keep mine")
    assert world.order.items.get().design_version == world.version


def test_only_the_orders_customer_answers_a_proposal(world):
    proposal = proposal_of(world)
    for user in (world.other_customer, world.maker, world.staff):
        assert client_as(user).post(f"/proposals/{proposal.pk}/accept/").status_code == 404
    assert RevisionProposal.objects.get(pk=proposal.pk).status == "pending"


def test_the_customer_and_the_maker_talk_on_the_job(world):
    client_as(world.customer).post(
        f"/jobs/{world.job.pk}/messages/", {"body": "Any news?", "next": f"/orders/{world.order.pk}/"}
    )
    response = client_as(world.maker).post(f"/jobs/{world.job.pk}/messages/", {"body": "Printing tomorrow."})
    assert response["Location"] == f"/maker/jobs/{world.job.pk}/#conversation"
    assert list(Message.objects.filter(job=world.job).values_list("author__username", "body")) == [
        ("carol", "Any news?"),
        ("maker-berlin", "Printing tomorrow."),
    ]
    page = client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()
    assert page.index("Any news?") < page.index("Printing tomorrow.")
    assert client_as(world.other_maker).post(f"/jobs/{world.job.pk}/messages/", {"body": "x"}).status_code == 404
    assert Job.objects.get(pk=world.job.pk).messages.count() == 2
