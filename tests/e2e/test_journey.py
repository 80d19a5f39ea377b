"""The whole journey through the pages in a real browser, with a real worker behind the queue.

A customer signs up, uploads a real mesh, waits for the printability check, sees the 3D preview rendered,
gets a quote and orders; the maker accepts, prints, photographs and ships; the customer marks the order
delivered; staff see it on the dashboard. Screenshots of each page go to test-artifacts/screenshots/.
"""

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from PIL import Image

from orders.models import Job, Order
from tests.factories import totp_code
from tests.meshes import shared_meshes_dir
from web.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from web.management.commands.seed_demo import Command as SeedDemo

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHARED_MESH = "numpystl__rear_case.stl"
ANALYSIS_TIMEOUT_MS = 120_000
PHONE_WIDTH = 375

# Reads the WebGL canvas back (it keeps its drawing buffer) and measures how much of it is not background.
CANVAS_CONTENT = """(selector) => {
  const canvas = document.querySelector(selector + " canvas");
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext("2d");
  context.drawImage(canvas, 0, 0);
  const data = context.getImageData(0, 0, copy.width, copy.height).data;
  const [r0, g0, b0] = [data[0], data[1], data[2]];
  const colours = new Set();
  let drawn = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) > 30) drawn += 1;
    colours.add(((data[i] >> 3) << 10) | ((data[i + 1] >> 3) << 5) | (data[i + 2] >> 3));
  }
  return { pixels: data.length / 4, drawn, colours: colours.size };
}"""


def mesh_file(tmp_path: Path) -> Path:
    """A shared real mesh; without the shared folder, a generated part (a box with a hole) instead."""
    folder = shared_meshes_dir()
    if folder is not None and (folder / SHARED_MESH).exists():
        return folder / SHARED_MESH
    import trimesh

    part = trimesh.creation.box(extents=(40, 30, 12)).difference(trimesh.creation.cylinder(radius=6, height=20))
    path = tmp_path / "bracket.stl"
    part.export(path)
    return path


def photo_file(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (214, 128, 52)).save(buffer, format="JPEG")
    path = tmp_path / "printed.jpg"
    path.write_bytes(buffer.getvalue())
    return path


def seed_world() -> None:
    """The demo's materials, makers in five cities with printers, and the staff account."""
    seed = SeedDemo()
    seed._users()
    seed._materials()
    seed._makers()


