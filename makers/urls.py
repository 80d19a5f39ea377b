from django.urls import path

from makers import api

urlpatterns = [
    path("maker/profile/", api.MakerProfileView.as_view(), name="maker-profile"),
    path("maker/printers/", api.MakerPrinterListCreateView.as_view(), name="maker-printer-list"),
    path("maker/printers/<int:pk>/", api.MakerPrinterDetailView.as_view(), name="maker-printer-detail"),
    path("makers/applications/", api.MakerApplicationCreateView.as_view(), name="maker-application-create"),
    path("makers/applications/mine/", api.MakerApplicationMineView.as_view(), name="maker-application-mine"),
    path("printer-models/", api.PrinterModelListView.as_view(), name="printer-model-list"),
]
