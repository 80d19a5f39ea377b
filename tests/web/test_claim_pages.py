"""Claims on the pages: the customer reports a problem from the order page, the maker answers on its job page,
staff decide on the dashboard's claims page."""

from decimal import Decimal

import pytest

from core.models import Notification
from orders.models import Claim, Order
from orders.services import claims
from orders.services import jobs as job_services
from orders.services.ordering import order_mark_delivered
from tests.web.conftest import client_as, jpeg

pytestmark = pytest.mark.django_db


def deliver(world):
    job_services.job_accept(job_id=world.job.pk, actor=world.maker)
    job_services.job_report_progress(job_id=world.job.pk, actor=world.maker, status="printing")
    job_services.job_report_progress(job_id=world.job.pk, actor=world.maker, status="printed", photo=jpeg())
    job_services.job_report_progress(
        job_id=world.job.pk, actor=world.maker, status="shipped", tracking_number="TRK1", carrier="DHL"
    )
    order_mark_delivered(order_id=world.order.pk, actor=world.customer)


def test_no_report_form_before_delivery(world):
    page = client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()
    assert "Report a problem" not in page


def test_the_customer_reports_a_problem_from_the_order_page(world):
    deliver(world)
    client = client_as(world.customer)
    page = client.get(f"/orders/{world.order.pk}/").content.decode()
    assert "Report a problem" in page and 'name="photos"' in page
    response = client.post(
        f"/orders/{world.order.pk}/claims/",
        {"reason": "The cube has a dent.", "job": str(world.job.pk), "photos": [jpeg("a.jpg"), jpeg("b.jpg")]},
        follow=True,
    )
    claim = Claim.objects.get()
    assert (claim.status, claim.job_id, claim.photos.count()) == ("open", world.job.pk, 2)
    page = response.content.decode()
    assert f"Claim {claim.pk} is open" in page
    assert "The cube has a dent." in page
    assert f"/api/claims/{claim.pk}/photos/0/" in page
    # the customer's photo comes back to the customer, permission-checked
    assert client.get(f"/api/claims/{claim.pk}/photos/1/").status_code == 200
    assert client_as(world.other_customer).get(f"/api/claims/{claim.pk}/photos/1/").status_code == 404


def test_a_report_without_photos_is_refused_with_a_message(world):
    deliver(world)
    response = client_as(world.customer).post(f"/orders/{world.order.pk}/claims/", {"reason": "Dent."}, follow=True)
    assert "Attach 1 to 6 photos" in response.content.decode()
    assert Claim.objects.count() == 0


def test_the_maker_answers_on_its_job_page_and_staff_decide(world):
    deliver(world)
    claim = claims.claim_open(order_id=world.order.pk, customer=world.customer, reason="Dent.", photos=[jpeg()])
    maker = client_as(world.maker)
    page = maker.get(f"/maker/jobs/{world.job.pk}/").content.decode()
    assert "The customer reports a problem" in page and 'id="claim-answer-form"' in page
    # another maker cannot answer
    assert client_as(world.other_maker).post(f"/maker/claims/{claim.pk}/answer/", {"answer": "x"}).status_code == 404
    maker.post(f"/maker/claims/{claim.pk}/answer/", {"answer": "Packed badly, sorry."})
    claim.refresh_from_db()
    assert (claim.status, claim.maker_answer) == ("answered", "Packed badly, sorry.")

    staff = client_as(world.staff)
    board = staff.get("/dashboard/claims/").content.decode()
    assert f"Decide claim {claim.pk}" in board and "Packed badly, sorry." in board
    response = staff.post(
        f"/dashboard/claims/{claim.pk}/decide/", {"decision": "refund", "amount": "2.50", "note": "A dent"}, follow=True
    )
    claim.refresh_from_db()
    assert (claim.status, claim.refund_amount) == ("refunded", Decimal("2.50"))
    assert f"Decide claim {claim.pk}" not in response.content.decode()
    assert Notification.objects.filter(user=world.customer, kind="claim.refunded").count() == 1
    order_page = client_as(world.customer).get(f"/orders/{world.order.pk}/").content.decode()
    assert "a refund of €2.50" in order_page
    assert Order.objects.get(pk=world.order.pk).status == "delivered"


def test_staff_decide_a_reprint_and_the_maker_sees_it_as_a_reprint(world):
    deliver(world)
    claim = claims.claim_open(order_id=world.order.pk, customer=world.customer, reason="Dent.", photos=[jpeg()])
    client_as(world.staff).post(f"/dashboard/claims/{claim.pk}/decide/", {"decision": "reprint"})
    claim.refresh_from_db()
    assert claim.status == "reprint"
    page = client_as(world.maker).get(f"/maker/jobs/{claim.reprint_job_id}/").content.decode()
    assert f"Reprint for claim {claim.pk}" in page and "Accept the job" in page
    board = client_as(world.staff).get("/dashboard/claims/").content.decode()
    assert f"reprint job {claim.reprint_job_id}" in board
