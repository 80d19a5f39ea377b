"""Account reads."""

from allauth.account.models import EmailAddress

from accounts.models import ApiToken, User


def email_verified(user: User) -> bool:
    """The account's e-mail address is confirmed (needed before the first order)."""
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def email_pending(user: User) -> str:
    """The address waiting for verification, if any ("" when none)."""
    address = EmailAddress.objects.filter(user=user, verified=False).order_by("-primary", "-id").first()
    return address.email if address else ""


def api_tokens_of(user: User):
    """The user's API tokens, newest first (without keys: they are never stored)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
