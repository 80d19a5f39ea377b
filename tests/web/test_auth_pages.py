"""Sign up (through the accounts service), log in, log out."""

import pytest
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.factories import UserFactory
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    data = {"username": "dora", "email": "dora@example.com", "password": "a-long-pass-phrase", "password_again": ""}
    data.update(overrides)
    data["password_again"] = data["password_again"] or data["password"]
    return client.post("/signup/", data)


def test_signing_up_makes_a_customer_with_a_token_and_logs_in():
    client = client_as(None)
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="dora")
    assert (user.role, user.email, user.is_staff) == ("customer", "dora@example.com", False)
    assert Token.objects.filter(user=user).count() == 1
    home = client.get("/")
    assert home.context["user"] == user
    assert "Welcome, dora." in home.content.decode()


def test_a_weak_password_is_refused_with_the_services_words():
    response = sign_up(client_as(None), password="12345678")
    assert response.status_code == 200
    assert "Password not accepted:" in response.content.decode()
    assert not User.objects.filter(username="dora").exists()


def test_a_taken_name_is_refused_whatever_its_case():
    UserFactory(username="Dora")
    response = sign_up(client_as(None), username="dora")
    assert "The user name &#x27;dora&#x27; is taken." in response.content.decode()
    assert User.objects.filter(username__iexact="dora").count() == 1


def test_two_different_passwords_are_refused():
    response = sign_up(client_as(None), password="a-long-pass-phrase", password_again="another-pass-phrase")
    assert response.context["form"].errors == {"password_again": ["The two passwords differ."]}
    assert not User.objects.filter(username="dora").exists()


def test_log_in_then_out(customer):
    client = client_as(None)
    page = client.get("/login/")
    assert '<label for="id_username">' in page.content.decode()
    response = client.post("/login/", {"username": "carol", "password": "correct-horse-battery"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/orders/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/orders/").status_code == 302


def test_a_wrong_password_shows_an_error_and_no_session(customer):
    client = client_as(None)
    response = client.post("/login/", {"username": "carol", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert client.get("/orders/").status_code == 302


def test_makers_and_staff_land_on_their_own_pages(maker_user, staff):
    assert client_as(maker_user).get("/")["Location"] == "/maker/jobs/"
    assert client_as(staff).get("/")["Location"] == "/dashboard/"
