"""Who may open which page (every app's pages use these): the same rules as the API, told apart by role.

Anonymous visitors are sent to the login page. A signed-in account of the wrong role gets a 404, as for
someone else's object: a page that exists for another role is nobody else's business. Staff without
two-factor authentication are sent to enrol an authenticator app first (the admin and the dashboard say the
same through accounts.middleware).
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def needs_two_factor(user) -> bool:
    """A staff account without an authenticator app: it may not use its staff powers yet."""
    return bool(user.is_authenticated and user.is_staff and not getattr(user, "has_two_factor", False))


def redirect_to_two_factor_enrolment(request) -> HttpResponseRedirect:
    """To the page that enrols an authenticator app, coming back here afterwards."""
    messages.warning(
        request, _("Staff accounts need two-factor authentication: set up an authenticator app to continue.")
    )
    target = reverse("mfa_activate_totp")
    back = request.get_full_path()
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        target += "?" + urlencode({"next": back})
    return HttpResponseRedirect(target)


def role_required(is_allowed: Callable[[object], bool]):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not is_allowed(user):
                raise Http404("This page is not available to your account.")
            if needs_two_factor(user):
                return redirect_to_two_factor_enrolment(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


signed_in_required = role_required(lambda user: True)
customer_required = role_required(lambda user: user.is_customer)
maker_required = role_required(lambda user: user.is_maker)
staff_required = role_required(lambda user: user.is_staff)
customer_or_staff_required = role_required(lambda user: user.is_customer or user.is_staff)
