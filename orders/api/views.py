"""Orders API: materials, quotes, orders, maker jobs, batches and maker profiles. Views only call services."""

from datetime import UTC, datetime

import django_filters
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from catalogue.models import Material
from core.errors import DomainError
from core.permissions import IsAuthenticatedUser, IsCustomer, IsCustomerOrStaff, IsMaker, IsStaff
from core.readcache import CachedReadMixin
from designs.models import DesignVersion
from orders import selectors
from orders.api import bodies
from orders.api import serializers as s
from orders.models import Batch, Job, Order, OrderStatus
from orders.services import checkout, ordering, quoting
from orders.services import jobs as job_services


def _found(body: dict | None, model) -> dict:
    """A read body, or the 404 ``get_object_or_404`` gives when the caller may not see the row (or it is not)."""
    if body is None:
        raise Http404(f"No {model._meta.object_name} matches the given query.")
    return body


def _ship_to(data) -> quoting.ShipTo:
    return quoting.ship_to_from(
        {"lat": data.get("lat"), "lon": data.get("lon"), "city": data.get("city"), "label": data.get("label")}
    )


class QuoteView(APIView):
    """Customers: price a ready design version in a material and list the nearby makers who could make it."""

    permission_classes = [IsCustomer]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "quote"

    @extend_schema(request=s.QuoteRequestSerializer, responses={201: OpenApiResponse(description="the quote")})
    def post(self, request):
        serializer = s.QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = DesignVersion.objects.filter(pk=data["design_version"], design__owner=request.user).first()
        if version is None:
            raise DomainError(
                _("Design version %(design_version)s was not found among your designs.")
                % {"design_version": data["design_version"]},
                code="not_found",
            )
        material = Material.objects.filter(code=data["material"]).first()
        if material is None:
            raise DomainError(
                _("Unknown material %(material)s; see /api/materials/.") % {"material": f"{data['material']!r}"},
                code="unknown_material",
            )
        quote = quoting.quote_create(
            customer=request.user,
            version=version,
            material=material,
            quantity=data["quantity"],
            colour=data["colour"],
            ship_to=_ship_to(data["ship_to"]),
        )
        return Response({"id": quote.pk, **quoting.quote_current(quote)}, status=status.HTTP_201_CREATED)


