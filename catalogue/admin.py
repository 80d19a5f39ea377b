from django.contrib import admin

from catalogue.models import Material


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "process",
        "price_per_cm3",
        "machine_rate_per_hour",
        "setup_fee",
        "min_wall_mm",
        "is_recycled",
        "is_bio_based",
        "is_active",
    ]
    list_filter = ["process", "is_active", "is_recycled", "is_bio_based"]
    list_editable = ["is_active"]
    search_fields = ["code", "name"]
