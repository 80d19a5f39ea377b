"""IBAN and BIC checks, offline (python-stdnum's ``stdnum.iban`` and ``stdnum.bic``).

An IBAN is valid when its country is known to the IBAN registry, its length and structure are that country's
and its ISO 7064 mod 97-10 check digits match (plus the national check of the account number where python-stdnum
has one, e.g. Belgium, Spain, France ...). That says nothing of whether the account exists. Both results are
named tuples, so ``valid, normalised, reason = iban_check(raw)`` works.
"""

import re
from typing import NamedTuple

from stdnum import bic as stdnum_bic
from stdnum import exceptions as stdnum_errors
from stdnum import iban as stdnum_iban
from stdnum import numdb

BBAN_PART = re.compile(r"(\d+)!?[nac]")


class IbanCheck(NamedTuple):
    valid: bool
    normalised: str  # compact, upper case, no spaces ("DE89370400440532013000"); the cleaned input when invalid
    reason: str  # why not, a sentence for a person; "" when valid


class BicCheck(NamedTuple):
    valid: bool
    normalised: str  # 8 or 11 characters, upper case ("COBADEFFXXX")
    reason: str


def iban_check(raw: str) -> IbanCheck:
    """Check an IBAN; spaces, dashes and lower case are fine ("de89 3704 0044 0532 0130 00")."""
    number = stdnum_iban.compact(raw or "")
    if not number:
        return IbanCheck(False, "", "No IBAN was given.")
    if len(number) < 5 or not number[:2].isalpha() or not number[2:4].isdigit():
        return IbanCheck(False, number, "An IBAN starts with a two-letter country code and two check digits.")
    # The country and the length first: stdnum checks the check digits first, which hides a shorter IBAN's cause.
    country = numdb.get("iban").info(number)[0][1]
    if not country:
        return IbanCheck(False, number, f"{number[:2]} is not a country that issues IBANs.")
    length = 4 + sum(int(size) for size in BBAN_PART.findall(country.get("bban", "")))
    if len(number) != length:
        return IbanCheck(
            False, number, f"An IBAN of {country['country']} has {length} characters, this one has {len(number)}."
        )
    try:
        stdnum_iban.validate(number)
    except stdnum_errors.InvalidChecksum:
        return IbanCheck(False, number, "The check digits of this IBAN do not match: is there a typo?")
    except stdnum_errors.InvalidComponent:
        return IbanCheck(
            False, number, f"The bank or account number in this IBAN is not a valid one of {country['country']}."
        )
    except stdnum_errors.InvalidFormat:  # InvalidLength is one too
        return IbanCheck(False, number, f"This does not have the format of an IBAN of {country['country']}.")
    except stdnum_errors.ValidationError:
        return IbanCheck(False, number, "This is not a valid IBAN.")
    return IbanCheck(True, number, "")


def bic_check(raw: str) -> BicCheck:
    """Check a BIC (SWIFT code): 4 letters of the bank, the country, 2 of the place, optionally 3 of the branch."""
    code = stdnum_bic.compact(raw or "")
    if not code:
        return BicCheck(False, "", "No BIC was given.")
    try:
        code = stdnum_bic.validate(code)
    except stdnum_errors.InvalidLength:
        return BicCheck(False, code, "A BIC has 8 or 11 characters.")
    except stdnum_errors.InvalidComponent:
        return BicCheck(False, code, f"{code[4:6]} in this BIC is not a country code.")
    except stdnum_errors.ValidationError:
        return BicCheck(
            False, code, "A BIC is 4 letters (the bank), 2 (the country), 2 letters or digits, and maybe 3 more."
        )
    return BicCheck(True, code, "")
