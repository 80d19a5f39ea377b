"""Slowing down password guessing without getting in the way of real people.

Failed log-ins are rows (shared by every web process), counted in a sliding window three ways, as django-axes
does: one account from one address (a person mistyping: 5 tries), one account from anywhere (a distributed
guess at one account: 30), one address for any accounts (password spraying: 100, high enough for a shop
logging in its twenty makers and staff from one office). Successful log-ins never count, and they clear the
account's failures from that address. Beyond a limit the API answers 429 with Retry-After and the log-in page
says how long to wait.

The backend is allauth's (log in by user name or e-mail address) with the lockout in front, so the pages
(allauth's log-in form) and the API (``POST /api/auth/token/``) count the same failures. An account is counted
under its user name whichever of the two was typed, so switching between them gains nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LoginFailure, User


@dataclass(frozen=True)
class Lockout:
    reason: str
    retry_after_seconds: int


def client_address(request) -> str | None:
    """The caller's address. Behind a proxy set DJANGO_TRUSTED_PROXY_COUNT so X-Forwarded-For is used."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR")


def _retry_after(failures, now) -> int:
    oldest = failures.aggregate(first=Min("created_at"))["first"]
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return max(int((oldest + window - now).total_seconds()) + 1, 1) if oldest else 1


def lockout_for(*, username: str, address: str | None) -> Lockout | None:
    now = timezone.now()
    recent = LoginFailure.objects.filter(created_at__gt=now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS))
    username = (username or "").strip().lower()
    checks = [
        (
            recent.filter(username=username, address=address),
            settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
            _("Too many failed log-ins for this account from your address."),
        ),
        (
            recent.filter(username=username),
            settings.LOGIN_FAILURES_PER_ACCOUNT,
            _("Too many failed log-ins for this account."),
        ),
    ]
    if address:
        checks.append(
            (
                recent.filter(address=address),
                settings.LOGIN_FAILURES_PER_ADDRESS,
                _("Too many failed log-ins from your address."),
            )
        )
    for failures, limit, reason in checks:
        if failures.count() >= limit:
            return Lockout(reason=reason, retry_after_seconds=_retry_after(failures, now))
    return None


def login_key(credentials: dict) -> str:
    """What failures are counted under: the account's user name (lower case) when the typed user name or
    e-mail address names one, else what was typed."""
    typed = str(credentials.get("email") or credentials.get("username") or "").strip()
    if not typed:
        return ""
    match = Q(username__iexact=typed)
    if "@" in typed:
        match |= Q(email__iexact=typed) | Q(emailaddress__email__iexact=typed)
    username = User.objects.filter(match).values_list("username", flat=True).order_by("pk").first()
    return (username or typed)[:150].lower()


class LockoutBackend(AuthenticationBackend):
    """allauth's backend (user name or e-mail address) that refuses to check passwords while the account or
    the address is locked out."""

    def authenticate(self, request, **credentials):
        address = client_address(request)
        key = login_key(credentials)
        lockout = lockout_for(username=key, address=address)
        if lockout is not None:
            if request is not None:
                request.login_lockout = lockout
            raise PermissionDenied(lockout.reason)
        user = super().authenticate(request, **credentials)
        if user is not None:
            LoginFailure.objects.filter(username=key, address=address).delete()
        return user


def record_failure(sender, credentials, request=None, **kwargs):
    """``user_login_failed`` receiver: one row per wrong password (not for refusals while locked out)."""
    if request is not None and getattr(request, "login_lockout", None):
        return
    LoginFailure.objects.create(username=login_key(credentials), address=client_address(request))
