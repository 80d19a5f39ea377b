"""Slowing down password guessing without getting in the way of real people.

Failed log-ins are rows (shared by every web process), counted in a sliding window three ways, as django-axes
does: one account from one address (a person mistyping: 5 tries), one account from anywhere (a distributed
guess at one account: 30), one address for any accounts (password spraying: 100, high enough for a shop
logging in its twenty makers and staff from one office). Successful log-ins never count, and they clear the
account's failures from that address. Beyond a limit the API answers 429 with Retry-After.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LoginFailure


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


class LockoutBackend(ModelBackend):
    """ModelBackend that refuses to check passwords while the account or address is locked out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        address = client_address(request)
        lockout = lockout_for(username=username or "", address=address)
        if lockout is not None:
            if request is not None:
                request.login_lockout = lockout
            raise PermissionDenied(lockout.reason)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            LoginFailure.objects.filter(username=(username or "").strip().lower(), address=address).delete()
        return user


def record_failure(sender, credentials, request=None, **kwargs):
    """``user_login_failed`` receiver: one row per wrong password (not for refusals while locked out)."""
    if request is not None and getattr(request, "login_lockout", None):
        return
    LoginFailure.objects.create(
        username=str(credentials.get("username", ""))[:150].strip().lower(), address=client_address(request)
    )
