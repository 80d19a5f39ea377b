"""Claims: within the payout hold a customer reports a problem with photos; the maker answers; staff decide a
reprint (a new job, at the maker's cost) or a refund (taken from the maker's held payout)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models import Refund
from core.models import StatusEvent
from core.state import NOTHING
from orders.models.orders import Order
from orders.models.production import JOB_ACTIVE, Job


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Open (waiting for the maker's answer)")
    ANSWERED = "answered", _("Answered (waiting for staff's decision)")
    REPRINT = "reprint", _("Decided: reprint")
    REFUNDED = "refunded", _("Decided: refund")
    REJECTED = "rejected", _("Rejected")


CLAIM_OPEN = frozenset({ClaimStatus.OPEN, ClaimStatus.ANSWERED})
CLAIM_DECIDED = frozenset({ClaimStatus.REPRINT, ClaimStatus.REFUNDED, ClaimStatus.REJECTED})
# Claims that keep an order's payouts held: an open one, or a decided reprint whose job is still under way (the
# maker is paid once the new parts have shipped, or the reprint was dropped and staff settle it by hand).
CLAIM_HOLDS_PAYOUT = Q(status__in=CLAIM_OPEN) | Q(status=ClaimStatus.REPRINT, reprint_job__status__in=JOB_ACTIVE)
CLAIM_TRANSITIONS = {
    NOTHING: frozenset({ClaimStatus.OPEN}),
    ClaimStatus.OPEN: frozenset(
        {ClaimStatus.ANSWERED, ClaimStatus.REPRINT, ClaimStatus.REFUNDED, ClaimStatus.REJECTED}
    ),
    ClaimStatus.ANSWERED: frozenset({ClaimStatus.REPRINT, ClaimStatus.REFUNDED, ClaimStatus.REJECTED}),
    ClaimStatus.REPRINT: frozenset(),
    ClaimStatus.REFUNDED: frozenset(),
    ClaimStatus.REJECTED: frozenset(),
}


class Claim(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="claims")
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="claims")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.OPEN, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    maker_answer = models.TextField(blank=True)
    decision_note = models.TextField(blank=True)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reprint_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="reprint_claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open claim per job, kept by the database under concurrent requests.
            models.UniqueConstraint(
                fields=["job"], condition=Q(status__in=sorted(CLAIM_OPEN)), name="one_open_claim_per_job"
            )
        ]

    def __str__(self):
        return f"claim {self.pk} on order {self.order_id} ({self.status})"


def _claim_photo_to(instance: "ClaimPhoto", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"claims/{instance.claim_id}/{instance.claim_id}-{instance.position}.{suffix}"


class ClaimPhoto(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    image = models.ImageField(upload_to=_claim_photo_to, max_length=300)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"photo {self.position} of claim {self.claim_id}"


class ClaimEvent(StatusEvent):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass
