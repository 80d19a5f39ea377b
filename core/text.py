"""Free text from people (messages, names, reasons): trimmed, bounded, and without control characters.

PostgreSQL cannot store NUL in text and other control characters only cause trouble in e-mails and pages;
refusing them here keeps every database the same and every request a clear 400 rather than a 500.
"""

import unicodedata

from core.errors import DomainError

ALLOWED_CONTROLS = {"\n", "\t"}


def clean_text(value, *, field: str, max_length: int, required: bool = False) -> str:
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if any(unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS for char in text):
        raise DomainError(f"{field} contains control characters; remove them and try again.", code="bad_text")
    if required and not text:
        raise DomainError(f"{field} is required.", code="required")
    if len(text) > max_length:
        raise DomainError(f"{field} can be at most {max_length:,} characters.", code="too_long")
    return text
