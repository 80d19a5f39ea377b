"""A person's data: the export (a zip of data.json and files) and the erasure of an account (README "Privacy")."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client

from accounts.models import AccountErasure, Address, ApiToken, User
from billing.models import Invoice, LedgerEntry
from codesign import services as codesign
from codesign.models import Message
from core.models import Notification
from designs.models import Design, DesignVersion
from makers.models import MakerApplication
from makers.services import maker_application_submit
from orders.models import Claim, ClaimPhoto, Job, Order
from orders.services import claims
from orders.services import jobs as job_services
from orders.services.dispatch import order_dispatch
from orders.services.ordering import ItemRequest, order_confirm, order_mark_delivered, order_place
from tests.billing.test_checkout import ledger_adds_up
from tests.conftest import client_for
from tests.factories import ReadyVersionFactory, UserFactory
from tests.makers.test_applications import application_data
from tests.money import BERLIN_POINT, delivery, pay
from tests.orders.test_claims import photo
from tests.world import makers, materials  # noqa: F401 - fixtures
from web.dashboard import dashboard_data

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
PAT = {"username": "pat-quillfeather", "email": "pat.quill@example.org", "first_name": "Patricia"}
PAT_ADDRESS = {
    "name": "Patricia Quillfeather",
    "line1": "Zwirnstraße 17",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
    "phone": "+49 30 5550199",
}
# What must be gone from every text column after the erasure (lower case).
PAT_TRACES = ("pat-quillfeather", "pat.quill@example.org", "patricia", "quillfeather", "zwirnstraße", "5550199")
STL_BYTES = b"solid holder\n  facet normal 0 0 1\n  endfacet\nendsolid holder\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40
CLAIM_REASON = "The quill slot of the holder cracked along its side."
MESSAGE = "Could the quill slot be 2 mm wider, please?"
NOTE = "Please pack the quill holders with care."


def stored_version(owner, name="Quill holder"):
    version = ReadyVersionFactory(design__owner=owner, design__name=name, original_filename="quill-holder.stl")
    version.file.save("upload.stl", ContentFile(STL_BYTES), save=False)
    version.thumbnail.save("thumbnail.png", ContentFile(PNG_BYTES), save=False)
    version.save(update_fields=["file", "thumbnail"])
    return version


def placed(customer, version, *, address=PAT_ADDRESS, note=""):
    return order_place(
        customer=customer,
        delivery=delivery(BERLIN_POINT, address),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=2)],
        note=note,
    )


def in_production(customer, version):
    """An order paid for and accepted by Berlin FDM: (order, job, the maker's member)."""
    order = placed(customer, version)
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker_user = job.maker.members.get()
    job_services.job_accept(job_id=job.pk, actor=maker_user)
    return order, job, maker_user


@pytest.fixture
def pat(db):
    return UserFactory(**PAT, last_name="Quillfeather")


@pytest.fixture
def history(pat, makers, staff):  # noqa: F811
    """Pat's delivered order (a note, a message to the maker), a claim with a photo refunded in part."""
    version = stored_version(pat)
    order, job, maker_user = in_production(pat, version)
    Order.objects.filter(pk=order.pk).update(note=NOTE)
    codesign.message_post(author=pat, body=MESSAGE, job=job)
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printing")
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printed", photo=photo("parts.jpg"))
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="shipped", tracking_number="T-1")
    order_mark_delivered(order_id=order.pk, actor=pat)
    claim = claims.claim_open(order_id=order.pk, customer=pat, reason=CLAIM_REASON, photos=[photo("crack.jpg")])
    claims.claim_answer(claim_id=claim.pk, actor=maker_user, answer="Sorry, the layer split.")
    claims.claim_decide(claim_id=claim.pk, actor=staff, decision="refund", amount=Decimal("5.00"), note="Half back")
    return {"version": version, "order": Order.objects.get(pk=order.pk), "job": job, "maker_user": maker_user}


@pytest.fixture
def oscar_history(other_customer, makers):  # noqa: F811
    version = stored_version(other_customer, name="Oscar's lamp")
    codesign.message_post(author=other_customer, body="A message only Oscar wrote.", version=version)
    return version


