"""The maker reliability score, from a constructed history, against the formula in its docstring worked by hand:

reliability = 0.35 acceptance + 0.30 on-time + 0.20 no-failure + 0.15 response speed, each rate smoothed towards
0.8 with five pseudo-jobs: (successes + 0.8 * 5) / (trials + 5); speed = 1 - average response hours / (2 x the
maker's usual hours to respond), 0.8 without any answer yet.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Batch, Job, Order
from orders.services.reliability import maker_refresh_reliability
from tests.factories import MakerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job_of(materials):
    """Jobs of one order and batch at a maker, with the offer, answer and shipping times the test gives."""
    customer = UserFactory()
    order = Order.objects.create(customer=customer, ship_to_latitude=52.5, ship_to_longitude=13.4, total=10)
    offered_at = timezone.now() - timedelta(days=10)
    batches = {}

    def make(maker, status, *, answered_after_h=None, shipped_late_by_h=None):
        batch = batches.get(maker.pk) or Batch.objects.create(
            maker=maker, material=materials["pla"], joinable_until=offered_at
        )
        batches[maker.pk] = batch
        due_at = offered_at + timedelta(days=4)
        job = Job.objects.create(
            order=order,
            batch=batch,
            maker=maker,
            material=materials["pla"],
            status=status,
            quantity=1,
            price=Decimal("10.00"),
            offer_expires_at=offered_at + timedelta(hours=4),
            due_at=due_at,
            responded_at=offered_at + timedelta(hours=answered_after_h) if answered_after_h is not None else None,
            shipped_at=due_at + timedelta(hours=shipped_late_by_h) if shipped_late_by_h is not None else None,
        )
        Job.objects.filter(pk=job.pk).update(offered_at=offered_at)  # auto_now_add: set after the row exists
        return job

    return make


def test_the_score_of_a_constructed_history_is_the_documented_formula(job_of):
    # given a maker that answers in 4 h as a rule, and this history:
    maker = MakerFactory(hours_to_respond=4, reliability=0.9)
    job_of(maker, "declined", answered_after_h=1)
    job_of(maker, "declined", answered_after_h=3)
    job_of(maker, "expired")  # never answered
    job_of(maker, "cancelled")  # taken back by staff or the customer: not the maker's doing, not counted
    job_of(maker, "offered")  # still open: not counted
    job_of(maker, "shipped", answered_after_h=2, shipped_late_by_h=-24)  # a day early
    job_of(maker, "shipped", answered_after_h=2, shipped_late_by_h=0)  # on the due time: on time
    job_of(maker, "shipped", answered_after_h=4, shipped_late_by_h=30)  # late
    job_of(maker, "failed", answered_after_h=0.5)

    score = maker_refresh_reliability(maker_id=maker.pk)

    # answered offers: 2 declined + 1 expired + 3 shipped + 1 failed = 7; accepted: 7 - 3 = 4
    acceptance = (4 + 0.8 * 5) / (7 + 5)  # 8/12
    # shipped 3, on time 2
    on_time = (2 + 0.8 * 5) / (3 + 5)  # 6/8
    # of the 4 accepted, 1 failed
    no_failure = (3 + 0.8 * 5) / (4 + 5)  # 7/9
    # answers after 1, 3, 2, 2, 4 and 0.5 hours: 12.5 / 6 h on average, against 2 x 4 h
    speed = 1 - (12.5 / 6) / 8
    expected = 0.35 * acceptance + 0.30 * on_time + 0.20 * no_failure + 0.15 * speed
    assert expected == pytest.approx(0.7248264, abs=1e-7)
    assert score == pytest.approx(expected, abs=1e-9)
    maker.refresh_from_db()
    assert (
        maker.reliability,
        maker.offers_accepted,
        maker.jobs_shipped,
        maker.jobs_shipped_on_time,
        maker.jobs_failed,
        maker.average_response_hours,
    ) == (0.7248, 4, 3, 2, 1, 2.08)


def test_a_new_maker_starts_at_the_prior_and_one_decline_does_not_sink_it(job_of):
    maker = MakerFactory(hours_to_respond=4, reliability=0.5)
    assert maker_refresh_reliability(maker_id=maker.pk) == pytest.approx(0.8)
    maker.refresh_from_db()
    assert maker.reliability == 0.8

    job_of(maker, "declined", answered_after_h=1)
    score = maker_refresh_reliability(maker_id=maker.pk)

    # acceptance (0 + 4) / (1 + 5); on-time and no-failure have no trials: 0.8; speed 1 - 1/8
    assert score == pytest.approx(0.35 * 4 / 6 + 0.30 * 0.8 + 0.20 * 0.8 + 0.15 * 0.875, abs=1e-9)
    maker.refresh_from_db()
    assert (maker.reliability, maker.offers_accepted, maker.average_response_hours) == (0.7646, 0, 1.0)


def test_a_slow_answer_counts_nothing_for_speed_but_never_below_zero(job_of):
    maker = MakerFactory(hours_to_respond=2, reliability=0.9)
    job_of(maker, "shipped", answered_after_h=9, shipped_late_by_h=-1)  # 9 h against 2 x 2 h: speed 0

    score = maker_refresh_reliability(maker_id=maker.pk)

    assert score == pytest.approx(0.35 * 5 / 6 + 0.30 * 5 / 6 + 0.20 * 5 / 6 + 0.15 * 0.0, abs=1e-9)
    maker.refresh_from_db()
    assert (maker.reliability, maker.jobs_shipped_on_time, maker.average_response_hours) == (0.7083, 1, 9.0)
