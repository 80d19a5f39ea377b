from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm

from accounts.models import AccountErasure, Address, ApiToken, LoginFailure, Role, User
from accounts.staff import sync_staff_membership
from core.admin import ReadOnlyAdmin
from core.webhooks import WebhookUrlRefused, webhook_url_check

# What a staff member (not a superuser) may edit on an account: no permissions, groups or superuser flag.
STAFF_FIELDSETS = [
    (None, {"fields": ["username", "password"]}),
    ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
    ("Platform", {"fields": ["role", "is_active", "webhook_url"]}),
    ("Important dates", {"fields": ["last_login", "date_joined"]}),
]


class UserChangeForm(BaseUserChangeForm):
    """The account form of the admin: a webhook URL is held to the same rules as the API's (core.webhooks)."""

    def clean_webhook_url(self):
        url = (self.cleaned_data.get("webhook_url") or "").strip()
        if url:
            try:
                webhook_url_check(url)
            except WebhookUrlRefused as refused:
                raise forms.ValidationError(refused.message, code=refused.code) from None
        return url


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Superusers edit everything. Staff onboard customers and makers: they cannot grant permissions, make
    anyone staff, or touch another staff member's or a superuser's account. ``is_staff`` and the staff group
    follow the role."""

    form = UserChangeForm
    list_display = ["username", "email", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["username", "email"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Platform", {"fields": ["role", "webhook_url"]})]
    add_fieldsets = [*BaseUserAdmin.add_fieldsets, ("Platform", {"fields": ["role"]})]

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return STAFF_FIELDSETS
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            return ["role"]  # nobody changes their own role
        return super().get_readonly_fields(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value != Role.STAFF]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        protected = obj is not None and (obj.is_superuser or (obj.is_staff and obj.pk != request.user.pk))
        if protected and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.is_staff = obj.role == Role.STAFF or obj.is_superuser
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # writes the form's groups, then the role decides
        sync_staff_membership(form.instance)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed log-ins (staff can delete rows to lift a lockout early)."""

    list_display = ["created_at", "username", "address"]
    list_filter = ["created_at"]
    search_fields = ["username", "address"]
    readonly_fields = ["created_at", "username", "address"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "name", "city", "postcode", "country", "last_used_at"]
    list_filter = ["country"]
    search_fields = ["user__username", "name", "city", "postcode"]
    list_select_related = ["user"]


@admin.register(AccountErasure)
class AccountErasureAdmin(ReadOnlyAdmin):
    """Erased accounts: when, and how many rows of each kind were removed or anonymised (no personal data)."""

    list_display = ["id", "user", "erased_at"]
    list_filter = ["erased_at"]
    readonly_fields = ["user", "erased_at", "summary"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API keys by name and prefix (the key itself is never stored). Staff revoke one by deleting it (a leaked
    key: it stops working at once); keys are made by their owner only, who sees the key once."""

    list_display = ["id", "user", "name", "prefix", "scope", "created_at", "last_used_at"]
    list_filter = ["scope"]
    search_fields = ["user__username", "name", "prefix"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "scope", "created_at", "last_used_at"]
    exclude = ["digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
