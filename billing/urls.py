from django.urls import path

from billing.api import payouts, views

urlpatterns = [
    path("payments/webhooks/<slug:provider>/", views.WebhookView.as_view(), name="payment-webhook"),
    path("invoices/<str:number>/pdf/", views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("maker/payouts/", payouts.MakerPayoutsView.as_view(), name="maker-payouts"),
    path("maker/payouts/statement.csv", payouts.MakerStatementCsvView.as_view(), name="maker-payout-statement-csv"),
    path("maker/payouts/statement.pdf", payouts.MakerStatementPdfView.as_view(), name="maker-payout-statement-pdf"),
    path("payouts/batches/", payouts.PayoutBatchListView.as_view(), name="payout-batch-list"),
    path("payouts/batches/<int:pk>/file/", payouts.PayoutBatchFileView.as_view(), name="payout-batch-file"),
]
