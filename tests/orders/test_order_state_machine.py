"""Random sequences of order transitions through the one door: the table holds, the event log tells the whole
story, and a refused move changes nothing."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.errors import TransitionNotAllowed
from orders.models import ORDER_TRANSITIONS, Order, OrderEvent, OrderStatus
from orders.services.ordering import ItemRequest, order_place
from orders.services.quoting import ShipTo
from orders.services.status import order_set_status
from tests.factories import ReadyVersionFactory, UserFactory
from tests.money import delivery

pytestmark = pytest.mark.django_db


class OrderLifecycle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.order = None
        self.expected_status = None
        self.expected_events = []

    @initialize()
    def place_an_order(self):
        from tests.factories import MaterialFactory

        MaterialFactory()
        customer = UserFactory()
        version = ReadyVersionFactory(design__owner=customer)
        self.order = order_place(
            customer=customer,
            delivery=delivery(ShipTo(52.5, 13.4, "Berlin")),
            items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=1)],
        )
        self.expected_status = OrderStatus.PLACED
        self.expected_events = [("", OrderStatus.PLACED)]

    @rule(target_status=st.sampled_from(OrderStatus.values))
    def try_to_move(self, target_status):
        target = target_status
        allowed = ORDER_TRANSITIONS[self.expected_status]
        before = Order.objects.values().get(pk=self.order.pk)
        try:
            transition = order_set_status(order_id=self.order.pk, to=target, reason="hypothesis")
        except TransitionNotAllowed as refused:
            assert target not in allowed and target != self.expected_status
            assert refused.allowed == sorted(allowed)
            assert Order.objects.values().get(pk=self.order.pk) == before  # nothing changed
            return
        if target == self.expected_status:
            assert not transition.changed
            return
        assert target in allowed
        assert transition.changed
        self.expected_events.append((self.expected_status, target))
        self.expected_status = target

    @invariant()
    def the_row_and_the_log_agree(self):
        if self.order is None:
            return
        assert Order.objects.get(pk=self.order.pk).status == self.expected_status
        events = list(OrderEvent.objects.filter(order=self.order).values_list("from_status", "to_status"))
        assert events == self.expected_events


@pytest.mark.slow
def test_random_transition_sequences(db):
    OrderLifecycle.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    OrderLifecycle.TestCase().runTest()
