from django.urls import path

from designs import api

version = "designs/<int:pk>/versions/<int:number>/"
urlpatterns = [
    path("designs/", api.DesignListCreateView.as_view(), name="design-list"),
    path("designs/<int:pk>/", api.DesignDetailView.as_view(), name="design-detail"),
    path(version, api.DesignVersionDetailView.as_view(), name="design-version-detail"),
    path(f"{version}reanalyse/", api.DesignVersionReanalyseView.as_view(), name="design-version-reanalyse"),
    path(f"{version}file/", api.DesignVersionFileView.as_view(), name="design-version-file"),
    path(f"{version}repaired/", api.DesignVersionRepairedView.as_view(), name="design-version-repaired"),
    path(f"{version}preview/", api.DesignVersionPreviewView.as_view(), name="design-version-preview"),
    path(f"{version}thumbnail/", api.DesignVersionThumbnailView.as_view(), name="design-version-thumbnail"),
    path("templates/", api.TemplateListView.as_view(), name="template-list"),
    path("templates/<slug:slug>/", api.TemplateDetailView.as_view(), name="template-detail"),
    path("templates/<slug:slug>/designs/", api.TemplateDesignCreateView.as_view(), name="template-design-create"),
    path("templates/<slug:slug>/preview/", api.TemplatePreviewView.as_view(), name="template-preview"),
]
