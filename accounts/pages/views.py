"""Account settings pages of the platform's own (allauth's pages cover e-mail, password and two-factor)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.pages.forms import ApiTokenForm
from core.errors import DomainError, NotFound
from core.pages import signed_in_required


@signed_in_required
def token_list(request):
    """Any signed-in user: their API tokens (name, prefix, access, created, last used); make one (its key is
    shown on this page once; makers may limit it to their print agent) or revoke one."""
    form = ApiTokenForm(request.POST or None, user=request.user)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = services.api_token_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _('Token "%(name)s" made. Copy its key now: it is not shown again.') % {"name": token.name}
            )
            form = ApiTokenForm(user=request.user)
    tokens = list(selectors.api_tokens_of(request.user))
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_key": new_key})


@signed_in_required
@require_POST
def token_revoke(request, pk):
    """Any signed-in user: revoke one of their own tokens (another's: 404)."""
    try:
        services.api_token_revoke(user=request.user, token_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("Token revoked: its key no longer works."))
    return redirect("web:token-list")
