from allauth.account import urls as allauth_account_urls
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from core.views import DocsView, HealthView, SchemaView
from web.urls import entrance_patterns
from web.views.language import language_switch

api_patterns = [
    path("", include("accounts.urls")),
    path("", include("catalogue.urls")),
    path("", include("designs.urls")),
    path("", include("makers.urls")),
    path("", include("billing.urls")),
    path("", include("orders.urls")),
    path("", include("codesign.urls")),
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="docs"),
]

# Django's i18n URLs (django.conf.urls.i18n), with set_language wrapped to save a signed-in user's choice,
# and the JavaScript catalogue the page scripts translate with (a file, so the CSP needs no inline script).
i18n_patterns = [
    path("setlang/", language_switch, name="set_language"),
    path("js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

# The admin logs in through the site's log-in (allauth: lockout, then the two-factor stage), never its own form.
admin.site.login = secure_admin_login(admin.site.login)

# django-allauth's pages: e-mail, password change and reset, two-factor (/accounts/2fa/); their templates are the
# site's (templates/account/, templates/allauth/). Its log-in, sign-up and log-out are at /login/, /signup/ and
# /logout/ only (web.urls.entrance_patterns), so that every link and redirect allauth makes goes there.
ENTRANCE_NAMES = {pattern.name for pattern in entrance_patterns}
allauth_patterns = [
    *(pattern for pattern in allauth_account_urls.urlpatterns if pattern.name not in ENTRANCE_NAMES),
    path("2fa/", include("allauth.mfa.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include(entrance_patterns)),
    path("accounts/", include(allauth_patterns)),
    path("api/", include(api_patterns)),
    path("i18n/", include(i18n_patterns)),
    path("", include("web.urls")),
]
