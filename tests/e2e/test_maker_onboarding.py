"""Becoming a maker in a real browser: a customer applies, staff approve, the new maker loads another material, and
a customer's order in that material near it becomes a job offered to it. Screenshots at 1280 and 390 px."""

import pytest

from accounts.models import Role
from makers.models import Maker, MakerApplication, Printer
from orders.models import Job, JobStatus
from orders.services.dispatch import order_dispatch
from orders.services.ordering import ItemRequest, order_confirm, order_place
from orders.services.quoting import ShipTo
from tests.e2e.login import log_in as site_log_in
from tests.factories import MaterialFactory, ReadyVersionFactory, UserFactory
from tests.money import delivery, pay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
PHONE_WIDTH = 390
BERLIN = ShipTo(52.50, 13.42, "Berlin")


def log_in(page, base: str, username: str) -> None:
    site_log_in(page, base, username, PASSWORD)


def shoot_both(page, screens, name: str) -> None:
    """A screenshot at 1280 px and one at 390 px; nothing may scroll sideways on the phone."""
    screens.shoot(page, f"onboarding-{name}-1280")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    screens.shoot(page, f"onboarding-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert width <= PHONE_WIDTH, f"{name} scrolls sideways on a phone ({width} px)"


def test_apply_approve_load_a_material_and_get_a_job(live_server, new_page, screens):
    base = live_server.url
    MaterialFactory()  # pla
    MaterialFactory(code="petg", name="PETG", colours=["black", "orange"])
    UserFactory(username="dana", role=Role.CUSTOMER)
    UserFactory(username="sam", role=Role.STAFF, is_staff=True)
    erin = UserFactory(username="erin", role=Role.CUSTOMER)

    # Dana applies from the home page's link.
    dana = new_page()
    log_in(dana, base, "dana")
    dana.goto(f"{base}/")
    dana.click("main a[href='/makers/apply/']")
    dana.check("input[name=kind][value=private]")
    dana.fill("#id_display_name", "Dana's Prints")
    dana.fill("#id_about", "A Prusa clone and a lot of filament in Kreuzberg.")
    dana.fill("#id_address_line1", "Oranienstraße 25")
    dana.fill("#id_postcode", "10999")
    dana.fill("#id_city", "Berlin")
    dana.fill("#id_country", "DE")
    dana.fill("#id_capacity", "3")
    dana.fill("#id_hours_to_respond", "6")
    dana.fill("#id_printers-0-name", "Garage FDM")
    dana.click("[data-printer-form='0'] summary")
    dana.select_option("#id_printers-0-process", "fdm")
    dana.fill("#id_printers-0-build_x_mm", "250")
    dana.fill("#id_printers-0-build_y_mm", "210")
    dana.fill("#id_printers-0-build_z_mm", "210")
    dana.check("[data-printer-form='0'] input[name='printers-0-materials'][value=pla]")
    dana.fill("#id_printers-0-colours", "black, orange")
    dana.fill("#id_payout_account_holder", "Dana Example")
    dana.fill("#id_payout_iban", "DE89 3704 0044 0532 0130 00")
    shoot_both(dana, screens, "apply-form")
    dana.click("#apply-form button[type=submit]")
    dana.wait_for_selector("[data-application-status=submitted]")
    application = MakerApplication.objects.get()
    assert (application.display_name, application.status) == ("Dana's Prints", "submitted")

    # Staff approve it.
    staff = new_page()
    log_in(staff, base, "sam")
    staff.click("nav a[href='/dashboard/makers/']")
    staff.wait_for_selector(f"[data-application='{application.pk}']")
    shoot_both(staff, screens, "staff-list")
    staff.click(f"[data-application='{application.pk}'] form[action$='/approve/'] button")
    staff.wait_for_selector("text=Dana's Prints is a maker now.")
    maker = Maker.objects.get()
    assert (maker.name, maker.on_probation, list(maker.members.values_list("username", flat=True))) == (
        "Dana's Prints",
        True,
        ["dana"],
    )

    # Dana, now a maker, loads PETG too.
    dana.goto(f"{base}/maker/printers/")
    dana.click("[data-printer='Garage FDM'] a")
    dana.check("input[name=materials][value=petg]")
    dana.click("#printer-form button[type=submit]")
    dana.wait_for_selector("text=Printer saved.")
    assert dana.inner_text("[data-printer='Garage FDM'] [data-materials]") == "petg, pla"
    printer = Printer.objects.get(maker=maker)
    assert sorted(printer.materials.values_list("code", flat=True)) == ["petg", "pla"]
    shoot_both(dana, screens, "printers")

    # Erin orders a part in PETG near Dana: the job is offered to Dana's maker.
    version = ReadyVersionFactory(design__owner=erin, design__name="Bracket")
    order = order_place(
        customer=erin,
        delivery=delivery(BERLIN),
        items=[ItemRequest(design_version_id=version.pk, material_code="petg", quantity=1, colour="")],
    )
    order_confirm(order_id=order.pk, actor=erin)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    assert (job.maker, job.status, job.material.code) == (maker, JobStatus.OFFERED, "petg")
    dana.goto(f"{base}/maker/jobs/")
    assert dana.locator(f"a[href='/maker/jobs/{job.pk}/']").count() >= 1

    dana.goto(f"{base}/maker/numbers/")
    assert dana.inner_text("[data-stat=reliability]") == "0.800"
    assert "1 of at most 2" in dana.inner_text("[data-probation]")
    shoot_both(dana, screens, "numbers")
    assert dana.script_errors == [] and staff.script_errors == []
