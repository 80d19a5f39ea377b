from django.contrib import admin, messages

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from slicing import services
from slicing.models import DROP_RULE, Slice, SliceEvent, SliceStatus


class SliceEventInline(ReadOnlyInline):
    model = SliceEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "details"]
    readonly_fields = fields


@admin.register(Slice)
class SliceAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "design_version",
        "material",
        "printer_profile",
        "copies",
        "status",
        "hours",
        "mass_g",
        "drops_part",
        "error_code",
        "attempts",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "printer_profile", "material", "drops_part", "error_code", "technology"]
    search_fields = ["printer_profile", "design_version__design__name", "error"]
    list_select_related = ["design_version__design", "material"]
    actions = ["slice_again"]
    inlines = [SliceEventInline]
    # The slicer's figures and the status change only through the services, never by editing.
    readonly_fields = [f.name for f in Slice._meta.fields] + ["drop_rule"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="hours")
    def hours(self, row):
        return "-" if row.machine_hours is None else f"{row.machine_hours:.2f}"

    @admin.display(description="drop rule")
    def drop_rule(self, row):
        return DROP_RULE

    @admin.action(description="Slice again (failed or stuck ones)")
    def slice_again(self, request, queryset):
        count = 0
        for row in queryset.exclude(status=SliceStatus.DONE):
            services.slice_requeue(slice_id=row.pk, actor=request.user, reason="staff sliced it again from the admin")
            count += 1
        self.message_user(request, f"{count} slice(s) queued again.", messages.SUCCESS)


@admin.register(SliceEvent)
class SliceEventAdmin(ReadOnlyAdmin):
    """A slice's status changes, read-only (the audit trail)."""

    list_display = ["created_at", "slice", "from_status", "to_status", "actor", "reason"]
    search_fields = ["slice__id", "reason"]
