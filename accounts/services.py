"""Account writes."""

import secrets

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import addresses
from accounts.models import Address, ApiToken, Role, TokenScope, User
from accounts.staff import sync_staff_membership
from core.errors import Conflict, DomainError, NotFound, TooManyRequests


def user_register(*, username: str, password: str, email: str = "", role: str = Role.CUSTOMER) -> User:
    """Create an account (a customer unless told otherwise) with its e-mail address, not yet verified
    (``email_verification_send`` sends the link).

    The database's unique constraint settles two registrations racing for one name; the name is compared
    without case so "Alice" and "alice" cannot both exist.
    """
    username = username.strip()
    if not username:
        raise DomainError("Choose a user name.", code="username_required")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The user name {username!r} is taken.", code="username_taken")
    email = email.strip()
    if email and EmailAddress.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("An account with this e-mail address exists: log in, or reset its password."), code="email_taken"
        )
    candidate = User(username=username, email=email, role=role)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise DomainError("Password not accepted: " + " ".join(error.messages), code="weak_password")
    candidate.set_password(password)
    candidate.is_staff = role == Role.STAFF
    try:
        with transaction.atomic():
            candidate.save()
            if email:
                EmailAddress.objects.create(user=candidate, email=email.lower(), primary=True, verified=False)
            sync_staff_membership(candidate)
    except IntegrityError:
        raise Conflict(f"The user name {username!r} is taken.", code="username_taken")
    return candidate


def user_update_profile(*, user: User, webhook_url: str | None = None) -> User:
    """A person changes their own order webhook (an empty URL switches it off). A new e-mail address goes
    through ``email_change_request``: it replaces the old one once verified."""
    changed = []
    if webhook_url is not None:
        user.webhook_url = webhook_url.strip()
        changed.append("webhook_url")
    if changed:
        user.save(update_fields=changed)
    return user


# E-mail addresses (django-allauth's EmailAddress rows) ------------------------------------------------------


def email_verification_send(*, request, user: User) -> EmailAddress:
    """Send (again) the verification link for the account's unverified address. ``request`` is the Django
    request the link is built for. Refused when there is nothing to verify, or sooner than allauth's
    cool-down allows (429)."""
    address = EmailAddress.objects.filter(user=user, verified=False).order_by("-primary", "-id").first()
    if address is None:
        if EmailAddress.objects.filter(user=user, verified=True).exists():
            raise Conflict(_("Your e-mail address is already verified."), code="email_already_verified")
        raise DomainError(_("Your account has no e-mail address: add one first."), code="email_missing")
    if not ratelimit.consume(request, action="confirm_email", key=address.email.lower()):
        raise TooManyRequests(_("A verification message was sent a moment ago: check your inbox, or try again later."))
    address.send_confirmation(request, signup=False)
    return address


def email_change_request(*, request, user: User, email: str) -> EmailAddress:
    """A person asks for a new e-mail address: it is verified by a link sent to it, and replaces the old one
    only then (allauth's change flow). An address another account has is refused."""
    email = email.strip().lower()
    if not email:
        raise DomainError(_("Give an e-mail address."), code="email_missing")
    if EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists():
        raise Conflict(_("Another account has this e-mail address."), code="email_taken")
    current = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if current is not None and current.verified:
        return current
    if not EmailAddress.objects.filter(user=user).exclude(email__iexact=email).exists():
        # The first address: it becomes the account's, to be verified.
        address, _created = EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True})
        User.objects.filter(pk=user.pk).update(email=email)
        address.send_confirmation(request, signup=False)
        return address
    return EmailAddress.objects.add_new_email(request, user, email)


# API tokens ------------------------------------------------------------------------------------------------

MAX_API_TOKENS = 50


