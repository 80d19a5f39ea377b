"""SEPA payouts (pure: no Django, no app code): IBAN and BIC checks (python-stdnum) and the pain.001.001.03
credit transfer file a bank takes for a batch of maker payouts (sepaxml, validated against its XML schema).
See ``accounts`` and ``transfers``."""

from billing.sepa.accounts import BicCheck, IbanCheck, bic_check, iban_check
from billing.sepa.transfers import Party, SepaError, Transfer, credit_transfer_xml

__all__ = [
    "BicCheck",
    "IbanCheck",
    "Party",
    "SepaError",
    "Transfer",
    "bic_check",
    "credit_transfer_xml",
    "iban_check",
]
