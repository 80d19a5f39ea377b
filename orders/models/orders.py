from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import Material
from core.models import StatusEvent
from core.state import NOTHING
from designs.models import DesignVersion


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")  # prices frozen, waiting for the customer's confirmation
    AWAITING_PAYMENT = (
        "awaiting_payment",
        _("Awaiting payment"),
    )  # confirmed by the customer; the provider has not said paid
    CONFIRMED = "confirmed", _("Confirmed")  # paid; dispatch is queued
    ROUTING = "routing", _("Routing")  # offers are out to makers
    IN_PRODUCTION = "in_production", _("In production")  # every part is held by a maker
    SHIPPED = "shipped", _("Shipped")  # every part is on its way
    DELIVERED = "delivered", _("Delivered")  # the customer confirmed delivery
    ON_HOLD = "on_hold", _("On hold")  # no eligible maker, or staff stopped it; `hold_reason` says why
    CANCELLED = "cancelled", _("Cancelled")


ORDER_TERMINAL = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})
ORDER_CANCELLABLE = frozenset(
    {OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.ROUTING, OrderStatus.ON_HOLD}
)
ORDER_TRANSITIONS = {
    NOTHING: frozenset({OrderStatus.PLACED}),
    OrderStatus.PLACED: frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED}),
    # Nothing is dispatched before the provider's webhook says paid.
    OrderStatus.AWAITING_PAYMENT: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.ROUTING, OrderStatus.ON_HOLD, OrderStatus.CANCELLED}),
    OrderStatus.ROUTING: frozenset({OrderStatus.IN_PRODUCTION, OrderStatus.ON_HOLD, OrderStatus.CANCELLED}),
    OrderStatus.ON_HOLD: frozenset({OrderStatus.ROUTING, OrderStatus.CANCELLED}),
    # A maker failing a part mid-production sends that part back to routing.
    OrderStatus.IN_PRODUCTION: frozenset({OrderStatus.SHIPPED, OrderStatus.ROUTING, OrderStatus.ON_HOLD}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
# Changes the customer hears about (e-mail and webhook).
ORDER_CUSTOMER_VISIBLE = frozenset(OrderStatus.values)


class Order(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    ship_to_latitude = models.FloatField()
    ship_to_longitude = models.FloatField()
    ship_to_label = models.CharField(max_length=120, blank=True)
    # The delivery address, frozen when the order is placed (the address book may change later). Shown only to
    # the customer, staff and the maker holding an accepted job of the order.
    ship_name = models.CharField(max_length=120, blank=True)
    ship_line1 = models.CharField(max_length=120, blank=True)
    ship_line2 = models.CharField(max_length=120, blank=True)
    ship_postcode = models.CharField(max_length=20, blank=True)
    ship_city = models.CharField(max_length=80, blank=True)
    ship_country = models.CharField(max_length=2, blank=True)
    ship_phone = models.CharField(max_length=32, blank=True)
    # Where the price came from: the quote and the maker whose offer the customer took (dispatch offers it
    # to that maker first).
    quote = models.ForeignKey("Quote", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    offer_maker = models.ForeignKey(
        "makers.Maker", null=True, blank=True, on_delete=models.SET_NULL, related_name="chosen_in_orders"
    )
    currency = models.CharField(max_length=3, default="EUR")
    # Money, frozen: items (offer prices) and shipping net of VAT, the VAT, and the gross total the customer pays.
    items_net = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_net = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0, help_text=_("percent"))
    vat_country = models.CharField(max_length=2, blank=True)
    vat_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    vat_number = models.CharField(max_length=20, blank=True, help_text=_("the business customer's, validated"))
    reverse_charge = models.BooleanField(default=False)
    vat_note = models.CharField(max_length=200, blank=True)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, help_text=_("gross: what the customer pays"))
    hold_reason = models.TextField(blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="order_customer_recent")]

    def __str__(self):
        return f"Order {self.pk}"

    @property
    def net_total(self):
        return self.items_net + self.shipping_net

    @property
    def shipping_address(self) -> dict:
        return {
            "name": self.ship_name,
            "line1": self.ship_line1,
            "line2": self.ship_line2,
            "postcode": self.ship_postcode,
            "city": self.ship_city,
            "country": self.ship_country,
            "phone": self.ship_phone,
        }

    @property
    def address_lines(self) -> list[str]:
        lines = [self.ship_name, self.ship_line1, self.ship_line2, f"{self.ship_postcode} {self.ship_city}".strip()]
        return [line for line in [*lines, self.ship_country] if line]

    @property
    def can_cancel(self) -> bool:
        return self.status in ORDER_CANCELLABLE


class OrderItem(models.Model):
    """A part in an order with its price frozen when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    design_version = models.ForeignKey(DesignVersion, on_delete=models.PROTECT, related_name="order_items")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    colour = models.CharField(max_length=40, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    total_price = models.DecimalField(max_digits=12, decimal_places=2)
    price_breakdown = models.JSONField(default=dict)
    # For parametric designs: the template and parameters, frozen so the same piece can be made again.
    template_slug = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    reorder_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reorders")
    # The customer chose to print it although the analysis warned (walls thinner than recommended): the
    # warnings they accepted, as they read them.
    risk_accepted = models.BooleanField(default=False)
    risk_warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_id", "id"]

    def __str__(self):
        return f"{self.quantity} x {self.design_version} in {self.material.code}"


class OrderEvent(StatusEvent):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_timeline")]


class IdempotencyKey(models.Model):
    """Stripe-style idempotency for POST /api/orders/: the same key and body replay the first answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class Quote(models.Model):
    """A price given to a customer (kept so staff can see what was quoted and when)."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotes")
    design_version = models.ForeignKey(DesignVersion, on_delete=models.CASCADE, related_name="quotes")
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    colour = models.CharField(max_length=40, blank=True)
    ship_to_latitude = models.FloatField()
    ship_to_longitude = models.FloatField()
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    result = models.JSONField()
    valid_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Quote {self.pk}: {self.quantity} x v{self.design_version_id} in {self.material_id}"
