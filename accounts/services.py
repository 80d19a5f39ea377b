"""Account writes."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import addresses
from accounts.models import Address, Role, User
from accounts.staff import sync_staff_membership
from core.errors import Conflict, DomainError, NotFound


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


def user_set_role(*, user: User, role: str) -> User:
    """Change what an account is (a customer approved as a maker becomes a maker). Staff stay staff: their role
    comes with ``is_staff`` and the admin group, which this does not touch."""
    if role not in Role.values:
        raise DomainError(f"Unknown role {role!r}.", code="bad_role")
    if user.is_staff and role != Role.STAFF:
        raise Conflict("A staff account keeps its staff role.", code="staff_role_kept")
    if user.role != role:
        user.role = role
        user.save(update_fields=["role"])
    return user


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
