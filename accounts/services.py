"""Account writes."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from accounts.staff import sync_staff_membership
from core.errors import Conflict, DomainError


def user_register(*, username: str, password: str, email: str = "", role: str = Role.CUSTOMER) -> User:
    """Create an account (a customer unless told otherwise) and its API token.

    The database's unique constraint settles two registrations racing for one name; the name is compared
    without case so "Alice" and "alice" cannot both exist.
    """
    username = username.strip()
    if not username:
        raise DomainError("Choose a user name.", code="username_required")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The user name {username!r} is taken.", code="username_taken")
    candidate = User(username=username, email=email.strip(), role=role)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise DomainError("Password not accepted: " + " ".join(error.messages), code="weak_password")
    candidate.set_password(password)
    candidate.is_staff = role == Role.STAFF
    try:
        with transaction.atomic():
            candidate.save()
            Token.objects.create(user=candidate)
            sync_staff_membership(candidate)
    except IntegrityError:
        raise Conflict(f"The user name {username!r} is taken.", code="username_taken")
    return candidate


def user_update_profile(*, user: User, email: str | None = None, webhook_url: str | None = None) -> User:
    """A person changes their own e-mail address or order webhook (an empty URL switches it off)."""
    changed = []
    if email is not None:
        user.email = email.strip()
        changed.append("email")
    if webhook_url is not None:
        user.webhook_url = webhook_url.strip()
        changed.append("webhook_url")
    if changed:
        user.save(update_fields=changed)
    return user
