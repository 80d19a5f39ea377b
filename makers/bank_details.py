"""A maker's payout account: IBAN and BIC checks, pure (python-stdnum only, no Django, no app code).

Why here and not ``billing.sepa.accounts``: makers stand below billing, so the maker profile (makers app) may not
import billing; and billing's pure SEPA package may import no app code, so it cannot use this module either. The
two checks therefore both use python-stdnum directly. This one is the gate when a maker types the details; billing
checks them again with its own rules when it writes a transfer file, and skips (with the reason) a maker whose
details it would not send.
"""

import re
from typing import NamedTuple

from stdnum import bic as stdnum_bic
from stdnum import exceptions as stdnum_errors
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_eu_vat


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogues (makemessages); the Django side translates ``reason``."""
    return message


class AccountCheck(NamedTuple):
    valid: bool
    normalised: str  # compact and upper case ("DE89370400440532013000"); the cleaned input when invalid
    reason: str  # a sentence for a person, in English (its own template: ``gettext(reason)`` translates it); ""


def iban_check(raw: str) -> AccountCheck:
    """Check an IBAN (country, length, structure, check digits); spaces and lower case are fine."""
    number = stdnum_iban.compact(raw or "")
    if not number:
        return AccountCheck(False, "", gettext_noop("No IBAN was given."))
    try:
        stdnum_iban.validate(number)
    except stdnum_errors.InvalidChecksum:
        return AccountCheck(False, number, gettext_noop("The check digits of this IBAN do not match: is there a typo?"))
    except stdnum_errors.InvalidLength:
        return AccountCheck(False, number, gettext_noop("This IBAN has the wrong length for its country."))
    except stdnum_errors.InvalidFormat:
        if _country_length(number) not in (None, len(number)):
            return AccountCheck(False, number, gettext_noop("This IBAN has the wrong length for its country."))
        return AccountCheck(False, number, gettext_noop("This is not a valid IBAN."))
    except stdnum_errors.InvalidComponent:
        return AccountCheck(
            False, number, gettext_noop("The country, bank or account number in this IBAN is not valid.")
        )
    except stdnum_errors.ValidationError:
        return AccountCheck(False, number, gettext_noop("This is not a valid IBAN."))
    return AccountCheck(True, number, "")


def _country_length(number: str) -> int | None:
    """How long an IBAN of this number's country is (from python-stdnum's IBAN registry); None if unknown."""
    structure = stdnum_iban._ibandb.info(number)[0][1].get("bban", "")
    if not structure:
        return None
    return 4 + sum(int(part[:-1].rstrip("!")) for part in re.findall(r"\d+!?[nac]", structure))


def bic_check(raw: str) -> AccountCheck:
    """Check a BIC (SWIFT code): 8 or 11 characters, with a real country code."""
    code = stdnum_bic.compact(raw or "")
    if not code:
        return AccountCheck(False, "", gettext_noop("No BIC was given."))
    try:
        code = stdnum_bic.validate(code)
    except stdnum_errors.InvalidLength:
        return AccountCheck(False, code, gettext_noop("A BIC has 8 or 11 characters."))
    except stdnum_errors.ValidationError:
        return AccountCheck(
            False, code, gettext_noop("This is not a valid BIC (4 letters of the bank, the country, 2 more).")
        )
    return AccountCheck(True, code, "")


def iban_masked(iban: str) -> str:
    """The IBAN as others may see it: only the last four characters ("•••• 3000"); "" when there is none."""
    return f"•••• {iban[-4:]}" if iban else ""


def vat_check(raw: str) -> AccountCheck:
    """An EU VAT number's format and check digits (offline, python-stdnum), for a business applying as a maker.

    billing.tax checks VAT numbers for invoices with the same library, but makers stand below billing and may not
    import it; this is the gate when the maker types it."""
    number = "".join((raw or "").split()).replace("-", "").replace(".", "").upper()
    if not number:
        return AccountCheck(False, "", gettext_noop("No VAT number was given."))
    if number[:2] == "GR":
        number = "EL" + number[2:]
    try:
        number = stdnum_eu_vat.validate(number)
    except stdnum_errors.InvalidChecksum:
        return AccountCheck(
            False, number, gettext_noop("The check digits of this VAT number do not match: is there a typo?")
        )
    except stdnum_errors.InvalidLength:
        return AccountCheck(False, number, gettext_noop("This VAT number has the wrong length for its country."))
    except stdnum_errors.ValidationError:
        return AccountCheck(
            False, number, gettext_noop("This is not a valid EU VAT number (it starts with the country, e.g. DE).")
        )
    return AccountCheck(True, number, "")
