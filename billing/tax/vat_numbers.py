"""An offline check of an EU VAT number: the country's format and check digits (python-stdnum's ``stdnum.eu.vat``).

It does not ask VIES whether the number is registered (that is a network call, left to the services if they want
it). A number is *valid* here when it can carry an intra-EU reverse charge: an EU member state's prefix and a
number that passes that state's check. Greece's prefix is ``EL`` (``GR`` is accepted and rewritten); numbers of
other countries (``GB``, ``CH``, ``NO`` ...), Northern Ireland's ``XI`` and the One-Stop-Shop ``EU`` numbers are
reported as not valid, with the reason.
"""

from dataclasses import dataclass, field

from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.util import clean

from billing.tax.rates import EU_MEMBER_STATES, UnknownCountryError, country_name, gettext_noop

SEPARATORS = " -./,"
EXAMPLE = "DE123456789"


@dataclass(frozen=True)
class VatNumberCheck:
    valid: bool
    country: str  # ISO 3166-1 alpha-2 of the prefix ("GR" for an "EL" number); "" when the prefix is no country
    number: str  # normalised with its VAT prefix ("DE136695976", "EL094259216"); the cleaned input when invalid
    reason: str = ""  # why it is not valid, a sentence for a person (English); "" when valid
    # ``reason`` as a template and its values, for the Django side to write it in the reader's language
    # (``params["name"]`` is the English name of the country ``params["iso"]``).
    template: str = ""
    params: dict = field(default_factory=dict, compare=False)


def _invalid(country: str, number: str, template: str, **params) -> VatNumberCheck:
    return VatNumberCheck(
        valid=False, country=country, number=number, reason=template % params, template=template, params=params
    )


def vat_number_check(raw: str) -> VatNumberCheck:
    """Check an EU VAT number offline; lower case, spaces, dots and dashes are fine ("de 136.695.976")."""
    number = clean(raw or "", SEPARATORS).strip().upper()
    if not number:
        return _invalid("", "", gettext_noop("No VAT number was given."))
    prefix = number[:2]
    if len(number) < 3 or not prefix.isalpha() or not prefix.isascii():
        return _invalid(
            "",
            number,
            gettext_noop("A VAT number starts with its country's two-letter prefix, for example %(example)s."),
            example=EXAMPLE,
        )
    if prefix == "XI":
        return _invalid(
            "GB",
            number,
            gettext_noop(
                "XI numbers (Northern Ireland) are not accepted here: only VAT numbers of EU member states qualify."
            ),
        )
    if prefix == "EU":
        return _invalid(
            "",
            number,
            gettext_noop(
                "EU numbers are One-Stop-Shop registrations, not a VAT number that allows an EU reverse charge."
            ),
        )
    country = "GR" if prefix in ("EL", "GR") else prefix
    if country not in EU_MEMBER_STATES:
        try:
            name = country_name(country)
        except UnknownCountryError:
            return _invalid(
                "",
                number,
                gettext_noop("%(prefix)s is not the prefix of an EU VAT number (e.g. %(example)s)."),
                prefix=prefix,
                example=EXAMPLE,
            )
        return _invalid(
            country,
            number,
            gettext_noop(
                "%(prefix)s is %(name)s, which is not in the EU: its numbers are not valid for an EU reverse charge."
            ),
            prefix=prefix,
            name=name,
            iso=country,
        )
    vat_prefix = "EL" if country == "GR" else country
    number = vat_prefix + number[2:]
    name = country_name(country)
    try:
        normalised = eu_vat.validate(number)
    except stdnum_errors.InvalidChecksum:
        return _invalid(
            country,
            number,
            gettext_noop("The check digits of this VAT number from %(name)s do not match: is there a typo?"),
            name=name,
            iso=country,
        )
    except stdnum_errors.InvalidLength:
        return _invalid(
            country,
            number,
            gettext_noop("This number has the wrong number of characters for a VAT number from %(name)s."),
            name=name,
            iso=country,
        )
    except stdnum_errors.InvalidFormat:
        return _invalid(
            country,
            number,
            gettext_noop("This number is not in the format of a VAT number from %(name)s."),
            name=name,
            iso=country,
        )
    except stdnum_errors.ValidationError:
        return _invalid(
            country,
            number,
            gettext_noop("This is not a valid VAT number from %(name)s."),
            name=name,
            iso=country,
        )
    if not normalised.startswith(vat_prefix):  # stdnum keeps the prefix it is given; be sure of it
        normalised = vat_prefix + normalised
    return VatNumberCheck(valid=True, country=country, number=normalised)
