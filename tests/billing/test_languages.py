"""Billing's messages in the reader's language."""

from decimal import Decimal

import pytest
from django.utils import translation

from billing import services as billing
from billing.models import Account, EntryKind, LedgerEntry
from core.errors import Conflict


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Only 0.00 is left on this order's clearing (collected, not yet allocated); 5.00 cannot be moved."),
        (
            "de",
            "Auf dem Konto „Verrechnung (eingezogen, noch nicht zugeordnet)“ dieser Bestellung sind nur "
            "noch 0.00 übrig; "
            "5.00 können nicht gebucht werden.",
        ),
        (
            "fr",
            "Il ne reste que 0.00 sur le compte « Compte d’attente (encaissé, pas encore réparti) » de cette "
            "commande ; "
            "5.00 ne peuvent pas être transférés.",
        ),
    ],
)
def test_the_ledger_refuses_an_overdraft_naming_the_account_in_the_readers_words(db, language, message):
    # given an order whose clearing account holds nothing
    # when a movement out of it is posted in the reader's language
    with translation.override(language), pytest.raises(Conflict) as refused:
        billing._post(424242, EntryKind.VAT, Account.CLEARING, Account.VAT, Decimal("5.00"))
    # then it is refused with the same code, the account named as the reader calls it, and nothing is booked
    assert refused.value.code == "insufficient_funds"
    assert refused.value.message == message
    assert LedgerEntry.objects.count() == 0
