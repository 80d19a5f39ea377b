from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from platform.accounts.models import LoginFailure, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["username", "email"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Platform", {"fields": ["role", "webhook_url"]})]
    add_fieldsets = [*BaseUserAdmin.add_fieldsets, ("Platform", {"fields": ["role"]})]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed log-ins (staff can delete rows to lift a lockout early)."""

    list_display = ["created_at", "username", "address"]
    list_filter = ["created_at"]
    search_fields = ["username", "address"]
    readonly_fields = ["created_at", "username", "address"]
