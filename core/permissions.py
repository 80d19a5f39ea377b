"""Who may call an endpoint. The REST framework default is DenyAll: a view that forgets to say is closed."""

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
        user = _user(request)
        return bool(user and user.is_staff)


class IsCustomerOrStaff(BasePermission):
    message = "Only customers and staff may do this."

    def has_permission(self, request, view):
        user = _user(request)
        return bool(user and (user.is_customer or user.is_staff))


class IsAuthenticatedUser(BasePermission):
    message = "Log in first."

    def has_permission(self, request, view):
        return _user(request) is not None


class IsCustomerOrMaker(BasePermission):
    message = "Only customers and makers may do this."

    def has_permission(self, request, view):
        user = _user(request)
        return bool(user and (user.is_customer or user.is_maker))
