"""The "Your data" page: download everything we hold about you, or delete your account."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import services
from accounts.api import export_response
from core.errors import DomainError
from core.pages import signed_in_required


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=128,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my account and my data are deleted for good."), required=True
    )


def _page(request, form, *, status=200):
    context = {"form": form, "refusals": services.account_erasure_refusals(user=request.user)}
    return render(request, "accounts/privacy.html", context, status=status)


@signed_in_required
def privacy(request):
    """Any signed-in user: what the export holds, its download button, and the account deletion form."""
    return _page(request, DeleteAccountForm())


@signed_in_required
def privacy_export(request):
    """Any signed-in user: their data as a zip (the same as GET /api/auth/me/export/)."""
    try:
        return export_response(request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("web:account-privacy")


@signed_in_required
@require_POST
def privacy_delete(request):
    """Any signed-in user: delete their own account, confirmed with their password; they are logged out."""
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        services.account_erase(user=request.user, password=form.cleaned_data["password"])
    except DomainError as error:
        if error.code == "wrong_password":
            form.add_error("password", error.message)
        else:
            form.add_error(None, error.message)
        return _page(request, form, status=error.status_code)
    logout(request)
    messages.success(request, _("Your account is deleted. Thank you for having used Makernet."))
    return redirect("web:home")
