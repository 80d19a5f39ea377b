"""Claims: a customer reports a problem with delivered parts (photos, reason), the maker answers, staff decide a
reprint (a new job at the maker's cost), a refund (from the maker's held payout) or a rejection."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from billing import services as billing
from billing.models import Account, Invoice, LedgerEntry
from core.errors import Conflict, DomainError, NotFound
from core.models import Notification
from orders.models import Batch, Claim, ClaimEvent, Job, Order, OrderEvent
from orders.services import claims
from orders.services import jobs as job_services
from orders.services.checkout import payouts_release_due
from orders.services.dispatch import order_dispatch, order_sync
from orders.services.ordering import order_mark_delivered
from tests.conftest import client_for
from tests.orders.test_dispatch import confirmed_order, member
from tests.world import makers, materials, version  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def photo(name="broken.jpg", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def ship(job, maker_user):
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printing")
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printed", photo=photo("parts.jpg"))
    job_services.job_report_progress(
        job_id=job.pk, actor=maker_user, status="shipped", tracking_number="TRACK-1", carrier="DHL"
    )


def delivered_order(customer, version):  # noqa: F811
    """An order made by Berlin FDM, shipped and confirmed delivered: its payout is held."""
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker_user = member(job.maker)
    job_services.job_accept(job_id=job.pk, actor=maker_user)
    ship(job, maker_user)
    order_mark_delivered(order_id=order.pk, actor=customer)
    return Order.objects.get(pk=order.pk), Job.objects.get(pk=job.pk), maker_user


def balances(order_id):
    return billing.order_balances(order_id)


def assert_invariant(order_id):
    b = balances(order_id)
    assert b["charged"] == (
        b["refunded"]
        + b[Account.VAT]
        + b[Account.COMMISSION]
        + b[Account.PAYOUT_HELD]
        + b[Account.PAYOUT_RELEASED]
        + b[Account.CLEARING]
    ), b


def after_the_hold(order):
    return order.delivered_at + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)


@pytest.fixture
def delivered(customer, version, makers):  # noqa: F811
    return delivered_order(customer, version)


def test_a_customer_opens_a_claim_and_everyone_hears_of_it(delivered, customer, staff):
    order, job, maker_user = delivered
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="The hinge snapped.", photos=[photo()])
    assert claim.status == "open" and claim.job == job
    assert claim.photos.count() == 1
    with Image.open(claim.photos.get().image) as image:
        assert image.format == "JPEG"
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("from_status", "to_status")) == [("", "open")]
    note = OrderEvent.objects.filter(order=order, kind=OrderEvent.KIND_NOTE).latest("id")
    assert note.reason.startswith(f"claim {claim.pk}: the customer reported a problem")
    assert note.details == {"claim": claim.pk, "claim_status": "open"}
    assert Notification.objects.filter(user=maker_user, kind="claim.open").count() == 1
    assert Notification.objects.filter(user=staff, kind="claim.open").count() == 1
    assert Notification.objects.filter(user=customer, kind="claim.open").count() == 0
    assert Order.objects.get(pk=order.pk).status == "delivered"


def test_one_open_claim_per_job(delivered, customer):
    order, job, _ = delivered
    claims.claim_open(order_id=order.pk, customer=customer, reason="Cracked.", photos=[photo()])
    with pytest.raises(Conflict) as error:
        claims.claim_open(order_id=order.pk, customer=customer, reason="Again.", photos=[photo()], job_id=job.pk)
    assert error.value.code == "claim_already_open"
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    ("photos", "code"),
    [
        ([], "photos_required"),
        ([photo() for _ in range(7)], "too_many_photos"),
        ([SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")], "bad_photo"),
    ],
)
def test_bad_photos_are_a_400_and_change_nothing(delivered, customer, photos, code):
    order, _, _ = delivered
    with pytest.raises(DomainError) as error:
        claims.claim_open(order_id=order.pk, customer=customer, reason="Broken.", photos=photos)
    assert error.value.status_code == 400 and error.value.code == code
    assert Claim.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused(delivered, customer, settings):
    order, _, _ = delivered
    settings.JOB_PHOTO_MAX_BYTES = 100
    with pytest.raises(DomainError) as error:
        claims.claim_open(order_id=order.pk, customer=customer, reason="Broken.", photos=[photo()])
    assert error.value.code == "photo_too_large"


def test_a_reason_is_required(delivered, customer):
    order, _, _ = delivered
    with pytest.raises(DomainError) as error:
        claims.claim_open(order_id=order.pk, customer=customer, reason="  ", photos=[photo()])
    assert error.value.code == "reason_required"


def test_someone_elses_order_is_not_found(delivered, other_customer):
    order, _, _ = delivered
    with pytest.raises(NotFound):
        claims.claim_open(order_id=order.pk, customer=other_customer, reason="Mine?", photos=[photo()])
    assert Claim.objects.count() == 0


def test_a_claim_after_the_window_is_409(delivered, customer):
    order, _, _ = delivered
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=8))
    with pytest.raises(Conflict) as error:
        claims.claim_open(order_id=order.pk, customer=customer, reason="Late.", photos=[photo()])
    assert error.value.code == "claim_window_closed"


def test_a_claim_after_the_payout_was_released_is_409(delivered, customer):
    order, job, _ = delivered
    billing.payout_release(order_id=order.pk, maker_id=job.maker_id)
    with pytest.raises(Conflict) as error:
        claims.claim_open(order_id=order.pk, customer=customer, reason="Late.", photos=[photo()])
    assert error.value.code == "payout_released"
    assert Claim.objects.count() == 0


def test_a_claim_before_delivery_is_409(customer, version, makers):  # noqa: F811
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    with pytest.raises(Conflict) as error:
        claims.claim_open(order_id=order.pk, customer=customer, reason="Where?", photos=[photo()])
    assert error.value.code == "claim_not_delivered"


def test_the_maker_answers_and_other_makers_cannot(delivered, customer, makers):  # noqa: F811
    order, _, maker_user = delivered
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="Warped.", photos=[photo()])
    with pytest.raises(NotFound):
        claims.claim_answer(claim_id=claim.pk, actor=member(makers["munich"]), answer="Not me.")
    with pytest.raises(NotFound):
        claims.claim_answer(claim_id=claim.pk, actor=customer, answer="Me.")
    claim = claims.claim_answer(claim_id=claim.pk, actor=maker_user, answer="The PLA warped in transit; sorry.")
    assert claim.status == "answered" and claim.maker_answer.startswith("The PLA warped")
    assert Notification.objects.filter(user=customer, kind="claim.answered").count() == 1
    with pytest.raises(Conflict):
        claims.claim_answer(claim_id=claim.pk, actor=maker_user, answer="Again.")


def test_only_staff_decide(delivered, customer):
    order, _, maker_user = delivered
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="Warped.", photos=[photo()])
    for actor in (customer, maker_user):
        with pytest.raises(NotFound):
            claims.claim_decide(claim_id=claim.pk, actor=actor, decision="reject")
    assert Claim.objects.get(pk=claim.pk).status == "open"


def test_claim_to_reprint_end_to_end(delivered, customer, staff):
    order, job, maker_user = delivered
    ledger_before = list(LedgerEntry.objects.filter(order_id=order.pk).values_list("kind", "amount"))
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="Layer split.", photos=[photo()])
    claims.claim_answer(claim_id=claim.pk, actor=maker_user, answer="I'll print it again.")
    claim = claims.claim_decide(claim_id=claim.pk, actor=staff, decision="reprint", note="Reprint at the maker's cost.")

    # then a new job for the same parts is offered to the same maker, at price and payout 0
    reprint = claim.reprint_job
    assert claim.status == "reprint"
    assert (reprint.maker_id, reprint.status, reprint.price, reprint.payout) == (
        job.maker_id,
        "offered",
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert reprint.order_id == order.pk and reprint.quantity == job.quantity
    assert set(reprint.job_items.values_list("order_item_id", "quantity")) == set(
        job.job_items.values_list("order_item_id", "quantity")
    )
    assert Batch.objects.filter(pk=reprint.batch_id).exists()
    # the money is unchanged
    assert list(LedgerEntry.objects.filter(order_id=order.pk).values_list("kind", "amount")) == ledger_before
    assert Notification.objects.filter(user=maker_user, kind="job.offered", data__job=reprint.pk).count() == 1
    assert Notification.objects.filter(user=customer, kind="claim.reprint").count() == 1

    # the maker makes it like any job; the order stays delivered
    job_services.job_accept(job_id=reprint.pk, actor=maker_user)
    assert order_sync(order_id=order.pk) == "delivered"
    # while the reprint is being made the payout stays held, even past the hold
    later = after_the_hold(order)
    assert payouts_release_due(now=later) == 0
    ship(reprint, maker_user)
    assert Job.objects.get(pk=reprint.pk).status == "shipped"
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert payouts_release_due(now=later) == 1
    assert balances(order.pk)[Account.PAYOUT_HELD] == 0
    assert_invariant(order.pk)
    notes = list(OrderEvent.objects.filter(order=order, kind=OrderEvent.KIND_NOTE).values_list("reason", flat=True))
    assert [note.split(":")[1].strip()[:20] for note in notes if note.startswith(f"claim {claim.pk}")] == [
        "the customer reporte",
        "the maker answered",
        "reprint decided",
    ]


def test_claim_to_partial_refund_from_the_makers_payout(delivered, customer, staff):
    order, job, maker_user = delivered
    held_before = balances(order.pk)[Account.PAYOUT_HELD]
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="One part cracked.", photos=[photo()])
    claim = claims.claim_decide(claim_id=claim.pk, actor=staff, decision="refund", amount=Decimal("5.00"), note="Half")

    assert claim.status == "refunded" and claim.refund_amount == Decimal("5.00")
    b = balances(order.pk)
    assert b["refunded"] == Decimal("5.00")
    # the net part comes from that maker's held payout, the VAT part from VAT
    refund_rows = LedgerEntry.objects.filter(order_id=order.pk, kind="refund")
    assert refund_rows.get(debit=Account.PAYOUT_HELD).maker_id == job.maker_id
    assert b[Account.PAYOUT_HELD] == held_before - refund_rows.get(debit=Account.PAYOUT_HELD).amount
    assert_invariant(order.pk)
    credit_note = Invoice.objects.get(order_id=order.pk, kind="credit_note")
    assert credit_note.gross == Decimal("-5.00")
    assert Notification.objects.filter(user=maker_user, kind="claim.refunded").count() == 1
    # after the hold only the rest is released
    held_rest = b[Account.PAYOUT_HELD]
    assert payouts_release_due(now=after_the_hold(order)) == 1
    b = balances(order.pk)
    assert (b[Account.PAYOUT_HELD], b[Account.PAYOUT_RELEASED]) == (Decimal("0.00"), held_rest)
    assert_invariant(order.pk)


def test_claim_to_full_refund_takes_all_that_is_held(delivered, customer, staff):
    order, _, _ = delivered
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="All wrong.", photos=[photo(), photo()])
    claim = claims.claim_decide(claim_id=claim.pk, actor=staff, decision="refund")
    b = balances(order.pk)
    assert b[Account.PAYOUT_HELD] == Decimal("0.00")
    assert claim.refund_amount == b["refunded"] > 0
    assert_invariant(order.pk)
    assert Invoice.objects.filter(order_id=order.pk, kind="credit_note").count() == 1
    assert payouts_release_due(now=after_the_hold(order)) == 0


def test_a_refund_larger_than_what_is_held_is_409_and_leaves_the_claim_open(delivered, customer, staff):
    order, _, _ = delivered
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="Bad.", photos=[photo()])
    with pytest.raises(Conflict):
        claims.claim_decide(claim_id=claim.pk, actor=staff, decision="refund", amount=Decimal("999.00"))
    assert Claim.objects.get(pk=claim.pk).status == "open"
    assert balances(order.pk)["refunded"] == 0


def test_the_payout_waits_while_a_claim_is_open_and_is_released_after_a_rejection(delivered, customer, staff):
    order, _, _ = delivered
    held = balances(order.pk)[Account.PAYOUT_HELD]
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="Not as pictured.", photos=[photo()])
    later = after_the_hold(order)
    # when the clock passes the hold with the claim open, nothing is released
    assert payouts_release_due(now=later) == 0
    assert balances(order.pk)[Account.PAYOUT_HELD] == held
    # once staff reject the claim, the whole payout goes out
    claims.claim_decide(claim_id=claim.pk, actor=staff, decision="reject", note="It matches the design.")
    assert payouts_release_due(now=later) == 1
    b = balances(order.pk)
    assert (b[Account.PAYOUT_HELD], b[Account.PAYOUT_RELEASED]) == (Decimal("0.00"), held)
    assert_invariant(order.pk)
    with pytest.raises(Conflict):
        claims.claim_decide(claim_id=claim.pk, actor=staff, decision="refund")


def test_a_bad_decision_is_400(delivered, customer, staff):
    order, _, _ = delivered
    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="Bad.", photos=[photo()])
    with pytest.raises(DomainError) as error:
        claims.claim_decide(claim_id=claim.pk, actor=staff, decision="shrug")
    assert error.value.code == "bad_decision"
    with pytest.raises(DomainError):
        claims.claim_decide(claim_id=claim.pk, actor=staff, decision="reject", amount=Decimal("1"))


# API ------------------------------------------------------------------------------------------------------------


def test_the_api_walk_through_of_a_claim(delivered, customer, staff, makers):  # noqa: F811
    order, job, maker_user = delivered
    customer_api, maker_api, staff_api = client_for(customer), client_for(maker_user), client_for(staff)
    # when the customer reports a problem with two photos
    response = customer_api.post(
        f"/api/orders/{order.pk}/claims/",
        {"reason": "The clip broke on first use.", "photos": [photo("a.jpg"), photo("b.png")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["job"], body["decision"], body["maker"]["id"]) == ("open", job.pk, None, job.maker_id)
    assert len(body["photos"]) == 2
    assert [event["to_status"] for event in body["events"]] == ["open"]
    claim_id = body["id"]
    # then every party sees it, and its photos
    for api in (customer_api, maker_api, staff_api):
        assert api.get(f"/api/orders/{order.pk}/claims/").json()[0]["id"] == claim_id
        photo_response = api.get(body["photos"][0])
        assert photo_response.status_code == 200 and photo_response["Content-Type"] == "image/jpeg"
    other_maker_api = client_for(member(makers["munich"]))
    assert other_maker_api.get(f"/api/claims/{claim_id}/").status_code == 404
    assert other_maker_api.get(f"/api/orders/{order.pk}/claims/").status_code == 404
    assert other_maker_api.get(body["photos"][0]).status_code == 404
    assert other_maker_api.post(f"/api/claims/{claim_id}/answer/", {"answer": "x"}).status_code == 404
    # the maker answers, staff refund part
    response = maker_api.post(f"/api/claims/{claim_id}/answer/", {"answer": "Sorry: thin wall."})
    assert response.status_code == 200 and response.json()["maker_answer"] == "Sorry: thin wall."
    response = staff_api.post(f"/api/claims/{claim_id}/decide/", {"decision": "refund", "amount": "3.00", "note": "x"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decision"], body["refund_amount"]) == ("refunded", "refund", "3.00")
    assert [event["to_status"] for event in body["events"]] == ["open", "answered", "refunded"]
    # a second decision is a 409
    response = staff_api.post(f"/api/claims/{claim_id}/decide/", {"decision": "reject"})
    assert response.status_code == 409 and response.json()["code"] == "claim_already_decided"


def test_api_refusals_are_readable(delivered, customer, other_customer):
    order, _, _ = delivered
    api = client_for(customer)
    response = api.post(f"/api/orders/{order.pk}/claims/", {"reason": "x"}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "photos_required"
    bad = SimpleUploadedFile("x.png", b"\x89PNG not really", content_type="image/png")
    response = api.post(f"/api/orders/{order.pk}/claims/", {"reason": "x", "photos": [bad]}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "bad_photo"
    response = client_for(other_customer).post(
        f"/api/orders/{order.pk}/claims/", {"reason": "x", "photos": [photo()]}, format="multipart"
    )
    assert response.status_code == 404
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=30))
    response = api.post(f"/api/orders/{order.pk}/claims/", {"reason": "x", "photos": [photo()]}, format="multipart")
    assert response.status_code == 409 and response.json()["code"] == "claim_window_closed"
    assert "closed" in response.json()["detail"]
    assert Claim.objects.count() == 0
