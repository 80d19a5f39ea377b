from django.contrib import admin

from platform.core.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task_name", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_name", "last_error"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
