"""Counter-offers: instead of accepting or declining an offered job, its maker answers with another price and/or
ship date; the customer accepts (paying a price rise as a top-up, or getting a fall back) or declines (the parts
go to the next maker)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models import Payment
from core.models import StatusEvent
from core.state import NOTHING
from makers.models import Maker
from orders.models.orders import Order
from orders.models.production import Job


class CounterOfferStatus(models.TextChoices):
    PENDING = "pending", _("Pending (waiting for the customer's answer)")
    # Accepted; with a price rise the job waits for the top-up payment (``settled_at`` empty) and only then is
    # accepted for the maker.
    ACCEPTED = "accepted", _("Accepted by the customer")
    DECLINED = "declined", _("Declined by the customer (the parts went to the next maker)")
    WITHDRAWN = "withdrawn", _("Withdrawn (the maker accepted or declined the offer as it was)")
    EXPIRED = "expired", _("Expired (no answer, or the top-up was not paid, before the offer ran out)")


COUNTER_OFFER_TRANSITIONS = {
    NOTHING: frozenset({CounterOfferStatus.PENDING}),
    CounterOfferStatus.PENDING: frozenset(
        {
            CounterOfferStatus.ACCEPTED,
            CounterOfferStatus.DECLINED,
            CounterOfferStatus.WITHDRAWN,
            CounterOfferStatus.EXPIRED,
        }
    ),
    # An accepted price rise whose top-up is never paid ends with its job (expired, cancelled, declined).
    CounterOfferStatus.ACCEPTED: frozenset({CounterOfferStatus.EXPIRED}),
    CounterOfferStatus.DECLINED: frozenset(),
    CounterOfferStatus.WITHDRAWN: frozenset(),
    CounterOfferStatus.EXPIRED: frozenset(),
}


class CounterOffer(models.Model):
    """A maker's other terms for an offered job: ``price`` (the customer's net price for the job's parts, as
    ``Job.price``) and/or ``due_at`` (the ship date). One pending per job."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="counter_offers")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="counter_offers")
    maker = models.ForeignKey(Maker, on_delete=models.PROTECT, related_name="counter_offers")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=CounterOfferStatus.choices, default=CounterOfferStatus.PENDING, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    price_before = models.DecimalField(max_digits=12, decimal_places=2, help_text=_("the job's price, net, when made"))
    price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("proposed price for the job's parts, net")
    )
    due_at_before = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("proposed ship date"))
    message = models.TextField(blank=True)
    expires_at = models.DateTimeField(help_text=_("the customer answers (or pays a rise) before this"))
    # The top-up for a price rise (gross), once the customer accepted it.
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the new terms took effect: at once (a date, a price fall), or when the top-up was paid.
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job"], condition=models.Q(status="pending"), name="one_pending_counter_offer_per_job"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gt=0), name="counter_offer_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=False) | models.Q(due_at__isnull=False),
                name="counter_offer_price_or_date",
            ),
        ]

    def __str__(self):
        return f"counter-offer {self.pk} on job {self.job_id} ({self.status})"

    @property
    def price_difference(self):
        """Net: what the customer pays more (or gets back, negative) for the job's parts."""
        return None if self.price is None else self.price - self.price_before

    @property
    def is_awaiting_payment(self) -> bool:
        return self.status == CounterOfferStatus.ACCEPTED and self.settled_at is None


class CounterOfferEvent(StatusEvent):
    counter_offer = models.ForeignKey(CounterOffer, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass
