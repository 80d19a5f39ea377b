"""Money: payments through a provider, their webhook events, refunds, the ledger, VAT rates and invoices.

Billing stands below orders: it knows an order only by its id (``order_id``), never its model, so the orders
app calls billing's services and listens to its signals. Every money movement is a ``LedgerEntry``, a
double-entry transfer between two accounts of one order; entries are only ever added (see ``LedgerEntry``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from core.state import NOTHING


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending (waiting for the customer to pay)")
    SUCCEEDED = "succeeded", _("Succeeded (money collected)")
    FAILED = "failed", _("Failed (declined; the customer can try again)")
    CANCELED = "canceled", _("Canceled")


PAYMENT_TRANSITIONS = {
    NOTHING: frozenset({PaymentStatus.PENDING}),
    # A declined card can be followed by another attempt on the same payment (Stripe keeps the intent open).
    PaymentStatus.PENDING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELED}),
    PaymentStatus.FAILED: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED, PaymentStatus.PENDING}),
    # Money collected stays collected: refunds are their own rows, never a status going back.
    PaymentStatus.SUCCEEDED: frozenset(),
    # A checkout we closed (the order was cancelled, the amount changed) can still be paid at the provider (a
    # page left open in another tab): the money is real, so it is collected, and the order refunds it.
    PaymentStatus.CANCELED: frozenset({PaymentStatus.SUCCEEDED}),
}


class PaymentPurpose(models.TextChoices):
    ORDER = "order", _("Order (its total, once)")
    TOP_UP = "top_up", _("Top-up (a price rise the customer agreed to after paying, e.g. a counter-offer)")


class Payment(models.Model):
    """One attempt to collect an order's amount through a provider: the order's total (``purpose`` "order", at
    most one succeeds), or a top-up on an order already paid (each its own checkout, invoice and ledger rows)."""

    order_id = models.PositiveBigIntegerField(db_index=True)
    purpose = models.CharField(max_length=8, choices=PaymentPurpose.choices, default=PaymentPurpose.ORDER)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20)
    # Ours, unguessable: the test provider's hosted page link and the reference echoed by every provider.
    reference = models.CharField(max_length=64, unique=True)
    provider_ref = models.CharField(max_length=120, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text=_("gross, VAT included"))
    vat = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"), help_text=_("VAT in the amount"))
    currency = models.CharField(max_length=3, default="EUR")
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    checkout_url = models.CharField(max_length=500, blank=True)
    return_url = models.CharField(max_length=500, blank=True, help_text=_("where the customer goes after paying"))
    client_secret = models.CharField(max_length=200, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(amount_refunded__gte=0) & models.Q(amount_refunded__lte=models.F("amount")),
                name="payment_refunds_within_amount",
            ),
        ]

    def __str__(self):
        return f"payment {self.reference[:8]} of order {self.order_id}: {self.amount} {self.currency} {self.status}"

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.amount_refunded if self.status == PaymentStatus.SUCCEEDED else Decimal("0")


class PaymentEvent(StatusEvent):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass


class WebhookEvent(models.Model):
    """A provider's event as received (after its signature verified), kept once per (provider, event id): a
    replay finds its row and changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=30)
    raw_type = models.CharField(max_length=80, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhooks")
    outcome = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]

    def __str__(self):
        return f"{self.provider} {self.event_id} ({self.kind}): {self.outcome}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


