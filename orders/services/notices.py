"""The words of the orders app: notifications in each recipient's language, status labels and pure packages' messages
in the reader's language (``label_in_sentence``, ``sentence``).

``tell(users=..., subject=lambda: _("Order %(number)s has shipped") % {...}, ...)`` builds the subject and the body
once per recipient inside ``translation.override(<their language>)`` (``User.language``, else ``LANGUAGE_CODE``) and
records the finished text with ``core.notifications.notify``. A plain string (a person's own words) is sent as it is.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from core.formatting import number_text
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


def sentence(template: str, params: dict) -> str:
    """A pure package's message (a ``gettext_noop`` template and its values) in the reader's language: the
    template translated, numbers written their way ("1.869" in German) and sizes as "220 x 40,5 x 30"."""
    return _(template) % {key: _localised(value) for key, value in params.items()}


def _localised(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        exact = Decimal(str(value)).normalize()
        return number_text(exact, max(0, -exact.as_tuple().exponent))
    if isinstance(value, tuple) and value and all(isinstance(part, int | float | Decimal) for part in value):
        return " x ".join(_localised(part) for part in value)
    return value


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
