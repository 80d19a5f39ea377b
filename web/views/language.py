"""The language switch on every page."""

from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

from accounts.services import user_set_language


@require_POST
def language_switch(request):
    """Anyone: Django's set_language (the language cookie, then back to ``next``); a signed-in user's choice is
    also saved on the account, so pages and e-mails follow it on every device."""
    response = django_set_language(request)
    language = request.POST.get(LANGUAGE_QUERY_PARAMETER, "")
    # set_language sets the cookie only for a language of settings.LANGUAGES; otherwise nothing is saved either.
    if request.user.is_authenticated and settings.LANGUAGE_COOKIE_NAME in response.cookies:
        user_set_language(user=request.user, language=language)
    return response
