"""A small world for page tests: materials, makers in three cities, a customer with a ready cube, an order
offered to the Berlin maker; and logged-in test clients for each persona."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from catalogue.models import Material
from orders.models import Job
from orders.services.dispatch import order_dispatch
from orders.services.ordering import ItemRequest, order_confirm, order_place
from orders.services.quoting import ShipTo, quote_create
from tests.money import delivery, pay
from tests.world import makers, materials, version  # noqa: F401 - fixtures shared with the order tests

BERLIN = ShipTo(52.52, 13.405, "Berlin, DE")


def jpeg(name="parts.jpg") -> SimpleUploadedFile:
    """A real (tiny) JPEG: the jobs service re-encodes photos and refuses what is not an image."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def client_as(user, **defaults) -> Client:
    client = Client(**defaults)
    if user is not None:
        client.force_login(user)
    return client


def confirmed_order(customer, design_version, *, quantity=2, material="pla", ship_to=BERLIN):
    order = order_place(
        customer=customer,
        delivery=delivery(ship_to),
        items=[ItemRequest(design_version_id=design_version.pk, material_code=material, quantity=quantity)],
    )
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    return order


@pytest.fixture
def world(customer, other_customer, staff, version, makers):  # noqa: F811
    """carol's cube (with preview files), a quote, and an order whose job is offered to Berlin FDM."""
    version.preview.save("preview.glb", ContentFile(b"glTF-binary"), save=False)
    version.thumbnail.save("thumbnail.png", ContentFile(b"\x89PNG"), save=False)
    version.file.save("cube.stl", ContentFile(b"solid cube\nendsolid cube\n"), save=False)
    version.save(update_fields=["preview", "thumbnail", "file"])
    quote = quote_create(
        customer=customer, version=version, material=Material.objects.get(code="pla"), quantity=2, ship_to=BERLIN
    )
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    return SimpleNamespace(
        customer=customer,
        other_customer=other_customer,
        staff=staff,
        maker=makers["berlin"].members.get(),
        other_maker=makers["munich"].members.get(),
        makers=makers,
        design=version.design,
        version=version,
        quote=quote,
        order=order,
        job=Job.objects.get(order=order),
    )