def api_token_create(*, user: User, name: str, scope: str = TokenScope.FULL) -> tuple[ApiToken, str]:
    """A new API key for ``user``. Answers the row and the key: the key is never stored (only its digest),
    so this is the one time anybody sees it."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name (where it is used)."), code="name_required")
    if len(name) > 80:
        raise DomainError(_("A token's name has at most 80 characters."), code="name_too_long")
    if scope not in TokenScope.values:
        raise DomainError(
            _('A token\'s scope is "full" or "agent", not %(scope)r.') % {"scope": scope}, code="bad_scope"
        )
    if scope == TokenScope.AGENT and not user.is_maker:
        raise DomainError(
            _("Only maker accounts make print-agent tokens: they open the maker API only."), code="scope_not_allowed"
        )
    if ApiToken.objects.filter(user=user).count() >= MAX_API_TOKENS:
        raise Conflict(
            _("An account has at most %(count)s API tokens: revoke one first.") % {"count": MAX_API_TOKENS},
            code="too_many",
        )
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], digest=ApiToken.digest_of(key), scope=scope, created_at=timezone.now()
    )
    return token, key


LOGIN_TOKEN_NAME = "log-in"
MAX_LOGIN_TOKENS = 10


def api_token_log_in(*, user: User) -> str:
    """A new key for a log-in through the API (``POST /api/auth/token/``): keys are kept hashed, so an earlier
    one cannot be answered again. The account keeps its ten most recently used log-in keys and the older ones
    are revoked, so that logging in again and again never fills the account's tokens."""
    with transaction.atomic():
        recent = Coalesce("last_used_at", "created_at")
        stale = list(
            ApiToken.objects.filter(user=user, name=LOGIN_TOKEN_NAME)
            .order_by(recent.desc(), "-id")
            .values_list("pk", flat=True)[MAX_LOGIN_TOKENS - 1 :]
        )
        ApiToken.objects.filter(pk__in=stale).delete()
        _token, key = api_token_create(user=user, name=LOGIN_TOKEN_NAME)
    return key


def api_token_revoke(*, user: User, token_id: int) -> None:
    """The owner revokes one of their tokens: the key stops working at once. Another's token: not found."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound(_("You have no API token with this id."))


# Two-factor authentication -------------------------------------------------------------------------------


def totp_code_check(*, user: User, code: str) -> bool:
    """Whether ``code`` is a current code of the user's authenticator app (each code works once)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return False
    return TOTP(authenticator).validate_code((code or "").strip())


@transaction.atomic
def totp_enrol(*, user: User, secret: str) -> Authenticator:
    """Enrol an authenticator app whose secret is known already, with recovery codes, as allauth's enrolment
    page does (demo data and test fixtures; people enrol on /accounts/2fa/totp/activate/). Enrolled already:
    the existing one stays."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    authenticator = TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)
    return authenticator


# Addresses -------------------------------------------------------------------------------------------------

MAX_ADDRESSES = 50


def address_check(data) -> "addresses.Address":
    """A delivery address validated per country (``accounts.addresses``); a 400 naming the field if not."""
    if not isinstance(data, dict):
        raise DomainError(
            "shipping_address must be an object with name, line1, postcode, city and country.", code="bad_address"
        )
    try:
        return addresses.validate_address(data)
    except addresses.AddressError as error:
        raise DomainError(error.message, code="bad_address", details={"field": error.field}) from error


def address_locate(address: "addresses.Address", *, lat=None, lon=None) -> tuple[float, float, str]:
    """Where maker matching measures from: given coordinates, else the city in the offline place table."""
    label = f"{address.city}, {address.country}"
    if lat is not None and lon is not None:
        try:
            latitude, longitude = float(lat), float(lon)
        except (TypeError, ValueError):
            raise DomainError("lat and lon must be numbers.", code="bad_address") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise DomainError("lat must be within -90..90 and lon within -180..180.", code="bad_address")
        return latitude, longitude, label
    found = addresses.locate(address)
    if found is None:
        raise DomainError(
            f"We cannot place {address.city!r} in {address.country} on the map: check the city's spelling, or give "
            "the address's lat and lon.",
            code="unknown_place",
            details={"field": "city"},
        )
    return found[0], found[1], label


def address_save(*, user: User, address: "addresses.Address", latitude: float, longitude: float) -> Address:
    """Keep ``address`` in the user's address book (the same address again is the same entry, used now)."""
    fields = {key: getattr(address, key) for key in ("name", "line1", "line2", "postcode", "city", "country", "phone")}
    with transaction.atomic():
        entry = Address.objects.select_for_update().filter(user=user, **fields).first()
        if entry is None:
            if Address.objects.filter(user=user).count() >= MAX_ADDRESSES:
                raise DomainError(
                    f"An address book holds at most {MAX_ADDRESSES} addresses; delete one first.", code="too_many"
                )
            entry = Address.objects.create(user=user, latitude=latitude, longitude=longitude, **fields)
        Address.objects.filter(pk=entry.pk).update(last_used_at=timezone.now(), latitude=latitude, longitude=longitude)
    entry.refresh_from_db()
    return entry


def address_delete(*, user: User, address_id: int) -> None:
    deleted, _ = Address.objects.filter(user=user, pk=address_id).delete()
    if not deleted:
        raise NotFound("No such address in your address book.")
