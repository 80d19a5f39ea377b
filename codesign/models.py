from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from core.state import NOTHING
from designs.models import DesignVersion
from orders.models.orders import OrderItem
from orders.models.production import Job


class Message(models.Model):
    """One message in a conversation: on a design version (owner, makers with a job of it, staff) or on a job
    (the order's customer, the job's maker, staff)."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    design_version = models.ForeignKey(
        DesignVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "orders_message"  # the table it had in the orders app, rows kept
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(design_version__isnull=False, job__isnull=True)
                | models.Q(design_version__isnull=True, job__isnull=False),
                name="message_on_one_thread",
            )
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for the customer; production of the item waits too
    ACCEPTED = "accepted", _("Accepted")  # the item moved to the proposed version at the new price
    REJECTED = "rejected", _("Rejected")  # the customer kept their version
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the job ended before the customer answered


PROPOSAL_TRANSITIONS = {
    NOTHING: frozenset({ProposalStatus.PENDING}),
    ProposalStatus.PENDING: frozenset({ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN}),
    ProposalStatus.ACCEPTED: frozenset(),
    ProposalStatus.REJECTED: frozenset(),
    ProposalStatus.WITHDRAWN: frozenset(),
}


class RevisionProposal(models.Model):
    """A maker proposes a fixed version of a part it holds a job for (thicker walls, closed holes...)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="proposals")
    order_item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(DesignVersion, on_delete=models.PROTECT, related_name="proposals")
    previous_version = models.ForeignKey(DesignVersion, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    price_before = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_after = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_difference = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "orders_revisionproposal"  # the table it had in the orders app, rows kept
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_item"], condition=models.Q(status="pending"), name="one_pending_proposal_per_item"
            )
        ]

    def __str__(self):
        return f"Proposal {self.pk} for item {self.order_item_id}: v{self.version.number} ({self.status})"


class ProposalEvent(StatusEvent):
    proposal = models.ForeignKey(RevisionProposal, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        indexes = [models.Index(fields=["proposal", "created_at"], name="proposal_event_timeline")]
