"""Maker payouts: held on delivery, released after PAYOUT_HOLD_DAYS, shown to the maker (API, CSV, PDF, page),
paid by staff in a SEPA credit transfer batch, never twice."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from billing.models import Account, EntryKind, LedgerEntry, PayoutBatch
from billing.sepa.transfers import parse_credit_transfer
from billing.services import _post, maker_balances
from core.errors import Conflict
from makers.models import Maker
from orders.models import Job
from orders.services import jobs as job_services
from orders.services.checkout import payouts_release_due
from orders.services.dispatch import order_dispatch
from orders.services.ordering import ItemRequest, order_confirm, order_mark_delivered, order_place
from orders.services.quoting import ShipTo
from tests.conftest import client_for
from tests.money import delivery, pay
from tests.world import makers, materials, version  # noqa: F401 - fixtures shared with the order tests

pytestmark = pytest.mark.django_db

BERLIN = ShipTo(52.52, 13.405, "Berlin, DE")
MUNICH = ShipTo(48.14, 11.58, "Munich, DE")
MAKER_IBAN = "DE89370400440532013000"
PLATFORM_IBAN = "DE02120300000000202051"


@pytest.fixture(autouse=True)
def _platform_account(settings):
    settings.PLATFORM_IBAN = PLATFORM_IBAN
    settings.PLATFORM_BIC = "BYLADEM1001"
    settings.PAYOUT_HOLD_DAYS = 7


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("parts.jpg", buffer.getvalue(), content_type="image/jpeg")


def deliver(customer, version, ship_to=BERLIN) -> SimpleNamespace:  # noqa: F811
    """An order paid, made by the nearest maker, shipped and confirmed delivered: its payout is held."""
    order = order_place(
        customer=customer,
        delivery=delivery(ship_to),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=2)],
    )
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    job = Job.objects.select_related("maker").get(order=order)
    maker_user = job.maker.members.get()
    job_services.job_accept(job_id=job.pk, actor=maker_user)
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printing")
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printed", photo=_jpeg())
    job_services.job_report_progress(
        job_id=job.pk, actor=maker_user, status="shipped", tracking_number="TRK1", carrier="DHL"
    )
    order_mark_delivered(order_id=order.pk, actor=customer)
    job.refresh_from_db()
    return SimpleNamespace(order=order, job=job, maker=job.maker, maker_user=maker_user)


def release_all() -> int:
    """Move the clock past the hold: the release task is told the time (it reads ``now``, else the clock)."""
    return payouts_release_due(now=timezone.now() + timedelta(days=7, minutes=1))


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_held_released_shown_paid_in_a_sepa_file_and_never_twice(customer, version, makers, staff):  # noqa: F811
    # given a delivered order: the maker's payout is held
    world = deliver(customer, version)
    payout = LedgerEntry.objects.get(kind=EntryKind.PAYOUT_DUE, maker=world.maker).amount
    assert payout > 0
    maker_api = client_for(world.maker_user)
    body = maker_api.get("/api/maker/payouts/").json()
    assert (body["held"], body["released"], body["paid_out"], body["earned"]) == (
        str(payout),
        "0.00",
        "0.00",
        str(payout),
    )
    assert body["currency"] == "EUR"
    assert [row["kind"] for row in body["rows"]] == ["payout_due"]
    assert body["rows"][0]["order"] == world.order.pk

    # when the clock has not passed the hold, nothing is released; once it has, it is
    assert payouts_release_due(now=timezone.now() + timedelta(days=6)) == 0
    assert release_all() == 1

    # then the maker's API and CSV show it released, with the running balance
    body = maker_api.get("/api/maker/payouts/").json()
    assert (body["held"], body["released"], body["paid_out"], body["earned"]) == (
        "0.00",
        str(payout),
        "0.00",
        str(payout),
    )
    assert [row["kind"] for row in body["rows"]] == ["payout_released", "payout_due"]
    rows = csv_rows(maker_api.get("/api/maker/payouts/statement.csv"))
    assert [
        (row["kind"], row["amount"], row["change"], row["held"], row["released"], row["balance"]) for row in rows
    ] == [
        ("earning", str(payout), str(payout), str(payout), "0.00", str(payout)),
        ("release", str(payout), "0.00", "0.00", str(payout), str(payout)),
    ]
    assert all(row["order"] == str(world.order.pk) for row in rows)

    # when the maker gives its account and staff make a batch
    response = maker_api.patch(
        "/api/maker/profile/",
        {"payout_account_holder": "Berlin  FDM GmbH", "payout_iban": "de89 3704 0044 0532 0130 00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["payout_iban"] == MAKER_IBAN
    staff_api = client_for(staff)
    response = staff_api.post("/api/payouts/batches/")
    assert response.status_code == 201, response.content
    batch = response.json()
    assert (batch["transfer_count"], batch["total"], batch["skipped"]) == (1, str(payout), [])
    assert batch["file_url"] == f"/api/payouts/batches/{batch['id']}/file/"

    # then the SEPA file parses back to one transfer of the payout to the maker's IBAN, from the platform's
    file_response = staff_api.get(batch["file_url"])
    assert file_response.status_code == 200
    root = parse_credit_transfer(b"".join(file_response.streaming_content))
    header = root.find("CstmrCdtTrfInitn/GrpHdr")
    assert header.findtext("NbOfTxs") == "1"
    assert Decimal(header.findtext("CtrlSum")) == payout
    information = root.find("CstmrCdtTrfInitn/PmtInf")
    assert information.findtext("DbtrAcct/Id/IBAN") == PLATFORM_IBAN
    [transfer] = information.findall("CdtTrfTxInf")
    assert transfer.findtext("CdtrAcct/Id/IBAN") == MAKER_IBAN
    assert transfer.findtext("Cdtr/Nm") == "Berlin FDM GmbH"
    assert Decimal(transfer.findtext("Amt/InstdAmt")) == payout
    assert transfer.find("Amt/InstdAmt").get("Ccy") == "EUR"
    assert transfer.findtext("PmtId/EndToEndId") == f"PAYOUT-{batch['id']}-{world.maker.pk}"

    # and the ledger says paid out: released is 0, one payout_paid entry linked to the batch
    assert maker_balances(world.maker.pk) == {
        "held": Decimal("0.00"),
        "released": Decimal("0.00"),
        "paid_out": payout,
        "earned": payout,
    }
    [paid] = LedgerEntry.objects.filter(kind=EntryKind.PAYOUT_PAID)
    assert (paid.debit, paid.credit, paid.amount, paid.payout_batch_id, paid.order_id) == (
        Account.PAYOUT_RELEASED,
        Account.PAID_OUT,
        payout,
        batch["id"],
        world.order.pk,
    )
    body = maker_api.get("/api/maker/payouts/").json()
    assert (body["released"], body["paid_out"]) == ("0.00", str(payout))
    assert body["rows"][0]["kind"] == "payout_paid" and body["rows"][0]["payout_batch"] == batch["id"]
    last = csv_rows(maker_api.get("/api/maker/payouts/statement.csv"))[-1]
    assert (last["kind"], last["change"], last["paid_out"], last["balance"]) == (
        "payout",
        f"-{payout}",
        str(payout),
        "0.00",
    )

    # when staff make a second batch: nothing is left to pay, nothing is stored, nothing moves
    entries = LedgerEntry.objects.count()
    response = staff_api.post("/api/payouts/batches/")
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_pay"
    assert PayoutBatch.objects.count() == 1
    assert LedgerEntry.objects.count() == entries
    assert [b["id"] for b in staff_api.get("/api/payouts/batches/").json()] == [batch["id"]]


def test_the_ledger_refuses_to_pay_more_than_is_released(customer, version, makers):  # noqa: F811
    world = deliver(customer, version)
    release_all()
    released = maker_balances(world.maker.pk)["released"]
    with pytest.raises(Conflict):
        _post(
            world.order.pk,
            EntryKind.PAYOUT_PAID,
            Account.PAYOUT_RELEASED,
            Account.PAID_OUT,
            released + Decimal("0.01"),
            maker=world.maker,
        )
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYOUT_PAID).exists()


def test_a_maker_without_an_iban_is_skipped_with_the_reason(customer, version, makers, staff):  # noqa: F811
    # given two makers with released payouts: Berlin FDM gave its IBAN, Munich Works did not
    berlin = deliver(customer, version, BERLIN)
    munich = deliver(customer, version, MUNICH)
    assert (berlin.maker.slug, munich.maker.slug) == ("berlin-fdm", "munich-works")
    Maker.objects.filter(pk=berlin.maker.pk).update(payout_iban=MAKER_IBAN)
    assert release_all() == 2
    munich_released = maker_balances(munich.maker.pk)["released"]

    # the dashboard says who cannot be paid and why
    page = _web(staff).get("/dashboard/payouts/").content.decode()
    assert "No IBAN" in page and "Munich Works" in page

    # when staff make a batch
    response = client_for(staff).post("/api/payouts/batches/")
    # then Berlin is paid, Munich is skipped with the reason, and its money stays released
    assert response.status_code == 201, response.content
    batch = response.json()
    assert batch["transfer_count"] == 1
    assert batch["skipped"] == [
        {
            "maker_id": munich.maker.pk,
            "maker": "Munich Works",
            "amount": str(munich_released),
            "reason": "No IBAN: the maker has not given its payout account.",
        }
    ]
    assert maker_balances(munich.maker.pk)["released"] == munich_released
    assert maker_balances(berlin.maker.pk)["released"] == 0

    # and with only Munich left, a batch is refused naming the reason
    response = client_for(staff).post("/api/payouts/batches/")
    assert response.status_code == 409
    assert "No IBAN" in response.json()["detail"]
    assert response.json()["skipped"][0]["maker"] == "Munich Works"


def test_no_batch_without_the_platforms_account(customer, version, makers, staff, settings):  # noqa: F811
    world = deliver(customer, version)
    Maker.objects.filter(pk=world.maker.pk).update(payout_iban=MAKER_IBAN)
    release_all()
    settings.PLATFORM_IBAN = ""
    response = client_for(staff).post("/api/payouts/batches/")
    assert response.status_code == 409
    assert response.json()["code"] == "platform_account_missing"
    assert not PayoutBatch.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("payout_iban", "DE89370400440532013001", "check digits"),
        ("payout_iban", "DE8937040044053201300", "IBAN"),
        ("payout_bic", "COBAXXFF", "BIC"),
    ],
)
def test_invalid_payout_details_are_400_naming_the_field(maker_user, field, value, reason):
    maker = maker_user.makers.get()
    response = client_for(maker_user).patch("/api/maker/profile/", {field: value}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"]
    assert body["detail"].startswith(f"{field}:") and reason in body["detail"]
    maker.refresh_from_db()
    assert (maker.payout_iban, maker.payout_bic) == ("", "")


def test_the_iban_is_masked_for_others():
    assert Maker(payout_iban=MAKER_IBAN).payout_iban_masked == "•••• 3000"
    assert Maker(payout_iban="").payout_iban_masked == ""


def test_another_makers_payouts_are_never_visible(customer, version, makers):  # noqa: F811
    # given Berlin FDM's released payout
    deliver(customer, version)
    release_all()
    other = makers["munich"].members.get()
    # then Munich Works sees only its own (nothing), by API, CSV, PDF and page
    api = client_for(other)
    body = api.get("/api/maker/payouts/").json()
    assert (body["held"], body["released"], body["rows"]) == ("0.00", "0.00", [])
    assert csv_rows(api.get("/api/maker/payouts/statement.csv")) == []
    text = _pdf_text(api.get("/api/maker/payouts/statement.pdf"))
    assert "Munich Works" in text and "Berlin FDM" not in text
    page = _web(other).get("/maker/payouts/").content.decode()
    assert "data-kind=" not in page and "No payouts yet." in page
    # and a customer is not let in at all
    assert client_for(customer).get("/api/maker/payouts/statement.csv").status_code == 403


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pdf_statement_opens_with_the_makers_name_and_rows(customer, version, makers):  # noqa: F811
    world = deliver(customer, version)
    release_all()
    text = _pdf_text(client_for(world.maker_user).get("/api/maker/payouts/statement.pdf"))
    assert "Berlin FDM" in text
    assert f"Order {world.order.pk}" in text
    payout = maker_balances(world.maker.pk)["released"]
    assert f"{payout:.2f}" in text


def test_a_statement_period_and_a_bad_date(customer, version, makers):  # noqa: F811
    world = deliver(customer, version)
    api = client_for(world.maker_user)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert csv_rows(api.get(f"/api/maker/payouts/statement.csv?from={tomorrow}")) == []
    assert len(csv_rows(api.get(f"/api/maker/payouts/statement.csv?to={tomorrow}"))) == 1
    response = api.get("/api/maker/payouts/statement.csv?from=yesterday")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_date"
    response = api.get(f"/api/maker/payouts/statement.pdf?from={tomorrow}&to=2020-01-01")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_period"


def test_the_pages_show_balances_and_past_batches(customer, version, makers, staff):  # noqa: F811
    # given a released payout of a maker with an account
    world = deliver(customer, version)
    Maker.objects.filter(pk=world.maker.pk).update(payout_iban=MAKER_IBAN)
    release_all()
    payout = maker_balances(world.maker.pk)["released"]
    # the maker's page shows the balances and the download links; the job board links to it
    page = _web(world.maker_user).get("/maker/payouts/").content.decode()
    assert f'data-stat="released">€{payout}<' in page
    assert "/api/maker/payouts/statement.csv" in page and "/api/maker/payouts/statement.pdf" in page
    assert "ending 3000" in page
    assert "/maker/payouts/" in _web(world.maker_user).get("/maker/jobs/").content.decode()
    # when staff press the button on the dashboard page
    client = _web(staff)
    assert "Berlin FDM" in client.get("/dashboard/payouts/").content.decode()
    response = client.post("/dashboard/payouts/", follow=True)
    # then a batch is made and listed with its file
    batch = PayoutBatch.objects.get()
    page = response.content.decode()
    assert f"Payout batch {batch.pk}: 1 transfer(s), {payout} EUR." in page
    assert f"/api/payouts/batches/{batch.pk}/file/" in page
    assert "Nothing released is waiting to be paid." in page
    # and pressing again says there is nothing to pay
    page = client.post("/dashboard/payouts/", follow=True).content.decode()
    assert "There is no released payout to pay." in page
    assert PayoutBatch.objects.count() == 1
