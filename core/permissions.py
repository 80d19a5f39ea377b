"""Who may call an endpoint. The REST framework default is DenyAll: a view that forgets to say is closed."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class DenyAll(BasePermission):
    message = "This endpoint does not say who may call it, so nobody may."

    def has_permission(self, request, view):
        return False


class Anyone(BasePermission):
    """Explicitly public (registration, login, the catalogue, health)."""

    def has_permission(self, request, view):
        return True


def _user(request):
    user = request.user
    return user if user and user.is_authenticated and user.is_active else None


def _staff_with_two_factor(user) -> bool:
    """Staff powers need two-factor authentication: a staff account without it is refused with the code
    ``mfa_required`` (enrol at /accounts/2fa/)."""
    if not (user and user.is_staff):
        return False
    if not getattr(user, "has_two_factor", False):
        raise PermissionDenied(
            _("Staff accounts need two-factor authentication: enrol an authenticator app at /accounts/2fa/ first."),
            code="mfa_required",
        )
    return True


class IsCustomer(BasePermission):
    message = "Only customer accounts may do this."

    def has_permission(self, request, view):
        user = _user(request)
        return bool(user and user.is_customer)


class IsMaker(BasePermission):
    message = "Only maker accounts may do this."

    def has_permission(self, request, view):
        user = _user(request)
        return bool(user and user.is_maker)


class IsStaff(BasePermission):
    message = "Only staff may do this."

    def has_permission(self, request, view):
        return _staff_with_two_factor(_user(request))


class IsCustomerOrStaff(BasePermission):
    message = "Only customers and staff may do this."

    def has_permission(self, request, view):
        user = _user(request)
        return bool(user and (user.is_customer or _staff_with_two_factor(user)))


class IsAuthenticatedUser(BasePermission):
    """Any signed-in account. Staff need two-factor authentication here too: what these endpoints show a staff
    member is everybody's (every design, batch, claim)."""

    message = "Log in first."

    def has_permission(self, request, view):
        user = _user(request)
        if user is None:
            return False
        return _staff_with_two_factor(user) if user.is_staff else True


class OwnAccount(BasePermission):
    """Any signed-in account, about itself (its profile, e-mail address and API tokens): staff without
    two-factor authentication too, so that a client can read what is missing (``two_factor`` on /api/auth/me/)."""

    message = "Log in first."

    def has_permission(self, request, view):
        return _user(request) is not None


class IsCustomerOrMaker(BasePermission):
    message = "Only customers and makers may do this."

    def has_permission(self, request, view):
        user = _user(request)
        return bool(user and (user.is_customer or user.is_maker))
