import hashlib
import secrets

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")  # uploads designs, orders parts
    MAKER = "maker", _("Maker")  # works for a maker (a shop with printers): takes jobs, reports progress
    STAFF = "staff", _("Staff")  # runs the platform: dashboard, admin, re-routing


def _new_webhook_secret() -> str:
    return secrets.token_hex(32)


class User(AbstractUser):
    """An account. The role decides which endpoints answer; staff also have ``is_staff`` for the admin."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    # Optional: where order status changes are POSTed, signed with webhook_secret (HMAC-SHA256).
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=64, default=_new_webhook_secret, editable=False)
    # The language pages and e-mails are written in; blank: not chosen (the browser's Accept-Language decides).
    # db_default: rows written by code that predates the column (a rolling deploy, old migrations) get "" too.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="", db_default="")

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_maker(self) -> bool:
        return self.role == Role.MAKER

    @property
    def is_staff_member(self) -> bool:
        return self.is_staff

    @property
    def has_two_factor(self) -> bool:
        """An authenticator app (TOTP) is enrolled: staff need one for the dashboard, the admin and staff API."""
        return Authenticator.objects.filter(user=self, type=Authenticator.Type.TOTP).exists()


class LoginFailure(models.Model):
    """A failed log-in, counted per account and per address to slow password guessing (see
    accounts.lockout). Successful log-ins clear the account's failures from that address."""

    username = models.CharField(max_length=150, db_index=True)  # lower-cased as typed
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "address", "created_at"], name="login_failure_lookup")]

    def __str__(self):
        return f"{self.username} from {self.address} at {self.created_at:%Y-%m-%d %H:%M}"


class Address(models.Model):
    """A delivery address in a customer's address book (validated by ``accounts.addresses`` when saved).

    Orders copy the address when they are placed, so editing or deleting it here never changes an order.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=120)
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=80)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    phone = models.CharField(max_length=32, blank=True)
    # From the offline place table (or given by the customer): what maker matching measures distances from.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_used_at", "-created_at", "-id"]
        verbose_name_plural = "addresses"

    def __str__(self):
        return f"{self.name}, {self.line1}, {self.postcode} {self.city}, {self.country}"

    def as_dict(self) -> dict:
        return {
            field: getattr(self, field) for field in ("name", "line1", "line2", "postcode", "city", "country", "phone")
        }


class AccountErasure(models.Model):
    """The record that an account was erased, holding no personal data: the (anonymised) account, when, and how many
    rows of each kind were removed or anonymised. Kept so staff can answer "what happened to account 42"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self):
        return f"account {self.user_id} erased at {self.erased_at:%Y-%m-%d %H:%M}"


class TokenScope(models.TextChoices):
    FULL = "full", _("Full access")  # everything the account may do
    AGENT = "agent", _("Print agent")  # a maker's print agent: the maker API only (makers' tokens only)


# The paths a token of each scope opens (URL path prefixes; None: every endpoint the account may call).
SCOPE_PATH_PREFIXES: dict[str, tuple[str, ...] | None] = {
    TokenScope.FULL: None,
    TokenScope.AGENT: ("/api/maker/",),
}


class ApiToken(models.Model):
    """An API key of an account (``Authorization: Token <key>``). Only the key's SHA-256 digest is kept: the key
    is shown once, when it is made. The owner lists (by name and prefix) and revokes them; revoking deletes
    the row, so the key stops working at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to tell keys apart")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=16, choices=TokenScope.choices, default=TokenScope.FULL)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user_id}"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def opens(self, path: str) -> bool:
        """Whether this token's scope lets it call the endpoint at ``path``."""
        prefixes = SCOPE_PATH_PREFIXES.get(self.scope, ())
        return prefixes is None or path.startswith(prefixes)
