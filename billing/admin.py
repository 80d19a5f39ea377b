"""Money in the admin: read-only where it is a record (payments, webhooks, the ledger, invoices); VAT rates are
the one thing staff edit. Refunds are made from the order (API ``orders/{id}/refund/``), through the ledger."""

from django.contrib import admin

from billing.models import (
    Invoice,
    InvoiceCounter,
    LedgerEntry,
    Payment,
    PaymentEvent,
    PayoutBatch,
    Refund,
    RefundEvent,
    VatRate,
    WebhookEvent,
)
from core.admin import ReadOnlyAdmin, ReadOnlyInline


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "details"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "order_id",
        "purpose",
        "customer",
        "provider",
        "status",
        "amount",
        "vat",
        "amount_refunded",
        "created_at",
    ]
    list_filter = ["status", "provider"]
    search_fields = ["order_id", "provider_ref", "customer__username"]
    inlines = [PaymentEventInline]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_id", "kind", "raw_type", "payment", "outcome"]
    list_filter = ["provider", "kind"]
    search_fields = ["event_id", "outcome"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "payment", "amount", "status", "from_payout_of", "description", "created_at", "settled_at"]
    list_filter = ["status"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "order_id",
        "kind",
        "debit",
        "credit",
        "amount",
        "maker",
        "available_at",
        "payout_batch",
        "memo",
    ]
    list_filter = ["kind", "debit", "credit"]
    search_fields = ["order_id", "maker__name", "memo"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    """Made on the dashboard's payouts page (``/dashboard/payouts/``), never here: its rows are ledger entries."""

    list_display = ["id", "created_at", "execution_date", "message_id", "transfer_count", "total", "created_by"]
    search_fields = ["message_id"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "order_id", "customer", "net", "vat", "gross", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["number", "order_id", "customer__username"]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["country", "rate", "updated_at"]
    search_fields = ["country"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "payment", "from_status", "to_status", "actor", "reason"]
    search_fields = ["payment__order_id", "reason"]


@admin.register(RefundEvent)
class RefundEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "refund", "from_status", "to_status", "actor", "reason"]
    search_fields = ["reason"]


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(ReadOnlyAdmin):
    list_display = ["year", "last"]
    search_fields = ["year"]