REFUND_TRANSITIONS = {
    NOTHING: frozenset({RefundStatus.PENDING}),
    RefundStatus.PENDING: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUCCEEDED: frozenset(),
    RefundStatus.FAILED: frozenset(),
}


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # Where it comes from: money not yet allocated to a maker, or the maker's held payout (a claim).
    from_payout_of = models.ForeignKey(
        "makers.Maker", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(blank=True, help_text=_("why the money goes back (printed on the credit note)"))
    provider_ref = models.CharField(max_length=120, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    failure_message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"refund of {self.amount} on {self.payment_id} ({self.status})"


class RefundEvent(StatusEvent):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass


class Account(models.TextChoices):
    """The ledger's accounts, per order (and per maker for payouts)."""

    CUSTOMER = "customer", _("Customer (outside: money comes from and goes back to the customer)")
    CLEARING = "clearing", _("Clearing (collected, not yet allocated)")
    VAT = "vat", _("VAT payable")
    COMMISSION = "commission", _("Platform commission")
    PAYOUT_HELD = "payout_held", _("Maker payout, held for the claim window")
    PAYOUT_RELEASED = "payout_released", _("Maker payout, released")
    PAID_OUT = "paid_out", _("Maker payout, sent to the maker's bank account")


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")  # customer -> clearing
    VAT = "vat", _("VAT")  # clearing -> vat
    COMMISSION = "commission", _("Commission")  # clearing -> commission
    PAYOUT_DUE = "payout_due", _("Payout due")  # clearing -> payout_held
    PAYOUT_RELEASED = "payout_released", _("Payout released")  # payout_held -> payout_released
    REFUND = "refund", _("Refund")  # clearing / vat / payout_held -> customer
    PAYOUT_PAID = "payout_paid", _("Payout paid")  # payout_released -> paid_out (in a PayoutBatch's transfer file)


class PayoutBatch(models.Model):
    """Released payouts sent to the makers' banks in one SEPA credit transfer file, made by staff. Its rows are
    the ``payout_paid`` ledger entries that name it; makers skipped (no valid account) are listed with why."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    execution_date = models.DateField(help_text=_("the day the bank is asked to pay"))
    message_id = models.CharField(max_length=35, unique=True, help_text=_("the file's id at the bank"))
    file = models.FileField(upload_to="payouts/%Y/", blank=True)
    transfer_count = models.PositiveIntegerField(default=0, help_text=_("one transfer per maker"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="EUR")
    # [{"maker_id", "maker", "amount", "reason"}]: released money not paid in this batch, and why.
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"payout batch {self.pk}: {self.transfer_count} transfers, {self.total} {self.currency}"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The ledger is append-only: add a correcting entry instead of updating one.")

    def delete(self):
        raise TypeError("The ledger is append-only: add a correcting entry instead of deleting one.")


class LedgerEntry(models.Model):
    """One transfer of ``amount`` (> 0) from one account to another, within one order. Append-only: rows are
    never updated or deleted (the model and its queryset refuse to)."""

    order_id = models.PositiveBigIntegerField(db_index=True)
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    debit = models.CharField(max_length=16, choices=Account.choices, help_text=_("the account the money leaves"))
    credit = models.CharField(max_length=16, choices=Account.choices, help_text=_("the account the money enters"))
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    maker = models.ForeignKey("makers.Maker", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    memo = models.CharField(max_length=200, blank=True)
    # For payouts paid: the batch (and transfer file) that sent the money.
    payout_batch = models.ForeignKey(
        PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    # For held payouts: when the claim window ends (the release task reads it).
    available_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["maker", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=~models.Q(debit=models.F("credit")), name="ledger_two_accounts"),
        ]

    def __str__(self):
        return f"order {self.order_id}: {self.kind} {self.amount} {self.debit} -> {self.credit}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The ledger is append-only: a saved entry cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The ledger is append-only: a saved entry cannot be deleted.")


class VatRate(models.Model):
    """A country's standard VAT rate, edited by staff in the admin (seeded from billing/tax's EU table)."""

    country = models.CharField(max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2"))
    rate = models.DecimalField(max_digits=5, decimal_places=2, help_text=_("percent, e.g. 19.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]
        verbose_name = _("VAT rate")

    def __str__(self):
        return f"{self.country}: {self.rate} %"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceCounter(models.Model):
    """The last number given per year; locked while the next is taken, so numbers run without gaps."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Invoice(models.Model):
    """An invoice or credit note as issued: its lines and totals are frozen; the PDF is drawn from them."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    order_id = models.PositiveBigIntegerField(db_index=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    refund = models.OneToOneField(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_note")
    credits = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes")
    buyer = models.JSONField(default=dict, help_text=_("name, address lines, VAT number"))
    lines = models.JSONField(default=list)
    net = models.DecimalField(max_digits=12, decimal_places=2)
    vat = models.DecimalField(max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    notes = models.TextField(blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"
