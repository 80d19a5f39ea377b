from django.conf import settings
from django.db import models

from catalogue.models import Material
from core.models import StatusEvent
from core.state import NOTHING
from designs.models import DesignVersion


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Placed"  # prices frozen, waiting for the customer's confirmation
    CONFIRMED = "confirmed", "Confirmed"  # the customer confirmed; dispatch is queued
    ROUTING = "routing", "Routing"  # offers are out to makers
    IN_PRODUCTION = "in_production", "In production"  # every part is held by a maker
    SHIPPED = "shipped", "Shipped"  # every part is on its way
    DELIVERED = "delivered", "Delivered"  # the customer confirmed delivery
    ON_HOLD = "on_hold", "On hold"  # no eligible maker, or staff stopped it; `hold_reason` says why
    CANCELLED = "cancelled", "Cancelled"


ORDER_TERMINAL = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})
ORDER_CANCELLABLE = frozenset({OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.ROUTING, OrderStatus.ON_HOLD})
ORDER_TRANSITIONS = {
    NOTHING: frozenset({OrderStatus.PLACED}),
    OrderStatus.PLACED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
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
    currency = models.CharField(max_length=3, default="EUR")
    total = models.DecimalField(max_digits=12, decimal_places=2)
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
