"""Staff need two-factor authentication before the admin and the dashboard (the pages' role checks in
core.pages and the API's permissions in core.permissions say the same for every other staff page and call)."""

from core.pages import needs_two_factor, redirect_to_two_factor_enrolment

STAFF_PATH_PREFIXES = ("/admin/", "/dashboard/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and request.path.startswith(STAFF_PATH_PREFIXES) and needs_two_factor(user):
            return redirect_to_two_factor_enrolment(request)
        return self.get_response(request)
