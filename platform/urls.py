from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core.views import DocsView, HealthView, SchemaView

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

# The admin logs in through the site's log-in (allauth: lockout, then the two-factor stage), never its own form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    # django-allauth's pages: e-mail, password change and reset, two-factor (/accounts/2fa/); their templates
    # are the site's (templates/account/, templates/mfa/, templates/allauth/).
    path("accounts/", include("allauth.urls")),
    path("api/", include(api_patterns)),
    path("", include("web.urls")),
]