class QuoteDetailView(APIView):
    """Customers (their own quotes): the quote as it stands now. It answers at once with estimates; each maker's
    offer is then sliced on that maker's printer model and its ``machine_hours``, ``mass_g``, ``price`` and
    ``basis`` become the slicer's (``slicing_pending`` counts the offers still being sliced)."""

    permission_classes = [IsCustomer]

    @extend_schema(responses={200: OpenApiResponse(description="the quote")})
    def get(self, request, pk):
        quote = selectors.quote_of_customer(request.user, pk)
        return Response({"id": quote.pk, **quoting.quote_current(quote)})


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO date-time in any offset, compared in UTC; dates the database cannot hold are a 400."""

    def filter(self, queryset, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except (OverflowError, ValueError):
                raise serializers.ValidationError({self.field_name: _("This date is out of range.")})
            if not MIN_DATE <= value <= MAX_DATE:
                raise serializers.ValidationError({self.field_name: _("Give a date between the years 1900 and 9000.")})
        return super().filter(queryset, value)


MIN_DATE = datetime(1900, 1, 1, tzinfo=UTC)
MAX_DATE = datetime(9000, 1, 1, tzinfo=UTC)


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lte")
    maker = django_filters.NumberFilter(field_name="jobs__maker", distinct=True, min_value=1, max_value=s.MAX_ID)
    material = django_filters.CharFilter(field_name="items__material__code", distinct=True)
    customer = django_filters.CharFilter(field_name="customer__username")

    class Meta:
        model = Order
        fields = ["status", "created_after", "created_before", "maker", "material", "customer"]


class OrderListCreateView(CachedReadMixin, generics.ListAPIView):
    """Customers: their orders, and placing one (send an Idempotency-Key header to retry safely).
    Staff: every order, filtered by status, date, maker, material or customer."""

    filterset_class = OrderFilter

    def get_permissions(self):
        return [IsCustomer()] if self.request.method == "POST" else [IsCustomerOrStaff()]

    def get_serializer_class(self):
        return s.OrderListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return selectors.orders_of(self.request.user)

    def list(self, request, *args, **kwargs):
        # the contract is OrderListSerializer; the bodies are built from plain rows (orders/api/bodies.py)
        page = self.paginate_queryset(bodies.order_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(bodies.order_list_bodies(page))

    @extend_schema(
        request=s.OrderCreateSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        responses={201: s.OrderSerializer, 422: OpenApiResponse(description="key reused with another body")},
    )
    def post(self, request):
        def place():
            serializer = s.OrderCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            address = dict(data["shipping_address"])
            lat, lon = address.pop("lat", None), address.pop("lon", None)
            if data.get("ship_to") and data["ship_to"].get("lat") is not None:
                lat, lon = data["ship_to"]["lat"], data["ship_to"].get("lon")
            delivery = ordering.delivery_from(address, lat=lat, lon=lon)
            if data.get("quote"):
                quote = selectors.quote_of_customer(request.user, data["quote"])
                order = ordering.order_place_quote(
                    customer=request.user,
                    quote=quote,
                    delivery=delivery,
                    offer_maker_id=data.get("offer"),
                    note=data["note"],
                    vat_number=data["vat_number"],
                    accept_risk=data["accept_risk"],
                )
            else:
                order = ordering.order_place(
                    customer=request.user,
                    delivery=delivery,
                    note=data["note"],
                    vat_number=data["vat_number"],
                    items=[
                        ordering.ItemRequest(
                            design_version_id=item["design_version"],
                            material_code=item["material"],
                            quantity=item["quantity"],
                            colour=item["colour"],
                            accept_risk=item["accept_risk"],
                        )
                        for item in data["items"]
                    ],
                )
            order = selectors.orders_visible_to(request.user).get(pk=order.pk)
            return status.HTTP_201_CREATED, s.OrderSerializer(order, context={"request": request}).data

        # Before the key is remembered: once the address is verified, a retry with the same key goes through.
        ordering.refuse_unverified_email(request.user)
        key = request.headers.get("Idempotency-Key")
        if not key:
            code, body = place()
            return Response(body, status=code)
        code, body, replayed = ordering.idempotency_key_run(
            user=request.user, key=key, body=request.data, handler=place
        )
        response = Response(body, status=code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class OrderDetailView(CachedReadMixin, generics.RetrieveAPIView):
    """The customer who placed it, or staff: an order with its items, jobs and timeline."""

    permission_classes = [IsCustomerOrStaff]
    serializer_class = s.OrderSerializer  # the contract; the body is built from plain rows (orders/api/bodies.py)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return selectors.orders_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        return Response(_found(bodies.order_body(request.user, kwargs["pk"]), Order))


class _OrderActionView(APIView):
    permission_classes = [IsCustomer]
    request_serializer = None

    def act(self, order: Order, request, data: dict) -> Order:
        raise NotImplementedError

    @extend_schema(
        request=s.ReasonSerializer,
        responses={
            200: s.OrderSerializer,
            409: OpenApiResponse(description="forbidden transition: names the allowed ones"),
        },
    )
    def post(self, request, pk):
        order = get_object_or_404(selectors.orders_visible_to(request.user, detail=False), pk=pk)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.act(order, request, serializer.validated_data)
        order = selectors.orders_visible_to(request.user).get(pk=pk)
        return Response(s.OrderSerializer(order, context={"request": request}).data)


class OrderConfirmView(_OrderActionView):
    """The customer who placed it: confirm the order; it waits for payment at ``payment.checkout_url``, and
    dispatch to makers starts once the provider says paid."""

    def act(self, order, request, data):
        return ordering.order_confirm(order_id=order.pk, actor=request.user)


class OrderCancelView(_OrderActionView):
    """The customer who placed it, or staff: cancel before production starts."""

    permission_classes = [IsCustomerOrStaff]

    def act(self, order, request, data):
        return ordering.order_cancel(order_id=order.pk, actor=request.user, reason=data["reason"])


class OrderPayView(_OrderActionView):
    """The customer who placed it: the checkout of an order awaiting payment (again, after a decline)."""

    def act(self, order, request, data):
        checkout.order_pay(order_id=order.pk, actor=request.user)
        return order


class OrderRefundView(APIView):
    """Staff: give part (or all) of an order's money back; from a maker's held payout with ``from_maker``."""

    permission_classes = [IsStaff]

    @extend_schema(request=s.RefundRequestSerializer, responses={200: s.OrderSerializer, 409: OpenApiResponse()})
    def post(self, request, pk):
        order = get_object_or_404(Order, pk=pk)
        serializer = s.RefundRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checkout.order_refund(
            order_id=order.pk,
            amount=data.get("amount"),
            reason=data["reason"],
            actor=request.user,
            from_payout_of=data.get("from_maker"),
        )
        order = selectors.orders_visible_to(request.user).get(pk=pk)
        return Response(s.OrderSerializer(order, context={"request": request}).data)


class OrderDeliveredView(_OrderActionView):
    """The customer who placed it: confirm the parts arrived."""

    def act(self, order, request, data):
        return ordering.order_mark_delivered(order_id=order.pk, actor=request.user)


class ReorderView(APIView):
    """Customers: order delivered items again as spare parts, from their frozen versions."""

    permission_classes = [IsCustomer]

    @extend_schema(request=s.ReorderSerializer, responses={201: s.OrderSerializer})
    def post(self, request):
        serializer = s.ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = ordering.order_reorder(
            customer=request.user,
            item_ids=data["items"],
            quantity=data.get("quantity"),
            ship_to=_ship_to(data["ship_to"]) if data.get("ship_to") else None,
        )
        order = selectors.orders_visible_to(request.user).get(pk=order.pk)
        return Response(s.OrderSerializer(order, context={"request": request}).data, status=201)


class MakerJobFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Job._meta.get_field("status").choices, distinct=False)

    class Meta:
        model = Job
        fields = ["status"]


class MakerJobListView(CachedReadMixin, generics.ListAPIView):
    """Makers: the jobs offered to or held by their own maker, newest first."""

    def refresh_cached_data(self, data):
        for job in data.get("results", ()):
            s.job_seconds_left_refresh(job)
        return data

    permission_classes = [IsMaker]
    serializer_class = s.JobListSerializer  # the contract; the bodies are built from plain rows (orders/api/bodies.py)
    filterset_class = MakerJobFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return selectors.jobs_of_maker(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(bodies.job_rows(self.filter_queryset(self.get_queryset()), detail=False))
        return self.get_paginated_response(bodies.job_bodies_of_rows(page, detail=False))


class MakerJobDetailView(CachedReadMixin, generics.RetrieveAPIView):
    """Makers: one of their own jobs with its parts, files and timeline."""

    def refresh_cached_data(self, data):
        return s.job_seconds_left_refresh(data)

    permission_classes = [IsMaker]
    serializer_class = s.JobSerializer  # the contract; the body is built from plain rows (orders/api/bodies.py)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return selectors.jobs_for_maker(self.request.user, detail=True)

    def retrieve(self, request, *args, **kwargs):
        return Response(_found(bodies.job_body(request.user, kwargs["pk"]), Job))


class _JobActionView(APIView):
    permission_classes = [IsMaker]

    def job(self, request, pk) -> Job:
        return get_object_or_404(selectors.jobs_for_maker(request.user), pk=pk)

    def answer(self, request, pk, code=200):
        job = selectors.jobs_for_maker(request.user, detail=True).get(pk=pk)
        return Response(s.JobSerializer(job, context={"request": request}).data, status=code)


class MakerJobAcceptView(_JobActionView):
    """Makers: accept an offer. Exactly one accept wins; the others get 409."""

    @extend_schema(request=None, responses={200: s.JobSerializer, 409: OpenApiResponse(description="taken")})
    def post(self, request, pk):
        job_services.job_accept(job_id=self.job(request, pk).pk, actor=request.user)
        return self.answer(request, pk)


class MakerJobDeclineView(_JobActionView):
    """Makers: decline an offer with a reason; the parts go to the next maker."""

    @extend_schema(request=s.ReasonSerializer, responses={200: s.JobSerializer})
    def post(self, request, pk):
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job_services.job_decline(
            job_id=self.job(request, pk).pk, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self.answer(request, pk)


class MakerJobProgressView(_JobActionView):
    """Makers: report printing, printed (with a photo) or shipped (with a tracking number)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": s.ProgressSerializer, "application/json": s.ProgressSerializer},
        responses={200: s.JobSerializer},
    )
    def post(self, request, pk):
        serializer = s.ProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job_services.job_report_progress(
            job_id=self.job(request, pk).pk,
            actor=request.user,
            status=data["status"],
            tracking_number=data["tracking"],
            carrier=data["carrier"],
            photo=data.get("photo"),
            note=data["note"],
        )
        return self.answer(request, pk)


