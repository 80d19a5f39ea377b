"""Notifications written in each recipient's language.

``tell(users=..., subject=lambda: _("Order %(number)s has shipped") % {...}, ...)`` builds the subject and the body
once per recipient inside ``translation.override(<their language>)`` (``User.language``, else ``LANGUAGE_CODE``) and
records the finished text with ``core.notifications.notify``. A plain string (a person's own words) is sent as it is.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from core.notifications import notify


def in_language_of(user):
    """``with in_language_of(user): ...``: gettext writes in the language ``user`` reads."""
    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def label_in_sentence(label, english: str | None = None) -> str:
    """A status label inside a sentence of an error: in English lower case as the messages always had it (or
    ``english``, where a message names the API value), in the other languages the label as written, which their
    translations put in quotation marks (German capitalises its nouns: „In Produktion“)."""
    if (translation.get_language() or "en").startswith("en"):
        return str(label).lower() if english is None else english
    return str(label)


def _text(value) -> str:
    return str((value() if callable(value) else value) or "")


def tell(*, users, subject, body="", **message) -> int:
    """Notify each of ``users`` in their own language; returns how many notifications were new."""
    count = 0
    for user in users:
        with in_language_of(user):
            text_subject, text_body = _text(subject), _text(body)
        if notify(user=user, subject=text_subject, body=text_body, **message) is not None:
            count += 1
    return count


def staff_users():
    return get_user_model().objects.filter(is_staff=True, is_active=True)
