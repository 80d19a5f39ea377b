"""Pages, API errors and e-mails in the reader's language: the switch on every page, the language saved on the
account and applied at log-in, Accept-Language for the API, the recipient's language for notifications."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.template import engines
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.notifications import notification_deliver, notify
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_a_page_is_german_with_the_german_cookie():
    # given a visitor whose language cookie says German
    client = Client()
    client.cookies[COOKIE] = "de"
    # when they open the home page
    response = client.get("/")
    # then it is German, switch included, and says so
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in page
    assert "Ihr Teil, gedruckt von einem Maker in Ihrer Nähe" in page
    assert "Sprache wechseln" in page
    assert "Your part, printed by a maker near you" not in page


def test_the_switch_is_a_plain_form_with_every_language_in_its_own_name():
    page = Client().get("/templates/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert '<input type="hidden" name="next" value="/templates/">' in page
    assert '<label for="language-switch">Language</label>' in page
    for code, name in (("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("nl", "Nederlands")):
        assert f'<option value="{code}" lang="{code}"' in page
        assert f">{name}</option>" in page


def test_an_api_error_follows_accept_language_and_keeps_its_code(customer):
    # given a taken user name
    body = {"username": customer.username, "password": "a-long-passphrase-1"}
    # when someone registers it, once in French and once in English
    french = Client().post("/api/auth/register/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    english = Client().post("/api/auth/register/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    # then the message is in each language, the code the same
    assert french.status_code == english.status_code == 409
    assert french.json() == {"detail": "Le nom d’utilisateur 'carol' est déjà pris.", "code": "username_taken"}
    assert english.json() == {"detail": "The user name 'carol' is taken.", "code": "username_taken"}


def test_a_framework_error_is_translated_too():
    # given no credentials, asking in Dutch
    response = Client().get("/api/auth/me/", HTTP_ACCEPT_LANGUAGE="nl")
    # then DRF's own message is Dutch, with its code
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"] == "Authenticatiegegevens zijn niet opgegeven."


def test_a_notification_email_is_written_in_the_recipients_language(settings):
    # given a Dutch-reading customer
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reader = UserFactory(username="daan", language="nl")
    # when a notification is recorded while the request is in English
    with translation.override("en"):
        notification = notify(
            user=reader,
            kind="order.status",
            subject=lambda: _("Order %(number)s") % {"number": 7},
            body=gettext_lazy("No orders yet."),
        )
        notification_deliver(notification_id=notification.pk)
    # then the row and the e-mail are Dutch
    assert (notification.subject, notification.body) == ("Bestelling 7", "Nog geen bestellingen.")
    assert [(message.subject, message.body) for message in mail.outbox] == [("Bestelling 7", "Nog geen bestellingen.")]


def test_a_notification_to_someone_without_a_language_is_in_the_default_one():
    reader = UserFactory(username="eve")
    with translation.override("fr"):
        notification = notify(user=reader, kind="x", subject=gettext_lazy("No orders yet."))
    assert notification.subject == "No orders yet."


def test_the_switch_saves_the_language_of_a_signed_in_user(customer):
    # given a signed-in customer on the designs page
    client = Client()
    client.force_login(customer)
    # when they switch to French
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/designs/"})
    # then they are back on the page, the cookie and the account say French, and pages are French
    assert (response.status_code, response["Location"]) == (302, "/designs/")
    assert response.cookies[COOKIE].value == "fr"
    assert User.objects.get(pk=customer.pk).language == "fr"
    assert "Mes modèles" in client.get("/designs/").content.decode()


def test_an_unknown_language_changes_nothing(customer):
    client = Client()
    client.force_login(customer)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/designs/"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert User.objects.get(pk=customer.pk).language == ""


def test_an_anonymous_switch_sets_only_the_cookie():
    response = Client().post("/i18n/setlang/", {"language": "nl", "next": "/templates/"})
    assert (response.status_code, response["Location"], response.cookies[COOKIE].value) == (302, "/templates/", "nl")
    assert list(User.objects.exclude(language="").values_list("username", flat=True)) == []


def test_log_in_applies_the_saved_language():
    # given a customer who chose Dutch on another device, logging in on a browser with a German cookie
    UserFactory(username="femke", language="nl")
    client = Client()
    client.cookies[COOKIE] = "de"
    # when they log in
    response = client.post("/login/", {"login": "femke", "password": "correct-horse-battery"})
    # then the cookie becomes Dutch and the next page is Dutch
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "nl"
    assert "Nieuwste ontwerpen" in client.get("/").content.decode()


def test_the_api_shows_and_sets_the_language(customer):
    api = client_for(customer)
    assert api.get("/api/auth/me/").json()["language"] == ""
    response = api.patch("/api/auth/me/", {"language": "de"}, format="json")
    assert (response.status_code, response.json()["language"]) == (200, "de")
    assert User.objects.get(pk=customer.pk).language == "de"


def test_the_api_refuses_an_unknown_language_and_keeps_the_saved_one(customer):
    customer.language = "fr"
    customer.save(update_fields=["language"])
    response = client_for(customer).patch("/api/auth/me/", {"language": "xx"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert User.objects.get(pk=customer.pk).language == "fr"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "12,27\xa0€ · 1.234,5"),
        ("fr", "12,27\xa0€ · 1\u202f234,5"),
        ("nl", "€\xa012,27 · 1.234,5"),
        ("en", "€12.27 · 1,234.5"),
    ],
)
def test_money_and_numbers_are_written_the_readers_way(language, expected):
    template = engines["django"].from_string("{% load web %}{{ amount|money:'EUR' }} · {{ value|number:1 }}")
    with translation.override(language):
        assert template.render({"amount": Decimal("12.27"), "value": 1234.5}) == expected


def test_a_date_is_written_the_readers_way(customer):
    template = engines["django"].from_string('{{ moment|date:"DATE_FORMAT" }}')
    moment = customer.date_joined.replace(year=2026, month=3, day=4)
    with translation.override("de"):
        assert template.render({"moment": moment}) == "4. März 2026"
