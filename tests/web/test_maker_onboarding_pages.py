"""Becoming a maker on the site (apply, staff decide), a maker's profile, printers, pause and numbers pages, and
the application API."""

import pytest
from django.test import Client

from accounts.models import Role
from makers.models import Maker, MakerApplication, Printer
from makers.services import maker_application_approve, maker_application_submit
from orders.services.reliability import maker_refresh_reliability
from tests.conftest import client_for
from tests.factories import MakerFactory, PrinterFactory

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "private",
    "display_name": "Dana's Prints",
    "address_line1": "Oranienstraße 25",
    "postcode": "10999",
    "city": "Berlin",
    "country": "DE",
    "about": "",
    "capacity": "3",
    "hours_to_respond": "4",
    "payout_account_holder": "Dana Example",
    "payout_iban": "DE89370400440532013000",
    "payout_bic": "",
    "printers-TOTAL_FORMS": "2",
    "printers-INITIAL_FORMS": "0",
    "printers-MIN_NUM_FORMS": "0",
    "printers-MAX_NUM_FORMS": "20",
    "printers-0-name": "Garage FDM",
    "printers-0-profile": "",
    "printers-0-process": "fdm",
    "printers-0-build_x_mm": "250",
    "printers-0-build_y_mm": "210",
    "printers-0-build_z_mm": "210",
    "printers-0-materials": ["pla", "petg"],
    "printers-0-colours": "black, white",
}


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submitted(customer) -> MakerApplication:
    return maker_application_submit(
        applicant=customer,
        kind="private",
        display_name="Dana's Prints",
        address={"address_line1": "Oranienstraße 25", "postcode": "10999", "city": "Berlin", "country": "DE"},
        capacity=3,
        hours_to_respond=4,
        printers=[{"name": "Garage FDM", "process": "fdm", "build_volume_mm": [250, 210, 210], "materials": ["pla"]}],
        payout_account_holder="Dana Example",
        payout_iban="DE89370400440532013000",
    )


def test_anyone_reads_the_apply_page_and_is_sent_to_log_in_to_send(materials):
    assert Client().get("/makers/apply/").status_code == 200
    assert "Become a maker" in Client().get("/").content.decode()

    response = Client().post("/makers/apply/", FORM)

    assert (response.status_code, response["Location"]) == (302, "/login/?next=/makers/apply/")
    assert MakerApplication.objects.count() == 0


def test_a_customer_applies_on_the_page(customer, materials):
    response = web(customer).post("/makers/apply/", FORM, follow=True)

    application = MakerApplication.objects.get()
    assert (application.applicant, application.status, application.display_name) == (
        customer,
        "submitted",
        "Dana's Prints",
    )
    assert application.printers[0]["materials"] == ["petg", "pla"]
    assert "your application is in" in response.content.decode()
    assert 'data-application-status="submitted"' in response.content.decode()


def test_wrong_fields_are_shown_next_to_them_and_nothing_is_written(customer, materials):
    form = {**FORM, "payout_iban": "DE88370400440532013000", "city": "Hintertupfingen", "printers-0-materials": []}

    response = web(customer).post("/makers/apply/", form)

    assert response.status_code == 200
    assert response.context["form"].errors["payout_iban"] == [
        "The check digits of this IBAN do not match: is there a typo?"
    ]
    assert "city" in response.context["form"].errors
    assert response.context["printers"].forms[0].errors["materials"] == ["Choose at least one material."]
    assert MakerApplication.objects.count() == 0


def test_staff_see_pending_first_and_approve(customer, other_customer, staff, materials):
    decided = submitted(other_customer)
    maker_application_approve(application_id=decided.pk, actor=staff)
    pending = submitted(customer)

    page = web(staff).get("/dashboard/makers/")

    assert [a.pk for a in page.context["waiting"]] == [pending.pk]
    assert [a.pk for a in page.context["decided"]] == [decided.pk]
    assert "DE89370400440532013000" in page.content.decode()
    response = web(staff).post(f"/dashboard/makers/{pending.pk}/approve/", {"reason": ""})
    assert response["Location"] == "/dashboard/makers/"
    customer.refresh_from_db()
    assert customer.role == Role.MAKER
    assert Maker.objects.filter(members=customer).count() == 1


def test_staff_reject_only_with_a_reason(customer, staff, materials):
    application = submitted(customer)

    refused = web(staff).post(f"/dashboard/makers/{application.pk}/reject/", {"reason": ""}, follow=True)

    application.refresh_from_db()
    assert application.status == "submitted"
    assert "Say why the application is rejected" in refused.content.decode()
    web(staff).post(f"/dashboard/makers/{application.pk}/reject/", {"reason": "No samples."})
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("rejected", "No samples.")


def test_a_changed_address_moves_the_maker_on_the_map(maker_user):
    maker = maker_user.makers.get()
    form = {
        "name": maker.name,
        "address_line1": "Marienplatz 1",
        "postcode": "80331",
        "city": "München",
        "country": "DE",
        "capacity": "3",
        "hours_to_respond": "4",
    }

    response = web(maker_user).post("/maker/profile/", form)

    assert response["Location"] == "/maker/profile/"
    maker.refresh_from_db()
    assert (round(maker.latitude, 2), round(maker.longitude, 2)) == (48.14, 11.58)
    assert (maker.city, maker.postcode, maker.address_line1) == ("München", "80331", "Marienplatz 1")


