from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.admin import ReadOnlyInline
from core.errors import DomainError
from orders.models import (
    Batch,
    BatchEvent,
    Claim,
    ClaimEvent,
    ClaimPhoto,
    CounterOffer,
    CounterOfferEvent,
    IdempotencyKey,
    Job,
    JobEvent,
    JobItem,
    Order,
    OrderEvent,
    OrderItem,
    Quote,
)
from orders.services import jobs as job_services
from orders.services import ordering
from orders.services.dispatch import order_redispatch_after_commit


def run_service_action(model_admin, request, queryset, action, *, done: str) -> None:
    """Apply a service to each selected row; a row the service refuses is reported, the others go on."""
    count = 0
    for obj in queryset:
        try:
            action(obj)
            count += 1
        except DomainError as error:
            model_admin.message_user(request, f"{obj}: {error.message}", messages.WARNING)
    model_admin.message_user(request, f"{count} {done}.", messages.SUCCESS)


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ["design_version", "material", "colour", "quantity", "unit_price", "total_price", "template_slug"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "details"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "status", "total", "currency", "ship_to_label", "created_at"]
    list_filter = ["status", "items__material", "jobs__maker", "created_at"]
    search_fields = ["id", "customer__username", "customer__email", "ship_to_label", "hold_reason"]
    date_hierarchy = "created_at"
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderItemInline, OrderEventInline]
    actions = ["cancel_orders", "dispatch_again"]

    @admin.action(description=_("Cancel (before production starts)"))
    def cancel_orders(self, request, queryset):
        def cancel(order):
            ordering.order_cancel(order_id=order.pk, actor=request.user, reason=gettext_noop("cancelled by staff"))

        run_service_action(self, request, queryset, cancel, done="order(s) cancelled")

    @admin.action(description=_("Dispatch again (offer unassigned parts)"))
    def dispatch_again(self, request, queryset):
        for order in queryset:
            order_redispatch_after_commit(order.pk)
        self.message_user(
            request, _("Dispatch queued for %(count)s order(s).") % {"count": queryset.count()}, messages.SUCCESS
        )


class JobItemInline(ReadOnlyInline):
    model = JobItem
    fields = ["order_item", "quantity"]
    readonly_fields = fields


class JobEventInline(ReadOnlyInline):
    model = JobEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "details"]
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "order",
        "maker",
        "material",
        "status",
        "quantity",
        "offer_expires_at",
        "due_at",
        "tracking_number",
    ]
    list_filter = ["status", "maker", "material"]
    search_fields = ["id", "order__id", "maker__name", "tracking_number"]
    list_select_related = ["order", "maker", "material"]
    readonly_fields = [f.name for f in Job._meta.fields]
    inlines = [JobItemInline, JobEventInline]
    actions = ["reroute"]

    @admin.action(description=_("Re-route to another maker"))
    def reroute(self, request, queryset):
        def reroute(job):
            job_services.job_reroute(job_id=job.pk, actor=request.user, reason=gettext_noop("re-routed by staff"))

        run_service_action(self, request, queryset, reroute, done="job(s) re-routed")


class BatchEventInline(ReadOnlyInline):
    model = BatchEvent
    fields = ["created_at", "from_status", "to_status", "reason"]
    readonly_fields = fields


class BatchJobInline(ReadOnlyInline):
    model = Job
    fields = ["order", "status", "quantity", "offer_expires_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["id", "maker", "material", "status", "plates", "fill_ratio", "machine_hours", "created_at"]
    list_filter = ["status", "material", "maker"]
    search_fields = ["id", "maker__name"]
    list_select_related = ["maker", "material"]
    readonly_fields = [f.name for f in Batch._meta.fields]
    inlines = [BatchJobInline, BatchEventInline]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "design_version", "material", "quantity", "total", "created_at"]
    list_filter = ["material"]
    search_fields = ["customer__username"]
    readonly_fields = [f.name for f in Quote._meta.fields]


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["user", "key", "status_code", "created_at", "expires_at"]
    search_fields = ["user__username", "key"]
    readonly_fields = [f.name for f in IdempotencyKey._meta.fields]


class EventAdmin(admin.ModelAdmin):
    """Status events of every state machine: the audit trail, read-only."""

    list_display = ["created_at", "kind", "from_status", "to_status", "actor", "reason"]
    list_filter = ["kind", "to_status", "from_status"]
    search_fields = ["reason", "actor__username"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OrderEvent)
class OrderEventAdmin(EventAdmin):
    list_display = ["order", *EventAdmin.list_display]
    search_fields = ["order__id", *EventAdmin.search_fields]


@admin.register(JobEvent)
class JobEventAdmin(EventAdmin):
    list_display = ["job", *EventAdmin.list_display]
    search_fields = ["job__id", *EventAdmin.search_fields]


@admin.register(BatchEvent)
class BatchEventAdmin(EventAdmin):
    list_display = ["batch", *EventAdmin.list_display]


@admin.register(OrderItem)
class OrderItemAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "design_version", "material", "quantity", "total_price", "template_slug"]
    list_filter = ["material", "template_slug"]
    search_fields = ["order__id", "design_version__design__name"]
    readonly_fields = [f.name for f in OrderItem._meta.fields]


@admin.register(JobItem)
class JobItemAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "order_item", "quantity"]
    search_fields = ["job__id", "order_item__id"]
    readonly_fields = ["job", "order_item", "quantity"]


class ClaimPhotoInline(ReadOnlyInline):
    model = ClaimPhoto
    fields = ["position", "image"]
    readonly_fields = fields


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "details"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """Claims are decided through the API and the staff pages (reprint or refund go through the ledger)."""

    list_display = ["id", "order", "job", "customer", "status", "refund_amount", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["order__id", "customer__username", "reason", "maker_answer"]
    readonly_fields = [f.name for f in Claim._meta.fields]
    inlines = [ClaimPhotoInline, ClaimEventInline]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ClaimPhoto)
class ClaimPhotoAdmin(admin.ModelAdmin):
    list_display = ["id", "claim", "position", "image"]
    search_fields = ["claim__id"]
    readonly_fields = ["claim", "position", "image"]


@admin.register(ClaimEvent)
class ClaimEventAdmin(EventAdmin):
    list_display = ["claim", *EventAdmin.list_display]
    search_fields = ["claim__id", *EventAdmin.search_fields]


@admin.register(CounterOffer)
class CounterOfferAdmin(admin.ModelAdmin):
    """Read-only: counter-offers move only through their services (the maker's and the customer's answers)."""

    list_display = ["id", "job", "order", "maker", "status", "price_before", "price", "due_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["job__id", "order__id", "maker__name"]
    readonly_fields = [f.name for f in CounterOffer._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CounterOfferEvent)
class CounterOfferEventAdmin(EventAdmin):
    list_display = ["counter_offer", *EventAdmin.list_display]
