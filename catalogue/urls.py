from django.urls import path

from catalogue import api

urlpatterns = [
    path("materials/", api.MaterialListView.as_view(), name="material-list"),
]