def log_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the site's form; an account with an authenticator (the demo's staff) gives its code."""
    page.goto(f"{base}/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill("#id_code", totp_code(DEMO_TOTP_SECRET))
        page.click("main button[type=submit]")
        page.wait_for_load_state()


def open_verification_link(page, address: str) -> None:
    """Open the newest verification message sent to ``address`` (live_server's e-mail is locmem) and confirm."""
    message = [m for m in mail.outbox if m.to == [address]][-1]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def scroll_to(page, selector: str) -> None:
    page.eval_on_selector(selector, "element => element.closest('section').scrollIntoView({block: 'start'})")


def fits_a_phone(page) -> bool:
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    return width <= PHONE_WIDTH


def test_customer_maker_and_staff_journey(live_server, celery_worker, new_page, screens, tmp_path):
    base = live_server.url
    seed_world()

    # A customer signs up.
    customer = new_page()
    customer.goto(f"{base}/signup/")
    screens.shoot(customer, "01-signup")
    customer.fill("#id_username", "erin")
    customer.fill("#id_email", "erin@example.com")
    customer.fill("#id_password1", "a-long-pass-phrase")
    customer.fill("#id_password2", "a-long-pass-phrase")
    customer.click("main button[type=submit]")
    assert "Welcome, erin." in customer.inner_text(".messages")
    # ... and confirms the e-mail address (needed before the first order) with the link sent to it.
    open_verification_link(customer, "erin@example.com")

    # ... uploads a mesh with the progress bar (the form posts to the API) and lands on the design page.
    customer.goto(f"{base}/designs/upload/")
    customer.set_input_files("#id_file", str(mesh_file(tmp_path)))
    customer.fill("#id_name", "Rear case")
    screens.shoot(customer, "02-upload")
    customer.click("#upload-button")
    customer.wait_for_url(re.compile(r"/designs/\d+/$"))
    design_url = customer.url

    # ... waits for the check: the page polls and reloads itself, then the viewer renders the GLB preview.
    customer.wait_for_selector("#viewer[data-state=rendered]", timeout=ANALYSIS_TIMEOUT_MS)
    customer.wait_for_timeout(300)
    content = customer.evaluate(CANVAS_CONTENT, "#viewer")
    assert content["drawn"] / content["pixels"] > 0.03, content
    assert content["colours"] > 20, content
    assert "Printability report" in customer.inner_text("main")
    assert customer.locator("table >> text=PLA").count() >= 1
    screens.shoot(customer, "03-design", full_page=False)
    screens.shoot(customer, "03-design-full")
    assert fits_a_phone(customer)

    # ... asks for a quote near Berlin and orders it.
    customer.select_option("#id_material", "pla")
    customer.fill("#id_quantity", "2")
    customer.fill("#id_city", "Berlin")
    customer.click("#quote-form button[type=submit]")
    customer.wait_for_url(re.compile(r"/quotes/\d+/$"))
    makers_table = customer.inner_text("#makers-heading + .table-wrap")
    assert "km" in makers_table and "Kreuzberg Print Lab" in makers_table
    screens.shoot(customer, "04-quote", full_page=False)
    # ... picks a maker, says where to deliver, and pays on the payment page.
    offers = customer.locator("#id_offer option").all_inner_texts()
    assert any("Kreuzberg Print Lab" in offer for offer in offers), offers
    customer.fill("#id_name", "Erin Example")
    customer.fill("#id_line1", "Oranienstraße 25")
    customer.fill("#id_postcode", "10999")
    customer.fill("#id_city", "Berlin")
    customer.fill("#id_country", "DE")
    customer.click("#order-form button[type=submit]")
    customer.wait_for_url(re.compile(r"/pay/test/[^/]+/$"))
    order = Order.objects.get(customer__username="erin")
    assert order.status == "awaiting_payment"
    assert f"Pay €{order.total}" in customer.inner_text("main")
    screens.shoot(customer, "04b-payment", full_page=False)
    customer.click("button[value=pay]")
    customer.wait_for_url(re.compile(r"/orders/\d+/$"))
    order.refresh_from_db()
    assert order.status in ("confirmed", "routing")
    assert "Invoice" in customer.inner_text("main")

    # The worker routes it: the live timeline shows the offer without a reload.
    customer.wait_for_selector('#order-live [data-status="offered"]', timeout=60_000)
    job = Job.objects.get(order=order, status="offered")
    maker_name = f"maker-{job.maker.slug}"
    screens.shoot(customer, "05-order-routing", full_page=False)

    # The maker sees the offer counting down, accepts, prints, photographs and ships.
    maker = new_page()
    log_in(maker, base, maker_name)
    assert maker.url == f"{base}/maker/jobs/"
    countdown = maker.inner_text("time[data-countdown]")
    assert re.fullmatch(r"3 h \d\d min \d\d s", countdown), countdown
    screens.shoot(maker, "06-job-board", full_page=False)
    maker.click(f"a[href='/maker/jobs/{job.pk}/']")
    maker.wait_for_url(f"{base}/maker/jobs/{job.pk}/")  # the click returns before the job page has loaded
    maker.wait_for_selector("svg.plate rect.part")
    assert maker.locator("svg.plate rect.part").count() == 2
    scroll_to(maker, "#plates-heading")
    screens.shoot(maker, "07-job-plate", full_page=False)
    assert maker.locator("#delivery-address").count() == 0  # an offer shows the city only
    maker.click("text=Accept the job")
    assert "is yours" in maker.inner_text(".messages")
    assert "Oranienstraße 25" in maker.inner_text("#delivery-address")  # now the maker holds it
    maker.click("#progress-form button[type=submit]")  # printing
    maker.set_input_files("#id_photo", str(photo_file(tmp_path)))
    maker.click("#progress-form button[type=submit]")  # printed, with the photo
    screens.shoot(maker, "07-job", full_page=True)
    maker.fill("#id_tracking", "JJD000390007")
    maker.fill("#id_carrier", "DHL")
    maker.click("#progress-form button[type=submit]")  # shipped
    assert "shipped reported" in maker.inner_text(".messages")

    # The customer's order page follows by itself, then the customer confirms delivery.
    customer.wait_for_selector("text=I received the parts", timeout=30_000)
    assert "JJD000390007" in customer.inner_text("#order-live")
    customer.click("text=I received the parts")
    customer.wait_for_selector('#order-live .badge[data-status="delivered"]')
    timeline = [t.get_attribute("data-status") for t in customer.locator("#order-timeline .badge").all()]
    assert timeline == [
        "placed",
        "awaiting_payment",
        "confirmed",
        "routing",
        "in_production",
        "shipped",
        "delivered",
    ]
    screens.shoot(customer, "08-order-delivered")
    assert fits_a_phone(customer)

    # The template page re-renders its live preview after a change.
    customer.goto(f"{base}/templates/ring/")
    customer.wait_for_selector("#template-viewer[data-state=rendered]", timeout=30_000)
    customer.fill("#parameter-band_width", "8")
    customer.wait_for_selector('#template-viewer[data-renders="2"]', timeout=30_000)
    screens.shoot(customer, "09-template", full_page=False)

    # Staff see it on the dashboard.
    staff = new_page()
    log_in(staff, base, "staff")
    assert staff.url == f"{base}/dashboard/"
    assert staff.inner_text('[data-stat="batches-completed"]') == "1"
    assert staff.inner_text('[data-stat="sourcing-jobs"]') == "1"
    assert staff.inner_text('[data-stat="worker"]') == "up"
    assert staff.locator("#orders-chart-title").count() == 1
    screens.shoot(staff, "10-dashboard")
    scroll_to(staff, "#orders-chart-heading")
    screens.shoot(staff, "10-dashboard-charts", full_page=False)
    assert fits_a_phone(staff)

    for page in (customer, maker, staff):
        assert page.script_errors == []
    assert design_url.startswith(base)
