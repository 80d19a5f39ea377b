"""Two middlewares about the signed-in person.

``UserLanguageMiddleware``: the language a signed-in person chose, applied wherever they sign in. LocaleMiddleware
picks the language from the language cookie, else Accept-Language. For a signed-in user with a saved language
(``User.language``) this middleware, placed after AuthenticationMiddleware, makes that language win over a missing
or different cookie and sets the cookie on the response, so a log-in on a new browser shows the person's own
language from the first page on. API calls with a token are authenticated inside the view, after this runs: they
keep Accept-Language.

``StaffTwoFactorMiddleware``: staff need two-factor authentication before the admin and the dashboard (the pages'
role checks in core.pages and the API's permissions in core.permissions say the same for every other staff page
and call).
"""

from django.conf import settings
from django.utils import translation

from core.pages import needs_two_factor, redirect_to_two_factor_enrolment

STAFF_PATH_PREFIXES = ("/admin/", "/dashboard/")


def _saved_language(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return getattr(user, "language", "") or ""


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _saved_language(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Read again: the request may just have logged in (or out).
        language = _saved_language(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and request.path.startswith(STAFF_PATH_PREFIXES) and needs_two_factor(user):
            return redirect_to_two_factor_enrolment(request)
        return self.get_response(request)
