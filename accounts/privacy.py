"""The account's own personal data: the profile, the address book, failed log-ins under the account's name, the API
tokens, e-mail addresses, two-factor authenticators and sessions, and the notifications (core's, which the
foundation cannot register itself). The user row itself stays (orders, invoices and the ledger point at it),
anonymised."""

import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import Address, ApiToken, LoginFailure, User
from accounts.personal_data import Export, eraser, exporter
from core.models import Notification


@exporter("access")
def export_access(user: User) -> Export:
    """E-mail addresses, API tokens (names and prefixes: keys are never kept) and two-factor methods (kinds only:
    secrets stay secret)."""
    return Export(
        {
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("id")
            ],
            "api_tokens": [
                {
                    "name": token.name,
                    "prefix": token.prefix,
                    "scope": token.scope,
                    "created_at": token.created_at,
                    "last_used_at": token.last_used_at,
                }
                for token in ApiToken.objects.filter(user=user).order_by("id")
            ],
            "two_factor": sorted({authenticator.type for authenticator in Authenticator.objects.filter(user=user)}),
        }
    )


@exporter("profile")
def export_profile(user: User) -> Export:
    return Export(
        {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "language": getattr(user, "language", ""),
            "webhook_url": user.webhook_url,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        }
    )


@exporter("addresses")
def export_addresses(user: User) -> Export:
    fields = ("name", "line1", "line2", "postcode", "city", "country", "phone", "latitude", "longitude")
    return Export(
        [
            {
                "id": address.pk,
                **{name: getattr(address, name) for name in fields},
                "last_used_at": address.last_used_at,
            }
            for address in Address.objects.filter(user=user).order_by("id")
        ]
    )


@exporter("login_failures")
def export_login_failures(user: User) -> Export:
    failures = LoginFailure.objects.filter(username=user.username.lower()).order_by("id")
    return Export([{"at": failure.created_at, "address": failure.address} for failure in failures])


@exporter("notifications")
def export_notifications(user: User) -> Export:
    return Export(
        [
            {
                "kind": item.kind,
                "subject": item.subject,
                "body": item.body,
                "link": item.link,
                "created_at": item.created_at,
                "read_at": item.read_at,
            }
            for item in Notification.objects.filter(user=user).order_by("id")
        ]
    )


def _sessions_of(user: User) -> list[str]:
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            keys.append(session.session_key)
    return keys


@eraser("accounts")
def erase_account(erasure) -> None:
    """Last of all: the address book, failed log-ins, the API token and sessions go; the user row is anonymised
    (``deleted-<id>``, no e-mail or names, an unusable password, inactive, no webhook)."""
    user = erasure.user
    erasure.count("notifications", Notification.objects.filter(user=user).delete()[0])
    erasure.count("addresses", Address.objects.filter(user=user).delete()[0])
    erasure.count("login_failures", LoginFailure.objects.filter(username=erasure.username.lower()).delete()[0])
    erasure.count("tokens", ApiToken.objects.filter(user=user).delete()[0])
    erasure.count("email_addresses", EmailAddress.objects.filter(user=user).delete()[0])
    erasure.count("authenticators", Authenticator.objects.filter(user=user).delete()[0])
    erasure.count("sessions", Session.objects.filter(session_key__in=_sessions_of(user)).delete()[0])
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.webhook_url = ""
    user.webhook_secret = secrets.token_hex(32)
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=["username", "email", "first_name", "last_name", "webhook_url", "webhook_secret", "is_active"]
        + ["password"]
    )
