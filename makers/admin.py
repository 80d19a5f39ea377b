from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from makers.models import Maker, MakerApplication, MakerApplicationEvent, Printer

# What the maker's print agent reports and what the platform learnt from it: shown, never typed.
PRINTER_AGENT_FIELDS = [
    "agent_state",
    "agent_percent",
    "agent_message",
    "agent_seen_at",
    "loaded_material",
    "correction_factor",
    "correction_samples",
    "estimate_error_raw",
    "estimate_error_corrected",
]


class PrinterInline(admin.TabularInline):
    model = Printer
    extra = 0
    filter_horizontal = ["materials"]
    exclude = PRINTER_AGENT_FIELDS


@admin.register(Maker)
class MakerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "city",
        "country",
        "capacity",
        "reliability",
        "price_factor",
        "jobs_shipped",
        "is_active",
        "is_paused",
        "on_probation",
    ]
    list_filter = ["country", "city", "is_active", "is_paused", "on_probation", "printers__process"]
    search_fields = ["name", "slug", "city", "email", "members__username"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]
    readonly_fields = [
        "offers_received",
        "offers_accepted",
        "average_response_hours",
        "jobs_shipped",
        "jobs_shipped_on_time",
        "jobs_failed",
        "reliability",
        "created_at",
    ]
    inlines = [PrinterInline]


@admin.register(Printer)
class PrinterAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "maker",
        "process",
        "build_x_mm",
        "build_y_mm",
        "build_z_mm",
        "is_online",
        "agent_state",
        "correction_factor",
    ]
    list_filter = ["process", "is_online", "agent_state", "materials"]
    readonly_fields = PRINTER_AGENT_FIELDS
    search_fields = ["name", "maker__name"]


class MakerApplicationEventInline(ReadOnlyInline):
    model = MakerApplicationEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]


@admin.register(MakerApplication)
class MakerApplicationAdmin(admin.ModelAdmin):
    """Read here; decide on /dashboard/makers/ (the status changes only through makers.services)."""

    list_display = ["display_name", "applicant", "kind", "city", "country", "status", "created_at"]
    list_filter = ["status", "kind", "country"]
    search_fields = ["display_name", "legal_name", "applicant__username", "city"]
    readonly_fields = [field.name for field in MakerApplication._meta.fields]
    inlines = [MakerApplicationEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(MakerApplicationEvent)
class MakerApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ["application", "from_status", "to_status", "actor", "reason", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["application__display_name", "reason"]
