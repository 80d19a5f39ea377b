"""TOTP two-factor authentication: optional for everyone, required for staff (pages, admin and API)."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.middleware import StaffTwoFactorMiddleware
from accounts.models import ApiToken, LoginFailure
from core.pages import staff_required
from tests.conftest import client_for
from tests.factories import STAFF_TOTP_SECRET, UserFactory, totp_code
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_staff(db):
    return UserFactory(username="stan", role="staff", is_staff=True, two_factor=False)


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/claims/", "/admin/", "/admin/orders/order/"])
def test_staff_without_an_authenticator_are_sent_to_enrol(bare_staff, path):
    response = client_as(bare_staff).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/2fa/totp/activate/?next={path.replace('/', '%2F')}"


def test_enrolled_staff_reach_the_dashboard_and_the_admin(staff):
    assert client_as(staff).get("/dashboard/").status_code == 200
    assert client_as(staff).get("/admin/").status_code == 200


def test_the_middleware_leaves_other_people_and_paths_alone(bare_staff, customer):
    middleware = StaffTwoFactorMiddleware(lambda request: "passed")
    request = RequestFactory().get("/designs/")
    request.user = bare_staff
    assert middleware(request) == "passed"
    request = RequestFactory().get("/admin/")
    request.user = customer
    assert middleware(request) == "passed"


def test_the_staff_page_decorator_sends_unenrolled_staff_to_enrol(bare_staff, staff):
    @staff_required
    def page(request):
        return "page"

    request = RequestFactory().get("/dashboard/payouts/")
    request.user = bare_staff
    request.session = {}
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    response = page(request)
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/2fa/totp/activate/?next=%2Fdashboard%2Fpayouts%2F",
    )
    request.user = staff
    assert page(request) == "page"


@pytest.mark.parametrize("path", ["/api/batches/", "/api/batches/1/", "/api/designs/", "/api/orders/"])
def test_what_staff_see_of_everybody_waits_for_two_factor(bare_staff, path):
    # staff see every batch, design and order: not before two-factor authentication
    refused = client_for(bare_staff).get(path)
    assert (refused.status_code, refused.json()["code"]) == (403, "mfa_required")


def test_staff_api_without_two_factor_is_403_mfa_required(bare_staff, staff):
    staff_only = client_for(bare_staff).post("/api/orders/1/refund/", {"amount": "1.00", "reason": "x"}, format="json")
    assert staff_only.status_code == 403
    assert staff_only.json()["code"] == "mfa_required"
    listing = client_for(bare_staff).get("/api/orders/")
    assert (listing.status_code, listing.json()["code"]) == (403, "mfa_required")
    assert client_for(staff).get("/api/orders/").status_code == 200
    # their own account stays readable, so a client can tell what is missing
    me = client_for(bare_staff).get("/api/auth/me/").json()
    assert (me["is_staff"], me["two_factor"]) == (True, False)
    assert client_for(bare_staff).get("/api/auth/tokens/").status_code == 200


def test_the_api_log_in_of_an_enrolled_account_needs_the_code(staff):
    api = APIClient()
    credentials = {"username": "sam", "password": "correct-horse-battery"}
    before = ApiToken.objects.count()
    missing = api.post("/api/auth/token/", credentials, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "otp_required")
    wrong = api.post("/api/auth/token/", {**credentials, "otp": "000000"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "otp_invalid")
    assert ApiToken.objects.count() == before
    right = api.post("/api/auth/token/", {**credentials, "otp": totp_code(STAFF_TOTP_SECRET)}, format="json")
    assert right.status_code == 200
    assert ApiToken.objects.count() == before + 1


def test_the_api_log_in_lockout_applies_before_the_code(staff):
    api = APIClient()
    for attempt in range(5):
        api.post("/api/auth/token/", {"username": "sam", "password": f"wrong-{attempt}"}, format="json")
    locked = api.post(
        "/api/auth/token/",
        {"username": "sam", "password": "correct-horse-battery", "otp": totp_code(STAFF_TOTP_SECRET)},
        format="json",
    )
    assert locked.status_code == 429
    assert LoginFailure.objects.filter(username="sam").count() == 5


def test_log_in_with_an_authenticator_asks_for_the_code(staff):
    browser = client_as(None)
    first = browser.post("/login/", {"login": "sam", "password": "correct-horse-battery"})
    assert (first.status_code, first["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert browser.get("/dashboard/").status_code == 302  # not logged in yet
    wrong = browser.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    second = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(STAFF_TOTP_SECRET)})
    assert second.status_code == 302
    assert browser.get("/dashboard/").status_code == 200


def test_customers_may_enrol_after_typing_their_password_again(customer):
    browser = client_as(customer)
    assert browser.get("/accounts/2fa/").status_code == 200
    assert browser.get("/orders/").status_code == 200  # optional: nothing is required of them
    # enrolling asks for the password again first (a session's log-in alone does not count)
    asked = browser.get("/accounts/2fa/totp/activate/")
    assert (asked.status_code, asked["Location"]) == (
        302,
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
    )
    wrong = browser.post("/accounts/reauthenticate/", {"password": "not-it"})
    assert wrong.status_code == 200
    assert browser.get("/accounts/2fa/totp/activate/").status_code == 302
    confirmed = browser.post(
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F", {"password": "correct-horse-battery"}
    )
    assert (confirmed.status_code, confirmed["Location"]) == (302, "/accounts/2fa/totp/activate/")
    # then the page shows a secret; its code enrols the app, with recovery codes
    page = browser.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()
    assert Authenticator.objects.filter(user=customer).count() == 0
    enrolled = browser.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert (enrolled.status_code, enrolled["Location"]) == (302, "/accounts/2fa/recovery-codes/")
    assert sorted(Authenticator.objects.filter(user=customer).values_list("type", flat=True)) == [
        "recovery_codes",
        "totp",
    ]
    assert customer.has_two_factor


def test_no_recovery_codes_without_an_authenticator(customer):
    browser = client_as(customer)
    browser.post("/accounts/reauthenticate/", {"password": "correct-horse-battery"})
    refused = browser.post("/accounts/2fa/recovery-codes/generate/")
    assert refused.status_code == 200
    assert "without having two-factor authentication enabled" in refused.content.decode()
    assert Authenticator.objects.filter(user=customer).count() == 0


def test_the_enrol_page_tells_staff_why_they_are_there(bare_staff, customer):
    for user, shown in ((bare_staff, True), (customer, False)):
        browser = client_as(user)
        browser.post("/accounts/reauthenticate/", {"password": "correct-horse-battery"})
        page = browser.get("/accounts/2fa/totp/activate/").content.decode()
        assert ('id="staff-two-factor"' in page) is shown, user.username
