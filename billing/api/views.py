"""Providers' webhooks: the signature decides; a request without a valid one changes nothing (400)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import invoicing, services
from billing.models import Invoice
from core.permissions import IsCustomerOrStaff

PROVIDERS = ("test", "stripe")


class WebhookView(APIView):
    """A payment provider's event (``test`` or ``stripe``), verified by its signature and applied once."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(description="applied, or a replay"),
            400: OpenApiResponse(description="bad signature"),
        },
    )
    def post(self, request, provider: str):
        if provider not in PROVIDERS:
            return Response({"detail": f"Unknown provider {provider[:20]!r}."}, status=status.HTTP_404_NOT_FOUND)
        record = services.webhook_receive(provider_name=provider, payload=request.body, headers=dict(request.headers))
        return Response({"received": record.event_id, "outcome": record.outcome})


class InvoicePdfView(APIView):
    """The customer it was issued to, or staff: an invoice or credit note as PDF."""

    permission_classes = [IsCustomerOrStaff]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, number: str):
        invoices = Invoice.objects.select_related("credits")
        if not request.user.is_staff:
            invoices = invoices.filter(customer=request.user)
        invoice = get_object_or_404(invoices, number=number)
        response = HttpResponse(invoicing.invoice_document_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{invoice.get_kind_display().lower().replace(" ", "-")}-{invoice.number}.pdf"'
        )
        return response
