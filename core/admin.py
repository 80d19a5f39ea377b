from django.contrib import admin

from core.models import Notification, OutboxMessage


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside their parent's page, never added or changed there (events, items)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record nobody edits or deletes in the admin (money, audit trails): it is only read there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task_name", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_name", "last_error"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "subject", "created_at", "email_sent_at", "webhook_sent_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]
