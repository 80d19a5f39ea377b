from django.contrib import admin

from makers.models import Maker, Printer


class PrinterInline(admin.TabularInline):
    model = Printer
    extra = 0
    filter_horizontal = ["materials"]


@admin.register(Maker)
class MakerAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "capacity", "reliability", "price_factor", "jobs_shipped", "is_active"]
    list_filter = ["country", "city", "is_active", "printers__process"]
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
    list_display = ["name", "maker", "process", "build_x_mm", "build_y_mm", "build_z_mm", "is_online"]
    list_filter = ["process", "is_online", "materials"]
    search_fields = ["name", "maker__name"]
