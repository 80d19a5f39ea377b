"""Account writes."""

import json
import logging
import secrets
import shutil
import tempfile
import zipfile

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import addresses, personal_data
from accounts.models import AccountErasure, Address, ApiToken, Role, TokenScope, User
from accounts.staff import sync_staff_membership
from core.errors import Conflict, DomainError, NotFound, TooManyRequests
from core.webhooks import webhook_url_check

logger = logging.getLogger(__name__)

# The export's data.json layout; raised when a key changes meaning (a new key does not change it).
EXPORT_FORMAT = 1


def user_register(*, username: str, password: str, email: str = "", role: str = Role.CUSTOMER) -> User:
    """Create an account (a customer unless told otherwise) with its e-mail address, not yet verified
    (``email_verification_send`` sends the link).

    The database's unique constraint settles two registrations racing for one name; the name is compared
    without case so "Alice" and "alice" cannot both exist.
    """
    username = username.strip()
    if not username:
        raise DomainError(_("Choose a user name."), code="username_required")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The user name %(name)s is taken.") % {"name": repr(username)}, code="username_taken")
    email = email.strip()
    if email and EmailAddress.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("An account with this e-mail address exists: log in, or reset its password."), code="email_taken"
        )
    candidate = User(username=username, email=email, role=role)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise DomainError(
            _("Password not accepted: %(reasons)s") % {"reasons": " ".join(error.messages)}, code="weak_password"
        )
    candidate.set_password(password)
    candidate.is_staff = role == Role.STAFF
    try:
        with transaction.atomic():
            candidate.save()
            if email:
                EmailAddress.objects.create(user=candidate, email=email.lower(), primary=True, verified=False)
            sync_staff_membership(candidate)
    except IntegrityError:
        raise Conflict(_("The user name %(name)s is taken.") % {"name": repr(username)}, code="username_taken")
    return candidate


def user_update_profile(*, user: User, webhook_url: str | None = None, language: str | None = None) -> User:
    """A person changes their own order webhook (an empty URL switches it off) or language. A new e-mail address
    goes through ``email_change_request``: it replaces the old one once verified.

    A webhook URL must be http(s) to a public internet address (``core.webhooks``): anything else is a 400
    naming the field, and nothing changes."""
    changed = []
    if webhook_url is not None:
        webhook_url = webhook_url.strip()
        if webhook_url:
            webhook_url_check(webhook_url)
    if language is not None:
        user.language = _checked_language(language)
        changed.append("language")
    if webhook_url is not None:
        user.webhook_url = webhook_url
        changed.append("webhook_url")
    if changed:
        user.save(update_fields=changed)
    return user


LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def _checked_language(language: str) -> str:
    language = (language or "").strip().lower()
    if language and language not in LANGUAGE_CODES:
        raise DomainError(
            _("Choose one of these languages: %(languages)s.") % {"languages": ", ".join(sorted(LANGUAGE_CODES))},
            code="unknown_language",
        )
    return language


def user_set_language(*, user: User, language: str) -> User:
    """Remember the language ``user`` chose for pages and e-mails (blank: none chosen, the browser decides).

    Saved only when it changes, so switching on every page costs no write."""
    language = _checked_language(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_set_role(*, user: User, role: str) -> User:
    """Change what an account is (a customer approved as a maker becomes a maker). Staff stay staff: their role
    comes with ``is_staff`` and the admin group, which this does not touch."""
    if role not in Role.values:
        raise DomainError(_("Unknown role %(role)s.") % {"role": repr(role)}, code="bad_role")
    if user.is_staff and role != Role.STAFF:
        raise Conflict(_("A staff account keeps its staff role."), code="staff_role_kept")
    if user.role != role:
        user.role = role
        user.save(update_fields=["role"])
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


# Personal data: export and erasure (each app's part is in its privacy.py, see accounts.personal_data) ----------


def account_export(*, user: User):
    """The person's data as a zip in a temporary file (rewound; deleted when closed): ``data.json`` with every
    app's section and ``files/`` with their stored files. Written to disk, never held in memory; refused with a
    409 when the files would pass ``PRIVACY_EXPORT_MAX_BYTES``."""
    sections = {key: export(user) for key, export in personal_data.exporters().items()}
    files = [item for section in sections.values() for item in section.files]
    size = 0
    for item in files:
        size += len(item.content) if item.content is not None else _stored_size(item.storage_name)
    limit = settings.PRIVACY_EXPORT_MAX_BYTES
    if size > limit:
        raise Conflict(
            _(
                "Your data is %(size)s MB, more than the %(limit)s MB an export made here may hold. Please ask us "
                "for it: we send it another way."
            )
            % {"size": size // (1024 * 1024) + 1, "limit": limit // (1024 * 1024)},
            code="export_too_large",
        )
    data = {"format": EXPORT_FORMAT, "exported_at": timezone.now(), "user_id": user.pk}
    data.update({key: section.data for key, section in sections.items()})
    archive = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        for item in files:
            with bundle.open(item.path, "w", force_zip64=True) as target:
                if item.content is not None:
                    target.write(item.content)
                    continue
                try:
                    with default_storage.open(item.storage_name, "rb") as source:
                        shutil.copyfileobj(source, target, 1024 * 1024)
                except FileNotFoundError:
                    logger.warning("export of user %s: stored file %s is missing", user.pk, item.storage_name)
    archive.seek(0)
    return archive


def _stored_size(name: str) -> int:
    try:
        return default_storage.size(name)
    except (FileNotFoundError, OSError):
        return 0


def account_erasure_refusals(*, user: User) -> list[str]:
    """What is under way that erasing the account now would break (empty: it may be erased)."""
    return [reason for blocker in personal_data.blockers() for reason in blocker(user)]


def account_erase(*, user: User, password: str) -> AccountErasure:
    """Erase a person's account at their request, confirmed with their password.

    Refused (409, nothing changed) while an order is being made or a maker's jobs are in hand. Otherwise, in one
    transaction, every app's eraser removes or anonymises what it holds (see the README's "Privacy"); what
    accounting must keep (orders, invoices, payments, the ledger) stays, anonymised where it can be. The user
    row stays for the foreign keys, anonymised and unable to log in. Stored files go after commit.
    """
    if not password or not user.check_password(password):
        raise DomainError(_("The password is not right."), code="wrong_password", details={"field": "password"})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        reasons = account_erasure_refusals(user=user)
        if reasons:
            raise Conflict(
                _("Your account cannot be deleted yet: %(reasons)s") % {"reasons": " ".join(reasons)},
                code="erasure_refused",
                details={"reasons": reasons},
            )
        erasure = personal_data.Erasure(user=user, username=user.username, email=user.email)
        for erase in personal_data.erasers():
            erase(erasure)
        record = AccountErasure.objects.create(user=user, summary=erasure.summary)
        names = sorted(erasure.files_to_delete)
        transaction.on_commit(lambda: _delete_stored_files(names))
    return record


def _delete_stored_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("erasure: could not delete stored file %s", name)
