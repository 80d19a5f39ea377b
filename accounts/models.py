import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"  # uploads designs, orders parts
    MAKER = "maker", "Maker"  # works for a maker (a shop with printers): takes jobs, reports progress
    STAFF = "staff", "Staff"  # runs the platform: dashboard, admin, re-routing


def _new_webhook_secret() -> str:
    return secrets.token_hex(32)


class User(AbstractUser):
    """An account. The role decides which endpoints answer; staff also have ``is_staff`` for the admin."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    # Optional: where order status changes are POSTed, signed with webhook_secret (HMAC-SHA256).
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=64, default=_new_webhook_secret, editable=False)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_maker(self) -> bool:
        return self.role == Role.MAKER

    @property
    def is_staff_member(self) -> bool:
        return self.is_staff


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
