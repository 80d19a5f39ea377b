from django.urls import path

from billing.api import views

urlpatterns = [
    path("payments/webhooks/<slug:provider>/", views.WebhookView.as_view(), name="payment-webhook"),
    path("invoices/<str:number>/pdf/", views.InvoicePdfView.as_view(), name="invoice-pdf"),
]
