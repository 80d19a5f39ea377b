import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import ApiToken, Role, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_register_creates_a_customer_with_a_token(api):
    # when someone registers
    response = api.post(
        "/api/auth/register/",
        {"username": "alice", "password": "a-long-passphrase-9", "email": "a@example.com"},
        format="json",
    )
    # then a customer exists and the answer carries its token
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["role"] == "customer"
    assert body["user"]["is_staff"] is False
    user = User.objects.get(username="alice")
    assert user.role == Role.CUSTOMER
    assert ApiToken.objects.get(user=user).digest == ApiToken.digest_of(body["token"])
    assert "password" not in body["user"]
    # ... with its e-mail address waiting for verification, and the link sent to it
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("a@example.com", True, False)
    assert body["user"]["email_verified"] is False
    assert [message.to for message in mail.outbox] == [["a@example.com"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_token_login_and_use(api):
    api.post("/api/auth/register/", {"username": "bob", "password": "a-long-passphrase-9"}, format="json")
    # when bob logs in with the right password
    response = api.post("/api/auth/token/", {"username": "bob", "password": "a-long-passphrase-9"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    # then the token authenticates him
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "bob"


def test_wrong_password_is_refused_with_a_readable_message(api):
    api.post("/api/auth/register/", {"username": "bob", "password": "a-long-passphrase-9"}, format="json")
    response = api.post("/api/auth/token/", {"username": "bob", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["detail"]


def test_duplicate_name_is_a_conflict_and_changes_nothing(api):
    api.post("/api/auth/register/", {"username": "alice", "password": "a-long-passphrase-9"}, format="json")
    response = api.post("/api/auth/register/", {"username": "ALICE", "password": "another-passphrase-7"}, format="json")
    assert response.status_code == 409
    assert "taken" in response.json()["detail"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"username": "eve", "password": "123"}, "Password not accepted"),
        ({"username": "eve", "password": "password"}, "too common"),
        ({"password": "a-long-passphrase-9"}, "username"),
        ({"username": "eve", "password": "a-long-passphrase-9", "email": "not-an-address"}, "email"),
    ],
)
def test_bad_registrations_are_400_with_the_reason(api, payload, fragment):
    response = api.post("/api/auth/register/", payload, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert not User.objects.filter(username="eve").exists()


def test_register_cannot_choose_a_role(api):
    response = api.post(
        "/api/auth/register/",
        {"username": "mallory", "password": "a-long-passphrase-9", "role": "staff"},
        format="json",
    )
    assert response.status_code == 201
    assert User.objects.get(username="mallory").role == Role.CUSTOMER
    assert User.objects.get(username="mallory").is_staff is False


def test_anonymous_is_refused_where_login_is_needed(api):
    response = api.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_roles_are_exposed(customer, maker_user, staff):
    assert client_for(customer).get("/api/auth/me/").json()["role"] == "customer"
    assert client_for(maker_user).get("/api/auth/me/").json()["role"] == "maker"
    assert client_for(staff).get("/api/auth/me/").json()["is_staff"] is True


def test_repeated_failed_logins_for_one_account_get_429(api):
    api.post("/api/auth/register/", {"username": "dora", "password": "a-long-passphrase-9"}, format="json")
    answers = [
        api.post("/api/auth/token/", {"username": "dora", "password": f"wrong-{i}"}, format="json").status_code
        for i in range(6)
    ]
    assert answers == [400, 400, 400, 400, 400, 429]
    locked = api.post("/api/auth/token/", {"username": "dora", "password": "a-long-passphrase-9"}, format="json")
    assert locked.status_code == 429  # even the right password waits out the lockout
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed log-ins" in locked.json()["detail"]


def test_a_lockout_does_not_touch_other_accounts_or_addresses(api):
    from rest_framework.test import APIClient

    for name in ("dora", "eric"):
        api.post("/api/auth/register/", {"username": name, "password": "a-long-passphrase-9"}, format="json")
    for i in range(5):
        api.post("/api/auth/token/", {"username": "dora", "password": f"wrong-{i}"}, format="json")
    assert (
        api.post("/api/auth/token/", {"username": "eric", "password": "a-long-passphrase-9"}, format="json").status_code
        == 200
    )
    elsewhere = APIClient(REMOTE_ADDR="10.9.8.7")
    assert (
        elsewhere.post(
            "/api/auth/token/", {"username": "dora", "password": "a-long-passphrase-9"}, format="json"
        ).status_code
        == 200
    )


def test_an_office_logging_in_twenty_people_is_never_throttled(api):
    from tests.factories import UserFactory

    users = [UserFactory(username=f"shop{i}") for i in range(20)]
    for user in users:  # one address, twenty accounts, each mistyping once then getting it right
        assert (
            api.post("/api/auth/token/", {"username": user.username, "password": "typo"}, format="json").status_code
            == 400
        )
        assert (
            api.post(
                "/api/auth/token/", {"username": user.username, "password": "correct-horse-battery"}, format="json"
            ).status_code
            == 200
        )
