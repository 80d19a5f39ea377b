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
