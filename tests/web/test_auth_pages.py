"""Sign up, log in (user name or e-mail address), log out: django-allauth's views at the site's paths."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import ApiToken, LoginFailure, User
from tests.factories import UserFactory
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    data = {"username": "dora", "email": "dora@example.com", "password1": "a-long-pass-phrase", "password2": ""}
    data.update(overrides)
    data["password2"] = data["password2"] or data["password1"]
    return client.post("/signup/", data)


def test_signing_up_makes_a_customer_logs_in_and_sends_the_verification_link():
    client = client_as(None)
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="dora")
    assert (user.role, user.email, user.is_staff) == ("customer", "dora@example.com", False)
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("dora@example.com", False)
    ]
    assert ApiToken.objects.filter(user=user).count() == 0  # made on the tokens page when wanted
    assert [message.to for message in mail.outbox] == [["dora@example.com"]]
    home = client.get("/")
    assert home.context["user"] == user
    assert "Welcome, dora." in home.content.decode()


def test_a_weak_password_is_refused():
    response = sign_up(client_as(None), password1="12345678")
    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    assert not User.objects.filter(username="dora").exists()


def test_a_taken_name_is_refused_whatever_its_case():
    UserFactory(username="Dora")
    response = sign_up(client_as(None), username="dora")
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="dora").count() == 1


def test_two_different_passwords_are_refused():
    response = sign_up(client_as(None), password1="a-long-pass-phrase", password2="another-pass-phrase")
    assert response.context["form"].errors == {"password2": ["You must type the same password each time."]}
    assert not User.objects.filter(username="dora").exists()


@pytest.mark.parametrize("login", ["carol", "carol@example.com", "CAROL@example.com"])
def test_log_in_by_name_or_address_then_out(customer, login):
    client = client_as(None)
    page = client.get("/login/")
    assert '<label for="id_login">' in page.content.decode()
    response = client.post("/login/", {"login": login, "password": "correct-horse-battery"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/orders/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/orders/").status_code == 302


def test_a_wrong_password_shows_an_error_and_no_session(customer):
    client = client_as(None)
    response = client.post("/login/", {"login": "carol", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert client.get("/orders/").status_code == 302
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["carol"]


def test_five_wrong_passwords_lock_the_log_in_form_even_for_the_right_one(customer):
    client = client_as(None)
    for attempt in range(5):
        response = client.post("/login/", {"login": "carol", "password": f"wrong-{attempt}"})
        assert "not correct" in response.content.decode()
    # typing the e-mail address instead counts for the same account
    locked = client.post("/login/", {"login": "carol@example.com", "password": "correct-horse-battery"})
    assert locked.status_code == 200
    assert "Too many failed log-ins for this account from your address. Try again in" in locked.content.decode()
    assert client.get("/orders/").status_code == 302
    assert LoginFailure.objects.filter(username="carol").count() == 5  # refusals while locked are not counted
    assert (
        client_as(None, REMOTE_ADDR="10.1.2.3")
        .post("/login/", {"login": "carol", "password": "correct-horse-battery"})
        .status_code
        == 302
    )  # another address is not locked out


def test_a_right_password_clears_the_accounts_failures_from_that_address(customer):
    client = client_as(None)
    for attempt in range(3):
        client.post("/login/", {"login": "carol", "password": f"wrong-{attempt}"})
    assert client.post("/login/", {"login": "carol", "password": "correct-horse-battery"}).status_code == 302
    assert LoginFailure.objects.count() == 0


def test_makers_and_staff_land_on_their_own_pages(maker_user, staff):
    assert client_as(maker_user).get("/")["Location"] == "/maker/jobs/"
    assert client_as(staff).get("/")["Location"] == "/dashboard/"
