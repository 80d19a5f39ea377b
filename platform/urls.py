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

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("", include("web.urls")),
]
