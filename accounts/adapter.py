"""How allauth fits the platform: the log-in lockout's message on the log-in form, e-mails in the recipient's
language, and every account signed up on the pages is a customer (makers and staff are made by staff)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role


def recipient_language(user) -> str:
    """The language e-mails to ``user`` are written in (the saved choice once accounts keep one)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        lockout = getattr(request, "login_lockout", None)
        if user is None and lockout is not None:
            raise ValidationError(
                _("%(reason)s Try again in %(seconds)s seconds.")
                % {"reason": _(lockout.reason), "seconds": lockout.retry_after_seconds},
                code="too_many_failures",
            )
        return user

    def save_user(self, request, user, form, commit=True):
        # Sign-up makes customers only, whatever the form carried.
        user.role = Role.CUSTOMER
        user.is_staff = False
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            messages.success(
                request,
                _("Welcome, %(name)s. Upload a design or start from a template.") % {"name": user.username},
            )
        return user

    def send_mail(self, template_prefix, email, context):
        user = context.get("user")
        with translation.override(recipient_language(user) if user is not None else settings.LANGUAGE_CODE):
            super().send_mail(template_prefix, email, context)