def test_an_unknown_place_is_a_field_error_and_the_maker_stays(maker_user):
    maker = maker_user.makers.get()
    form = {
        "name": maker.name,
        "address_line1": "X 1",
        "postcode": "10999",
        "city": "Nowhereville",
        "country": "DE",
        "capacity": "3",
        "hours_to_respond": "4",
    }

    response = web(maker_user).post("/maker/profile/", form)

    assert response.status_code == 200
    assert "city" in response.context["form"].errors
    maker.refresh_from_db()
    assert (maker.city, maker.latitude, maker.longitude) == ("Berlin", 52.52, 13.405)


def test_the_profile_api_re_derives_the_location_from_an_address(maker_user):
    response = client_for(maker_user).patch(
        "/api/maker/profile/",
        {"address_line1": "Dam 1", "postcode": "1012 JS", "city": "Amsterdam", "country": "NL"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert (round(response.json()["latitude"], 1), round(response.json()["longitude"], 1)) == (52.4, 4.9)


def test_pausing_shows_paused_and_back(maker_user):
    web(maker_user).post("/maker/pause/", {"paused": "1"})

    page = web(maker_user).get("/maker/profile/").content.decode()
    assert 'data-maker-state="paused"' in page
    assert maker_user.makers.get().is_paused is True
    web(maker_user).post("/maker/pause/", {"paused": "0"})
    assert maker_user.makers.get().is_paused is False


def test_a_maker_adds_edits_and_removes_a_printer(maker_user, materials):
    maker = maker_user.makers.get()
    add = {
        "new-name": "Big FDM",
        "new-process": "fdm",
        "new-build_x_mm": "300",
        "new-build_y_mm": "300",
        "new-build_z_mm": "300",
        "new-materials": ["pla"],
        "new-colours": "Red",
        "new-is_online": "on",
    }
    assert web(maker_user).post("/maker/printers/", add)["Location"] == "/maker/printers/"
    printer = Printer.objects.get(maker=maker, name="Big FDM")
    assert (printer.build_volume_mm, printer.colours, printer.is_online) == ((300, 300, 300), ["red"], True)

    edit = {
        "name": "Big FDM",
        "process": "fdm",
        "build_x_mm": "300",
        "build_y_mm": "300",
        "build_z_mm": "300",
        "materials": ["pla", "petg"],
        "colours": "",
        "is_online": "",
    }
    assert web(maker_user).post(f"/maker/printers/{printer.pk}/", edit)["Location"] == "/maker/printers/"
    printer.refresh_from_db()
    assert sorted(printer.materials.values_list("code", flat=True)) == ["petg", "pla"]
    assert printer.is_online is False

    web(maker_user).post(f"/maker/printers/{printer.pk}/remove/")
    assert not Printer.objects.filter(pk=printer.pk).exists()


def test_a_maker_cannot_touch_another_makers_printer(maker_user, materials):
    other = PrinterFactory(maker=MakerFactory(), materials=[materials["pla"]])

    assert web(maker_user).post(f"/maker/printers/{other.pk}/remove/").status_code == 404
    assert web(maker_user).get(f"/maker/printers/{other.pk}/").status_code == 404
    assert Printer.objects.filter(pk=other.pk).exists()


def test_a_printer_with_a_material_of_another_process_is_refused(maker_user, materials):
    add = {
        "new-name": "P",
        "new-process": "fdm",
        "new-build_x_mm": "200",
        "new-build_y_mm": "200",
        "new-build_z_mm": "200",
        "new-materials": ["resin-standard"],
    }

    response = web(maker_user).post("/maker/printers/", add)

    assert response.status_code == 200
    assert response.context["form"].errors["materials"] == ["Standard resin is a sla material; this printer is fdm."]
    assert not Printer.objects.filter(name="P").exists()


def test_the_numbers_page_shows_the_makers_figures_and_formula(maker_user):
    maker = maker_user.makers.get()
    maker_refresh_reliability(maker_id=maker.pk)

    response = web(maker_user).get("/maker/numbers/")

    page = response.content.decode()
    parts = response.context["parts"]
    assert (parts.offers_answered, parts.offers_accepted, parts.jobs_shipped, parts.jobs_failed) == (0, 0, 0, 0)
    assert round(parts.score, 4) == 0.8
    assert '<th class="num" data-total>0.800</th>' in page
    assert "(0 + 4.0) / (0 + 5)" in page
    assert 'data-probation="off"' in page


def test_the_application_api(customer, materials):
    api = client_for(customer)
    assert api.get("/api/makers/applications/mine/").status_code == 404
    body = {
        "kind": "private",
        "display_name": "Dana",
        "address": {"address_line1": "Oranienstraße 25", "postcode": "10999", "city": "Berlin", "country": "DE"},
        "capacity": 2,
        "hours_to_respond": 5,
        "printers": [{"name": "A", "process": "fdm", "build_volume_mm": [200, 200, 200], "materials": ["pla"]}],
        "payout_account_holder": "Dana",
        "payout_iban": "DE41370400440532013",
    }

    refused = api.post("/api/makers/applications/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"payout_iban": "This IBAN has the wrong length for its country."}
    assert MakerApplication.objects.count() == 0

    created = api.post("/api/makers/applications/", {**body, "payout_iban": "DE89370400440532013000"}, format="json")
    assert created.status_code == 201
    assert created.json()["status"] == "submitted"
    assert api.get("/api/makers/applications/mine/").json()["id"] == created.json()["id"]
