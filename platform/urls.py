from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from core.views import DocsView, HealthView, SchemaView
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

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("i18n/", include(i18n_patterns)),
    path("", include("web.urls")),
]
