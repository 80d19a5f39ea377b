"""A small world with one of everything a person may own, and the six personas who look at it.

carol (the customer) owns a design with a ready version and its files, a quote, and an order whose job is
offered to Mia's Prints (maker A) in a batch, with a photo, a pending revision proposal and a pending
counter-offer (another ship date) from the maker and
messages on the job and on the version; and a second design whose order maker A made and she received, with an
open claim (one photo) on it. oscar (the other customer) owns a design and an order whose job went
to Max Fab (maker B) in Hamburg. sam is staff. Every object a route can name is in ``World.ids``.
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.services import api_token_create
from billing.models import Invoice, Payment, PayoutBatch
from codesign import services as codesign
from codesign.models import Message
from makers.models import Printer
from makers.services import maker_application_submit
from orders.models import Batch, Job
from orders.services import claims, quoting
from orders.services import jobs as job_services
from orders.services.counteroffers import counter_offer_make
from orders.services.dispatch import order_dispatch
from orders.services.ordering import ItemRequest, order_confirm, order_mark_delivered, order_place
from tests.conftest import client_for
from tests.factories import MaterialFactory, PrinterFactory, ReadyVersionFactory
from tests.money import delivery, pay

PERSONAS = ("anonymous", "owner", "other_customer", "maker_a", "maker_b", "staff")
BERLIN = quoting.ShipTo(52.52, 13.405, "Berlin")
HAMBURG = quoting.ShipTo(53.55, 9.99, "Hamburg")
STL_TEXT = b"solid cube\nendsolid cube\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"0" * 64


@dataclass
class World:
    users: dict  # persona -> user (anonymous -> None)
    ids: dict  # what a route parameter can name -> primary key (or slug)
    api_clients: dict = field(default_factory=dict)
    web_clients: dict = field(default_factory=dict)


def _store_files(version) -> None:
    """A version as the worker leaves it: the upload plus preview, thumbnail and repaired copy."""
    version.file.save("cube.stl", ContentFile(STL_TEXT), save=False)
    version.preview.save("preview.glb", ContentFile(b"glTF" + b"\x00" * 16), save=False)
    version.thumbnail.save("thumbnail.png", ContentFile(PNG_BYTES), save=False)
    version.repaired_file.save("repaired.stl", ContentFile(STL_TEXT), save=False)
    version.save(update_fields=["file", "preview", "thumbnail", "repaired_file"])


def _offered_job(customer, version, *, ship_to) -> Job:
    order = order_place(
        customer=customer,
        delivery=delivery(ship_to),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=2, colour="")],
    )
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    return Job.objects.select_related("maker").get(order=order)


def _real_jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (90, 90, 90)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _claimed_job(customer, version, maker_user, *, ship_to) -> Job:
    """An order of ``version`` made and shipped by the nearest maker, delivered, with a claim open on it."""
    job = _offered_job(customer, version, ship_to=ship_to)
    job_services.job_accept(job_id=job.pk, actor=maker_user)
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printing")
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printed", photo=_real_jpeg())
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="shipped", tracking_number="T1")
    order_mark_delivered(order_id=job.order_id, actor=customer)
    claims.claim_open(order_id=job.order_id, customer=customer, reason="It broke.", photos=[_real_jpeg()])
    return job


def _web_client(user) -> Client:
    """Signed in, and having typed the password again a moment ago: allauth's two-factor pages ask for it
    (tests/accounts/test_two_factor.py checks the asking), so that the table shows who may use those pages."""
    client = Client()
    if user is not None:
        client.force_login(user)
        response = client.post(reverse("account_reauthenticate"), {"password": "correct-horse-battery"})
        assert response.status_code == 302, response.content[:300]
    return client


@pytest.fixture
def world(customer, other_customer, maker_user, other_maker_user, staff) -> World:
    pla = MaterialFactory()
    maker_a, maker_b = maker_user.makers.get(), other_maker_user.makers.get()
    printer_a = PrinterFactory(maker=maker_a, materials=[pla])
    PrinterFactory(maker=maker_b, materials=[pla])

    version = ReadyVersionFactory(design__owner=customer, design__name="Carol's bracket", number=1)
    _store_files(version)
    other_version = ReadyVersionFactory(design__owner=other_customer, design__name="Oscar's hinge", number=1)
    _store_files(other_version)

    job = _offered_job(customer, version, ship_to=BERLIN)
    claimed_version = ReadyVersionFactory(design__owner=customer, design__name="Carol's clip", number=1)
    _store_files(claimed_version)
    claimed_job = _claimed_job(customer, claimed_version, maker_user, ship_to=BERLIN)
    other_job = _offered_job(other_customer, other_version, ship_to=HAMBURG)
    # The nearest maker wins each order: the fixture is only useful if that holds.
    assert job.maker == maker_a and other_job.maker == maker_b, (job.maker, other_job.maker)
    job.photo.save("photo.jpg", ContentFile(JPEG_BYTES), save=True)
    other_job.photo.save("photo.jpg", ContentFile(JPEG_BYTES), save=True)

    proposal = codesign.proposal_create(
        job_id=job.pk,
        actor=maker_user,
        message="Thicker wall at the hole.",
        uploaded_file=SimpleUploadedFile("fixed.stl", STL_TEXT + b"\n"),
    )
    counter_offer = counter_offer_make(
        job_id=job.pk, actor=maker_user, due_at=timezone.now() + timedelta(days=10), message="Busy this week."
    )
    Message.objects.create(author=customer, body="Is 0.8 mm enough?", job=job)
    Message.objects.create(author=customer, body="Here is the latest version.", design_version=version)
    quote = quoting.quote_create(
        customer=customer, version=version, material=pla, quantity=2, colour="", ship_to=BERLIN
    )
    payout_batch = PayoutBatch.objects.create(execution_date=date(2026, 1, 5), message_id="WORLD-PAYOUT-1")
    payout_batch.file.save("payout-batch.xml", ContentFile(b"<Document/>"), save=True)
    users = {
        "anonymous": None,
        "owner": customer,
        "other_customer": other_customer,
        "maker_a": maker_user,
        "maker_b": other_maker_user,
        "staff": staff,
    }
    # carol asked to become a maker as well (waiting for staff)
    maker_application = maker_application_submit(
        applicant=customer,
        kind="private",
        display_name="Carol's Prints",
        address={"address_line1": "Oranienstraße 25", "postcode": "10999", "city": "Berlin", "country": "DE"},
        capacity=2,
        hours_to_respond=4,
        printers=[{"name": "A", "process": "fdm", "build_volume_mm": [200, 200, 200], "materials": ["pla"]}],
        payout_account_holder="Carol",
        payout_iban="DE89370400440532013000",
    )
    ids = {
        "maker_application": maker_application.pk,
        "design": version.design_id,
        "version_number": version.number,
        "other_design": other_version.design_id,
        "order": job.order_id,
        "claimed_design": claimed_version.design_id,
        "claimed_order": claimed_job.order_id,
        "claimed_job": claimed_job.pk,
        "claimed_batch": claimed_job.batch_id,
        "claim": claimed_job.claims.get().pk,
        "other_order": other_job.order_id,
        "order_item": job.job_items.get().order_item_id,
        "job": job.pk,
        "other_job": other_job.pk,
        "batch": job.batch_id,
        "other_batch": other_job.batch_id,
        "printer": printer_a.pk,
        "proposal": proposal.pk,
        "counter_offer": counter_offer.pk,
        "quote": quote.pk,
        "template": "ring",
        "version_id": version.pk,
        "address": customer.addresses.get().pk,
        "invoice": Invoice.objects.get(order_id=job.order_id).number,
        "claim_photo_position": 0,
        "payment_reference": Payment.objects.get(order_id=job.order_id).reference,
        "payout_batch": payout_batch.pk,
        "api_token": api_token_create(user=customer, name="matrix")[0].pk,
    }
    assert Batch.objects.filter(pk__in=[ids["batch"], ids["other_batch"]]).count() == 2
    assert Printer.objects.filter(maker=maker_a).count() == 1
    return World(
        users=users,
        ids=ids,
        api_clients={persona: client_for(user) if user else APIClient() for persona, user in users.items()},
        web_clients={persona: _web_client(user) for persona, user in users.items()},
    )