class MakerJobFailView(_JobActionView):
    """Makers: give up a held job (with what went wrong); the parts go to the next maker."""

    @extend_schema(request=s.ReasonSerializer, responses={200: s.JobSerializer})
    def post(self, request, pk):
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job_services.job_fail(
            job_id=self.job(request, pk).pk, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self.answer(request, pk)


class MakerJobPrintFileView(APIView):
    """Makers (the job's own, once accepted): the G-code or SLA file sliced for the printer the job is planned on."""

    permission_classes = [IsMaker]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="the print file"),
            409: OpenApiResponse(description="not yet: the job is not accepted, or the file is not sliced"),
        }
    )
    def get(self, request, pk):
        job = get_object_or_404(selectors.jobs_for_maker(request.user), pk=pk)
        part_slice = job_services.job_print_file(job=job)
        response = FileResponse(
            default_storage.open(part_slice.print_file.name, "rb"),
            content_type="application/octet-stream",
            as_attachment=True,
            filename=f"job-{job.pk}.{part_slice.print_file.name.rsplit('.', 1)[-1]}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class JobPhotoView(APIView):
    """The job's maker, the order's customer, staff: the photo of the printed parts."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses={(200, "image/jpeg"): OpenApiResponse(description="the photo")})
    def get(self, request, pk):
        job = selectors.job_visible_to(request.user, pk)
        if job is None or not job.photo:
            raise Http404
        response = FileResponse(
            default_storage.open(job.photo.name, "rb"),
            content_type="image/jpeg",
            as_attachment=False,
            filename=f"job-{job.pk}.jpg",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class BatchListView(CachedReadMixin, generics.ListAPIView):
    """Staff: every batch; makers: their own. With jobs, plates, fill ratio and status."""

    permission_classes = [IsAuthenticatedUser]
    serializer_class = s.BatchSerializer
    filterset_fields = ["status", "maker", "material__code"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Batch.objects.none()
        return selectors.batches_visible_to(self.request.user)


class BatchDetailView(CachedReadMixin, generics.RetrieveAPIView):
    """Staff: any batch; makers: their own."""

    permission_classes = [IsAuthenticatedUser]
    serializer_class = s.BatchSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Batch.objects.none()
        return selectors.batches_visible_to(self.request.user)
