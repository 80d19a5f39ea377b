"""The "Your data" page in a browser: the download, then the account deleted, at desktop and phone widths."""

import json
import zipfile

import pytest

from accounts.models import User
from tests.e2e.login import log_in as site_log_in
from tests.factories import ReadyVersionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def log_in(page, live_server, username):
    site_log_in(page, live_server.url, username, PASSWORD)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_customer_downloads_their_data_then_deletes_the_account(live_server, new_page, screens, width):
    user = UserFactory(username=f"rosa-{width}", email=f"rosa-{width}@example.org")
    ReadyVersionFactory(design__owner=user, design__name="Rosa's hook")
    page = new_page(width=width)
    log_in(page, live_server, user.username)
    page.click("footer >> text=Your data")
    assert page.url == f"{live_server.url}/account/privacy/"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing scrolls sideways
    screens.shoot(page, f"20-privacy-{width}")

    with page.expect_download() as download:
        page.click("text=Download my data")
    bundle = zipfile.ZipFile(download.value.path())
    assert [design["name"] for design in json.loads(bundle.read("data.json"))["designs"]] == ["Rosa's hook"]

    page.fill("#id_password", PASSWORD)
    page.check("#id_confirm")
    page.click("#delete-account-form button[type=submit]")
    assert page.url == f"{live_server.url}/"
    assert "Your account is deleted." in page.inner_text(".messages")
    screens.shoot(page, f"21-account-deleted-{width}")
    assert User.objects.get(pk=user.pk).username == f"deleted-{user.pk}"
    log_in(page, live_server, user.username)
    assert page.url.startswith(f"{live_server.url}/login/")
    assert page.script_errors == []
