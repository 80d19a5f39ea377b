"""Messages in a job's or a design's thread: everyone else in the thread hears of it, and each reader's link opens
a page that reader may see (the maker's people: the job page; the customer and staff: the order page)."""

import pytest
from django.test import Client

from codesign.services import message_post
from core.models import Notification
from orders.models import Job
from orders.services.dispatch import order_dispatch
from tests.orders.test_dispatch import confirmed_order, member

pytestmark = pytest.mark.django_db


def told(user) -> list[tuple]:
    return [(n.subject, n.body, n.link) for n in Notification.objects.filter(user=user, kind="message").order_by("id")]


def opens(user, link: str) -> int:
    client = Client()
    client.force_login(user)
    return client.get(link).status_code


def test_a_job_message_reaches_the_others_each_with_a_link_they_can_open(customer, version, makers, staff):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker = member(job.maker)

    message_post(author=maker, job=job, body="Shipping Monday. " + "x" * 600)
    message_post(author=customer, job=job, body="Thank you!")

    long_body = ("Shipping Monday. " + "x" * 600)[:500]
    assert told(customer) == [(f"New message on job {job.pk}", long_body, f"/orders/{order.pk}/")]
    assert told(staff) == [
        (f"New message on job {job.pk}", long_body, f"/orders/{order.pk}/"),
        (f"New message on job {job.pk}", "Thank you!", f"/orders/{order.pk}/"),
    ]
    assert told(maker) == [(f"New message on job {job.pk}", "Thank you!", f"/maker/jobs/{job.pk}/")]
    for user in (customer, staff, maker):
        for _subject, _body, link in told(user):
            assert opens(user, link) == 200, (user.username, link)


def test_a_design_message_reaches_the_maker_making_it(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    maker = member(Job.objects.get(order=order).maker)

    message_post(author=customer, version=version, body="Is the hole 5 mm?")

    assert told(maker) == [
        (f"New message on Cube v{version.number}", "Is the hole 5 mm?", f"/designs/{version.design_id}/")
    ]
    assert opens(maker, f"/designs/{version.design_id}/") == 200
    assert told(customer) == []
