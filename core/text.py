"""Free text from people (messages, names, reasons): trimmed, bounded, and without control characters.

PostgreSQL cannot store NUL in text and other control characters only cause trouble in e-mails and pages;
refusing them here keeps every database the same and every request a clear 400 rather than a 500.
"""

import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.formatting import number_text

ALLOWED_CONTROLS = {"\n", "\t"}


def clean_text(value, *, field: str, max_length: int, required: bool = False) -> str:
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if any(unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS for char in text):
        raise DomainError(
            _("%(field)s contains control characters; remove them and try again.") % {"field": field}, code="bad_text"
        )
    if required and not text:
        raise DomainError(_("%(field)s is required.") % {"field": field}, code="required")
    if len(text) > max_length:
        raise DomainError(
            _("%(field)s can be at most %(count)s characters.") % {"field": field, "count": number_text(max_length)},
            code="too_long",
        )
    return text


class Reason(str):
    """A reason the platform writes for a status change: the English text, which is what the event row stores and
    the API shows, carrying its ``gettext_noop`` template and values so that pages and notifications say it in the
    reader's language (``StatusEvent.reason_display``). ``Reason(gettext_noop("offered to %(maker)s"), maker=...)``.
    Values that are numbers are written the reader's way; pass identifiers as strings."""

    template: str
    values: dict

    def __new__(cls, template: str, **values):
        text = super().__new__(cls, template % values if values else template)
        text.template, text.values = template, values
        return text

    def stored_values(self) -> dict:
        """The values as JSON keeps them: numbers as numbers, amounts as ``{"decimal": "15.70"}`` (their decimals
        kept), anything else as text."""
        return {key: _stored(value) for key, value in self.values.items()}


def _stored(value):
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return str(value)