def export_of(user) -> zipfile.ZipFile:
    response = client_for(user).get("/api/auth/me/export/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# Export ------------------------------------------------------------------------------------------------------


def test_the_export_holds_the_customers_data_and_files(pat, history, oscar_history, other_customer):
    order, version = history["order"], history["version"]
    claim = Claim.objects.get(order=order)
    invoices = list(Invoice.objects.filter(customer=pat).order_by("id"))

    bundle = export_of(pat)
    data = json.loads(bundle.read("data.json"))

    design_folder = f"files/designs/{version.design_id}-quill-holder"
    expected_files = {
        "data.json",
        f"{design_folder}/v{version.number}-quill-holder.stl",
        f"{design_folder}/v{version.number}-thumbnail.png",
        f"files/claims/{claim.pk}/photo-1.jpg",
        *(f"files/invoices/{invoice.kind}-{invoice.number}.pdf" for invoice in invoices),
    }
    assert set(bundle.namelist()) == expected_files
    assert [invoice.kind for invoice in invoices] == ["invoice", "credit_note"]
    assert bundle.read(f"{design_folder}/v{version.number}-quill-holder.stl") == STL_BYTES
    assert bundle.read(f"{design_folder}/v{version.number}-thumbnail.png") == PNG_BYTES
    with claim.photos.get().image.open("rb") as stored:
        assert bundle.read(f"files/claims/{claim.pk}/photo-1.jpg") == stored.read()
    for invoice in invoices:
        assert bundle.read(f"files/invoices/{invoice.kind}-{invoice.number}.pdf").startswith(b"%PDF")

    assert set(data) == {
        "format",
        "exported_at",
        "user_id",
        "access",
        "profile",
        "addresses",
        "login_failures",
        "notifications",
        "designs",
        "maker",
        "payments",
        "invoices",
        "orders",
        "quotes",
        "maker_jobs",
        "maker_applications",
        "messages",
        "proposals",
    }
    assert data["format"] == 1 and data["user_id"] == pat.pk
    assert {key: data["profile"][key] for key in ("username", "email", "first_name", "last_name", "role")} == {
        "username": "pat-quillfeather",
        "email": "pat.quill@example.org",
        "first_name": "Patricia",
        "last_name": "Quillfeather",
        "role": "customer",
    }
    [address] = data["addresses"]
    assert {key: address[key] for key in PAT_ADDRESS} == {**PAT_ADDRESS, "phone": "+49 30 5550199"}
    [design] = data["designs"]
    assert design["name"] == "Quill holder"
    assert design["versions"][0]["files"] == {
        "file": f"{design_folder}/v{version.number}-quill-holder.stl",
        "thumbnail": f"{design_folder}/v{version.number}-thumbnail.png",
    }
    [exported_order] = data["orders"]
    assert exported_order["id"] == order.pk and exported_order["status"] == "delivered"
    assert exported_order["note"] == NOTE
    assert exported_order["shipping_address"] == {**PAT_ADDRESS, "line2": ""}
    assert [item["quantity"] for item in exported_order["items"]] == [2]
    assert [event["to"] for event in exported_order["events"] if event["kind"] == "status"] == [
        "placed",
        "awaiting_payment",
        "confirmed",
        "routing",
        "in_production",
        "shipped",
        "delivered",
    ]
    [exported_claim] = exported_order["claims"]
    assert exported_claim["reason"] == CLAIM_REASON and exported_claim["status"] == "refunded"
    assert exported_claim["photos"] == [f"files/claims/{claim.pk}/photo-1.jpg"]
    assert [message["body"] for message in data["messages"]] == [MESSAGE]
    assert [note["subject"] for note in data["notifications"]] == list(
        Notification.objects.filter(user=pat).order_by("id").values_list("subject", flat=True)
    )
    assert len(data["notifications"]) > 0
    assert [payment["amount"] for payment in data["payments"]] == [str(order.total)]
    assert [payment["refunds"][0]["amount"] for payment in data["payments"]] == ["5.00"]
    assert [invoice["number"] for invoice in data["invoices"]] == [invoice.number for invoice in invoices]
    assert data["maker"] == [] and data["maker_jobs"] == [] and data["proposals"] == []
    # and nothing of Oscar's
    text = bundle.read("data.json").decode().lower()
    for trace in ("oscar", other_customer.email, "lamp", "only oscar wrote"):
        assert trace not in text


def test_another_customer_sees_none_of_it(pat, history, other_customer, oscar_history):
    bundle = export_of(other_customer)
    data = json.loads(bundle.read("data.json"))
    text = bundle.read("data.json").decode().lower()
    assert [design["name"] for design in data["designs"]] == ["Oscar's lamp"]
    assert data["orders"] == [] and data["invoices"] == [] and data["payments"] == []
    assert [message["body"] for message in data["messages"]] == ["A message only Oscar wrote."]
    for trace in PAT_TRACES:
        assert trace not in text
    assert not any("claims" in name or "invoices" in name for name in bundle.namelist())


def test_a_makers_export_has_its_maker_and_jobs_but_not_the_customers_details(pat, history, makers):  # noqa: F811
    maker_user, job = history["maker_user"], history["job"]
    bundle = export_of(maker_user)
    data = json.loads(bundle.read("data.json"))
    [maker] = data["maker"]
    assert maker["slug"] == "berlin-fdm" and maker["city"] == "Berlin"
    assert [printer["materials"] for printer in maker["printers"]] == [["petg", "pla"]]
    [exported_job] = data["maker_jobs"]
    assert exported_job["id"] == job.pk and exported_job["order"] == history["order"].pk
    assert exported_job["status"] == "shipped" and exported_job["ship_to_city"] == "Berlin"
    assert exported_job["photo"] == f"files/jobs/{job.pk}-photo.jpg"
    assert f"files/jobs/{job.pk}-photo.jpg" in bundle.namelist()
    assert data["orders"] == [] and data["designs"] == []
    text = bundle.read("data.json").decode().lower()
    for trace in PAT_TRACES:
        assert trace not in text


def test_an_export_over_the_limit_is_refused_with_a_reason(pat, history, settings):
    settings.PRIVACY_EXPORT_MAX_BYTES = 10
    response = client_for(pat).get("/api/auth/me/export/")
    assert response.status_code == 409
    assert response.json()["code"] == "export_too_large"


def test_the_export_needs_a_signed_in_user(api):
    assert api.get("/api/auth/me/export/").status_code == 401


# Erasure -----------------------------------------------------------------------------------------------------

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
# Kept unchanged on purpose (README "Privacy"): an invoice as issued, the buyer's name and address on it included,
# is a record tax law makes us keep (a retention duty).
RETAINED = {("billing", "invoice", "buyer")}


def traces_left(needles) -> list[str]:
    """Every row of every model whose text, character or JSON columns still hold one of ``needles``."""
    found = []
    for model in apps.get_models():
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, TEXT_FIELDS)
            and (model._meta.app_label, model._meta.model_name, field.name) not in RETAINED
        ]
        if not fields:
            continue
        for row in model.objects.values("pk", *fields):
            for name in fields:
                value = row[name]
                text = (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).lower()
                found.extend(
                    f"{model._meta.label}.{name} (pk {row['pk']}) holds {needle!r}"
                    for needle in needles
                    if needle in text
                )
    return found


