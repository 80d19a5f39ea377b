"""Who may open which page (every app's pages use these): the same rules as the API, told apart by role.

Anonymous visitors are sent to the login page. A signed-in account of the wrong role gets a 404, as for
someone else's object: a page that exists for another role is nobody else's business.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def role_required(is_allowed: Callable[[object], bool]):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or not is_allowed(user):
                raise Http404("This page is not available to your account.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


signed_in_required = role_required(lambda user: True)
customer_required = role_required(lambda user: user.is_customer)
maker_required = role_required(lambda user: user.is_maker)
staff_required = role_required(lambda user: user.is_staff)
customer_or_staff_required = role_required(lambda user: user.is_customer or user.is_staff)
