"""The makers API answers in the language the request asks for; the error codes stay the same."""

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "payout_iban: The check digits of this IBAN do not match: is there a typo?"),
        ("de", "payout_iban: Die Prüfziffern dieser IBAN stimmen nicht: Ist ein Tippfehler darin?"),
        (
            "fr",
            "payout_iban: Les chiffres de contrôle de cet IBAN ne correspondent pas : y a-t-il une faute de frappe ?",
        ),
        ("nl", "payout_iban: De controlecijfers van deze IBAN kloppen niet: zit er een typefout in?"),
    ],
)
def test_a_mistyped_iban_is_refused_in_the_makers_language(maker_user, language, detail):
    # given a maker without payout details
    maker = maker_user.makers.get()
    # when it saves an IBAN with a wrong check digit, reading the given language
    response = client_for(maker_user).patch(
        "/api/maker/profile/", {"payout_iban": "DE89370400440532013001"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    # then the refusal is in that language with the API's code, and nothing is saved
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == ("invalid", detail)
    maker.refresh_from_db()
    assert maker.payout_iban == ""
