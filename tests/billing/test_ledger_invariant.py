"""The ledger's invariant over random order histories (Hypothesis): for every order, charges = refunds + VAT +
commission + payouts (held and released) + what clearing still holds; no account ever holds less than nothing,
so nothing is paid out, refunded or allocated that was not collected. Refused steps (a refund too large, a
cancel in production) change nothing and keep it true."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing import services as billing
from billing.models import Account, LedgerEntry, Payment, PaymentStatus
from core.errors import DomainError
from orders.models import Job, Order
from orders.services import checkout
from orders.services.ordering import ItemRequest, order_cancel, order_confirm, order_mark_delivered, order_place
from tests.billing.test_checkout import ledger_adds_up, ship
from tests.money import delivery, pay

pytestmark = pytest.mark.django_db

STEPS = ("decline", "pay", "refund_part", "refund_all", "cancel", "deliver", "release", "claim_refund")


def _try(step, order: Order, fraction: Decimal, customer, staff) -> None:
    order.refresh_from_db()
    if step == "decline" and order.status == "awaiting_payment":
        pay(order.pk, succeed=False)
    elif step == "pay" and order.status == "awaiting_payment":
        pay(order.pk)
    elif step in ("refund_part", "refund_all"):
        available = billing.refund_available(order.pk)
        amount = None if step == "refund_all" else (available * fraction).quantize(Decimal("0.01"))
        checkout.order_refund(order_id=order.pk, amount=amount, reason="random refund", actor=staff)
    elif step == "cancel":
        order_cancel(order_id=order.pk, actor=customer)
    elif step == "deliver" and order.status in ("confirmed", "routing"):
        ship(order)
        order_mark_delivered(order_id=order.pk, actor=customer)
    elif step == "release":
        checkout.payouts_release_due(now=timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS + 1))
    elif step == "claim_refund":
        job = Job.objects.filter(order=order).first()
        if job is None:
            return
        held = billing.refund_available(order.pk, from_payout_of=job.maker_id)
        amount = (held * fraction).quantize(Decimal("0.01"))
        checkout.order_refund(
            order_id=order.pk, amount=amount or None, reason="claim", actor=staff, from_payout_of=job.maker_id
        )


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=8),
    fractions=st.lists(st.decimals(min_value="0.01", max_value="1", places=2), min_size=8, max_size=8),
    country=st.sampled_from(["DE", "FR", "NL"]),
)
def test_every_order_history_keeps_the_ledger_whole(
    customer, staff, version, makers, django_capture_on_commit_callbacks, steps, fractions, country
):
    addresses = {
        "DE": None,
        "FR": {"name": "C", "line1": "1 rue X", "postcode": "75001", "city": "Paris", "country": "FR"},
        "NL": {"name": "C", "line1": "Oudegracht 1", "postcode": "3511 AA", "city": "Utrecht", "country": "NL"},
    }
    order = order_place(
        customer=customer,
        delivery=delivery(address=addresses[country]),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=2)],
    )
    order_confirm(order_id=order.pk, actor=customer)
    for step, fraction in zip(steps, fractions, strict=False):
        entries_before = LedgerEntry.objects.filter(order_id=order.pk).count()
        try:
            # After-commit work (the refund of a cancelled order) runs as it would in production.
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                _try(step, order, fraction, customer, staff)
        except DomainError:
            # A refused step left the ledger as it was.
            assert LedgerEntry.objects.filter(order_id=order.pk).count() == entries_before
        balances = ledger_adds_up(order.pk)
        collected = sum(
            (p.amount for p in Payment.objects.filter(order_id=order.pk, status=PaymentStatus.SUCCEEDED)), Decimal("0")
        )
        assert balances["charged"] == collected
        assert balances["refunded"] == sum(
            (p.amount_refunded for p in Payment.objects.filter(order_id=order.pk)), Decimal("0")
        )
        order.refresh_from_db()
        if order.status == "cancelled":  # cancelled before production: everything collected went back
            assert balances[Account.CLEARING] == balances[Account.VAT] == 0, (steps, balances)
        # Nothing paid out that was not collected (and kept).
        assert balances[Account.PAYOUT_RELEASED] + balances[Account.PAYOUT_HELD] <= collected - balances["refunded"]
