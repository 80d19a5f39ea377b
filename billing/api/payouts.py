"""Payouts: a maker's own balances and statement (JSON, CSV, PDF); staff's payout batches and their SEPA files."""

from datetime import date

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import payouts
from billing.models import PayoutBatch
from billing.services import maker_balances
from core.errors import DomainError
from core.permissions import IsMaker, IsStaff

PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="first day (included); default: the first movement"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last day (included); default: today"),
]


def own_maker(user):
    """The maker the calling account belongs to (its first, as the maker profile API does)."""
    maker = user.makers.order_by("pk").first()
    if maker is None:
        raise Http404(_("This account does not belong to a maker."))
    return maker


def _day(request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            _("%(name)s: %(value)s is not a date (YYYY-MM-DD).") % {"name": name, "value": f"{raw[:20]!r}"},
            code="bad_date",
            details={"field": name},
        ) from None


def _statement(request) -> payouts.Statement:
    return payouts.maker_statement(maker=own_maker(request.user), start=_day(request, "from"), end=_day(request, "to"))


class MovementSerializer(serializers.Serializer):
    date = serializers.DateTimeField(source="at")
    order = serializers.IntegerField(source="order_id")
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    change = serializers.DecimalField(max_digits=12, decimal_places=2, help_text=_("effect on the balance owed"))
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, source="balances.owed")
    available_at = serializers.DateTimeField(allow_null=True)
    memo = serializers.CharField()
    payout_batch = serializers.IntegerField(source="payout_batch_id", allow_null=True)


class MakerPayoutsSerializer(serializers.Serializer):
    held = serializers.DecimalField(max_digits=12, decimal_places=2)
    released = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_out = serializers.DecimalField(max_digits=12, decimal_places=2)
    earned = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    rows = MovementSerializer(many=True)


class MakerPayoutsView(APIView):
    """Makers: their own payouts: held (claim window), released (to be paid), paid out, earned, and every
    movement of the ledger, newest first."""

    permission_classes = [IsMaker]

    @extend_schema(responses=MakerPayoutsSerializer)
    def get(self, request):
        maker = own_maker(request.user)
        statement = payouts.maker_statement(maker=maker)
        data = {
            **maker_balances(maker.pk),
            "currency": settings.CURRENCY,
            "rows": list(reversed(statement.movements)),
        }
        return Response(MakerPayoutsSerializer(data).data)


class MakerStatementCsvView(APIView):
    """Makers: their own payout statement as CSV (one row per movement, with the running balances)."""

    permission_classes = [IsMaker]

    @extend_schema(parameters=PERIOD, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        statement = _statement(request)
        response = HttpResponse(payouts.statement_csv(statement), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payouts-{statement.maker.slug}.csv"'
        return response


class MakerStatementPdfView(APIView):
    """Makers: their own payout statement as PDF."""

    permission_classes = [IsMaker]

    @extend_schema(parameters=PERIOD, responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request):
        statement = _statement(request)
        response = HttpResponse(payouts.statement_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="payout-statement-{statement.maker.slug}.pdf"'
        return response


class PayoutBatchSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()
    skipped = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "created_at",
            "execution_date",
            "message_id",
            "transfer_count",
            "total",
            "currency",
            "skipped",
            "file_url",
        ]

    def get_file_url(self, batch) -> str | None:
        if not batch.file:
            return None
        return reverse("payout-batch-file", kwargs={"pk": batch.pk})


class PayoutBatchListView(APIView):
    """Staff: the payout batches made so far (GET); POST makes one of every released payout not yet paid."""

    permission_classes = [IsStaff]

    @extend_schema(responses=PayoutBatchSerializer(many=True))
    def get(self, request):
        return Response(PayoutBatchSerializer(PayoutBatch.objects.all()[:200], many=True).data)

    @extend_schema(request=None, responses={201: PayoutBatchSerializer})
    def post(self, request):
        batch = payouts.payout_batch_create(actor=request.user)
        return Response(PayoutBatchSerializer(batch).data, status=201)


class PayoutBatchFileView(APIView):
    """Staff: a payout batch's SEPA credit transfer file (pain.001.001.03 XML), for the bank."""

    permission_classes = [IsStaff]

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        batch = get_object_or_404(PayoutBatch.objects.exclude(file=""), pk=pk)
        return FileResponse(
            batch.file.open("rb"),
            as_attachment=True,
            filename=f"payout-batch-{batch.pk}.xml",
            content_type="application/xml",
        )