def stored_files_of(pat, history) -> list[str]:
    names = [history["version"].file.name, history["version"].thumbnail.name]
    names += [photo.image.name for photo in ClaimPhoto.objects.filter(claim__customer=pat)]
    return names


def test_erasing_leaves_no_personal_data_and_keeps_the_accounts(
    pat, history, oscar_history, other_customer, django_capture_on_commit_callbacks
):
    order = history["order"]
    files = stored_files_of(pat, history)
    assert all(default_storage.exists(name) for name in files) and len(files) == 3
    assert traces_left(PAT_TRACES) != []  # the scan finds them before
    invoices_before = list(Invoice.objects.order_by("id").values())
    ledger_before = ledger_adds_up(order.pk)
    entries_before = LedgerEntry.objects.count()
    orders_per_day_before = dashboard_data().orders_per_day
    oscar_before = (Design.objects.filter(owner=other_customer).count(), Message.objects.filter(author=other_customer))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(pat).delete("/api/auth/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204, response.content
    assert traces_left(PAT_TRACES) == []
    assert [name for name in files if default_storage.exists(name)] == []
    # accounting intact
    assert list(Invoice.objects.order_by("id").values()) == invoices_before
    assert ledger_adds_up(order.pk) == ledger_before
    assert LedgerEntry.objects.count() == entries_before
    assert dashboard_data().orders_per_day == orders_per_day_before
    kept = Order.objects.get(pk=order.pk)
    assert (kept.status, kept.customer_id, kept.total) == ("delivered", pat.pk, order.total)
    assert (kept.ship_name, kept.ship_line1, kept.ship_phone, kept.ship_postcode, kept.note) == ("", "", "", "", "")
    assert (kept.ship_city, kept.ship_country, kept.ship_to_label) == ("Berlin", "DE", "Berlin, DE")
    # the design an order refers to stays, without its name and files
    design = Design.objects.get(pk=history["version"].design_id)
    assert design.name == "Erased design"
    assert DesignVersion.objects.filter(design=design, file="", thumbnail="").count() == 1
    assert [message.body for message in Message.objects.filter(author=pat)] == [
        "(deleted: the author's account was erased)"
    ]
    # the account stays, anonymised, and cannot log in
    user = User.objects.get(pk=pat.pk)
    assert (user.username, user.email, user.first_name, user.last_name) == (f"deleted-{pat.pk}", "", "", "")
    assert not user.is_active and not user.has_usable_password() and user.webhook_url == ""
    assert not ApiToken.objects.filter(user=user).exists()
    assert Address.objects.filter(user=user).count() == 0 and Notification.objects.filter(user=user).count() == 0
    assert (
        client_for(None)
        .post("/api/auth/token/", {"username": "pat-quillfeather", "password": PASSWORD}, format="json")
        .status_code
        == 400
    )
    [record] = AccountErasure.objects.filter(user=user)
    assert record.summary["designs_kept_for_orders"] == 1 and record.summary["claim_photos"] == 1
    # Oscar's data is untouched
    assert Design.objects.filter(owner=other_customer).count() == oscar_before[0] == 1
    assert [message.body for message in oscar_before[1]] == ["A message only Oscar wrote."]


def test_a_design_no_order_refers_to_is_deleted_with_its_files(pat, django_capture_on_commit_callbacks):
    version = stored_version(pat, name="Sketch")
    names = [version.file.name, version.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(pat).delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not Design.objects.filter(pk=version.design_id).exists()
    assert [name for name in names if default_storage.exists(name)] == []


def test_an_order_awaiting_payment_is_cancelled_by_the_erasure(pat, makers):  # noqa: F811
    order = placed(pat, stored_version(pat))
    order_confirm(order_id=order.pk, actor=pat)
    assert client_for(pat).delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    order.refresh_from_db()
    assert (order.status, order.ship_name, order.ship_line1) == ("cancelled", "", "")


def account_state(user) -> dict:
    user = User.objects.get(pk=user.pk)
    return {
        "user": (user.username, user.email, user.is_active, user.password),
        "tokens": ApiToken.objects.filter(user=user).count(),
        "addresses": list(Address.objects.filter(user=user).values_list("line1", flat=True)),
        "designs": list(Design.objects.filter(owner=user).values_list("name", flat=True)),
        "orders": list(Order.objects.filter(customer=user).values_list("status", "ship_name", "ship_line1")),
        "notifications": Notification.objects.filter(user=user).count(),
        "messages": list(Message.objects.filter(author=user).values_list("body", flat=True)),
        "erasures": AccountErasure.objects.count(),
    }


def test_an_order_being_made_refuses_the_erasure_and_changes_nothing(pat, makers):  # noqa: F811
    order, _, _ = in_production(pat, stored_version(pat))
    before = account_state(pat)
    response = client_for(pat).delete("/api/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "erasure_refused"
    assert body["reasons"] == [f"Order {order.pk} is being made or shipped: wait until it is delivered."]
    assert account_state(pat) == before


def test_a_paid_order_not_yet_made_refuses_the_erasure(pat, makers):  # noqa: F811
    order = placed(pat, stored_version(pat))
    order_confirm(order_id=order.pk, actor=pat)
    pay(order.pk)
    before = account_state(pat)
    response = client_for(pat).delete("/api/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 409
    assert response.json()["reasons"] == [
        f"Order {order.pk} is paid and not yet made: cancel it (you get your money back) or wait until it is delivered."
    ]
    assert account_state(pat) == before


def test_a_maker_with_jobs_in_hand_cannot_be_erased(pat, makers):  # noqa: F811
    _, job, maker_user = in_production(pat, stored_version(pat))
    client = client_for(maker_user)  # its API key first: making one is not what is measured
    before = account_state(maker_user)
    memberships = list(maker_user.makers.values_list("slug", flat=True))
    response = client.delete("/api/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 409
    assert response.json()["reasons"] == [
        "Berlin FDM has 1 job(s) offered or in hand and 0 open claim(s): finish, decline or answer them first."
    ]
    assert account_state(maker_user) == before
    assert list(maker_user.makers.values_list("slug", flat=True)) == memberships == ["berlin-fdm"]


def test_a_maker_without_work_or_money_owed_is_closed_with_its_last_member(makers):  # noqa: F811
    maker = makers["munich"]
    member = maker.members.get()
    maker.payout_iban, maker.payout_account_holder, maker.email = "DE89370400440532013000", "Munich Works", "m@w.de"
    maker.save()
    assert client_for(member).delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    maker.refresh_from_db()
    assert (maker.is_active, maker.payout_iban, maker.payout_account_holder, maker.email) == (False, "", "", "")
    assert maker.name == f"Closed maker {maker.pk}" and maker.members.count() == 0
    assert not maker.printers.filter(is_online=True).exists()


@pytest.mark.parametrize("password", ["wrong-password-1", ""])
def test_a_wrong_password_changes_nothing(pat, history, password):
    before = account_state(pat)
    response = client_for(pat).delete("/api/auth/me/", {"password": password}, format="json")
    assert response.status_code == 400
    assert account_state(pat) == before


# Pages -------------------------------------------------------------------------------------------------------


def web_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_privacy_page_downloads_the_export_and_deletes_the_account(pat, django_capture_on_commit_callbacks):
    stored_version(pat, name="Sketch")
    client = web_client(pat)
    page = client.get("/account/privacy/")
    assert page.status_code == 200
    assert b"Download my data" in page.content and b"delete-account-form" in page.content
    download = client.get("/account/privacy/export/")
    assert download.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert [design["name"] for design in json.loads(bundle.read("data.json"))["designs"]] == ["Sketch"]

    wrong = client.post("/account/privacy/delete/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 400 and b"The password is not right." in wrong.content
    assert User.objects.get(pk=pat.pk).is_active

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/account/privacy/delete/", {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/account/privacy/").status_code == 302  # logged out: sent to the login page
    assert not client.login(username="pat-quillfeather", password=PASSWORD)


def test_the_page_says_why_the_account_cannot_be_deleted_yet(pat, makers):  # noqa: F811
    order, _, _ = in_production(pat, stored_version(pat))
    page = web_client(pat).get("/account/privacy/")
    assert f"Order {order.pk} is being made or shipped: wait until it is delivered.".encode() in page.content
    assert b"delete-account-form" not in page.content


def test_a_maker_application_goes_with_the_account_and_is_in_the_export(pat, materials):  # noqa: F811
    # given a pending application with the applicant's home address and bank account
    maker_application_submit(applicant=pat, **application_data())
    # when the applicant downloads their data, it is there
    export = client_for(pat).get("/api/auth/me/export/")
    with zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content))) as archive:
        data = json.loads(archive.read("data.json"))
    [application] = data["maker_applications"]
    assert application["address"]["line1"] == "Oranienstraße 25"
    assert application["payout"]["iban"] == "DE89370400440532013000"
    # when they erase the account, the application and its events go
    assert client_for(pat).delete("/api/auth/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert not MakerApplication.objects.filter(applicant=pat).exists()
