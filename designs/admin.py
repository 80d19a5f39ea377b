from django.contrib import admin, messages

from core.admin import ReadOnlyInline
from designs import services
from designs.models import Design, DesignVersion, DesignVersionEvent


class DesignVersionEventInline(ReadOnlyInline):
    model = DesignVersionEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason", "details"]
    readonly_fields = fields


class DesignVersionInline(ReadOnlyInline):
    model = DesignVersion
    fields = ["number", "status", "error", "file_format", "file_size", "created_by", "created_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "owner", "source", "template_slug", "latest_status", "created_at"]
    list_filter = ["source", "template_slug", "latest_version__status"]
    search_fields = ["name", "owner__username", "owner__email"]
    list_select_related = ["owner", "latest_version"]
    readonly_fields = ["latest_version", "created_at", "updated_at"]
    raw_id_fields = ["owner"]
    inlines = [DesignVersionInline]

    @admin.display(description="status")
    def latest_status(self, design):
        return design.latest_version.status if design.latest_version else "-"


@admin.register(DesignVersion)
class DesignVersionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "design",
        "number",
        "status",
        "error_code",
        "file_format",
        "faces",
        "analysis_attempts",
        "created_at",
        "analysed_at",
    ]
    list_filter = ["status", "file_format", "error_code", "units"]
    search_fields = ["design__name", "design__owner__username", "sha256", "original_filename", "error"]
    list_select_related = ["design"]
    actions = ["rerun_analysis"]
    inlines = [DesignVersionEventInline]
    # Status changes only through the services (actions), never by editing the field.
    readonly_fields = [f.name for f in DesignVersion._meta.fields]

    @admin.display(description="faces")
    def faces(self, version):
        return (version.analysis or {}).get("faces", "-")

    @admin.action(description="Re-run the analysis")
    def rerun_analysis(self, request, queryset):
        for version in queryset:
            services.design_version_requeue(
                version_id=version.pk, actor=request.user, reason="staff re-ran the analysis from the admin"
            )
        self.message_user(request, f"{queryset.count()} version(s) queued for analysis.", messages.SUCCESS)


@admin.register(DesignVersionEvent)
class DesignVersionEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "version", "from_status", "to_status", "actor", "reason"]
    list_filter = ["to_status"]
    search_fields = ["reason", "version__design__name"]
    readonly_fields = [f.name for f in DesignVersionEvent._meta.fields]
