"""The notifications page and "Mark all as read": only the caller's own notifications change, the unread count in
the header goes to zero, and what was read before keeps its time."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from core.models import Notification
from core.notifications import notify
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db

UNREAD_TWO = '<span class="count" aria-label="2 unread">2</span>'


def test_mark_all_as_read_marks_only_my_own_and_the_count_goes_to_zero(customer, other_customer):
    notify(user=customer, kind="order.confirmed", subject="Order 1 is paid", link="/orders/1/")
    notify(user=customer, kind="order.routing", subject="Order 1: offers are out", body="offers going out")
    earlier = timezone.now() - timedelta(days=2)
    read_before = notify(user=customer, kind="design.ready", subject="Cube is analysed")
    Notification.objects.filter(pk=read_before.pk).update(read_at=earlier)
    notify(user=other_customer, kind="order.confirmed", subject="Order 2 is paid")
    notify(user=other_customer, kind="order.routing", subject="Order 2: offers are out")
    client = client_as(customer)
    before = client.get("/notifications/").content.decode()
    assert UNREAD_TWO in before
    assert before.count("<strong>new</strong>") == 2
    assert '<a href="/orders/1/">Order 1 is paid</a>' in before
    assert "Order 2" not in before

    response = client.post("/notifications/read/")

    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Marked 2 notifications as read."]
    assert Notification.objects.filter(user=customer, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=read_before.pk).read_at == earlier
    assert Notification.objects.filter(user=other_customer, read_at__isnull=True).count() == 2
    after = client.get("/notifications/").content.decode()
    assert 'class="count"' not in after
    assert "<strong>new</strong>" not in after
    assert UNREAD_TWO in client_as(other_customer).get("/notifications/").content.decode()

    again = client.post("/notifications/read/")
    assert [str(m) for m in get_messages(again.wsgi_request)] == ["Marked 0 notifications as read."]


def test_one_notification_is_counted_in_the_singular(customer):
    notify(user=customer, kind="order.confirmed", subject="Order 1 is paid")
    response = client_as(customer).post("/notifications/read/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Marked 1 notification as read."]
