"""Free text from people (messages, names, reasons): trimmed, bounded, and without control characters.

PostgreSQL cannot store NUL in text and other control characters only cause trouble in e-mails and pages;
refusing them here keeps every database the same and every request a clear 400 rather than a 500.
"""

import unicodedata

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
