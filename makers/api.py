"""Makers API: a maker's own profile and printers. Views only call services."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.models import Material, Process
from core.permissions import IsMaker
from makers import services as maker_services
from makers.models import Maker, Printer


class PrinterSerializer(serializers.ModelSerializer):
    materials = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Material.objects.all())
    process = serializers.ChoiceField(choices=Process.choices)

    class Meta:
        model = Printer
        fields = [
            "id",
            "name",
            "process",
            "build_x_mm",
            "build_y_mm",
            "build_z_mm",
            "materials",
            "colours",
            "is_online",
        ]


class MakerProfileSerializer(serializers.ModelSerializer):
    printers = PrinterSerializer(many=True, read_only=True)

    class Meta:
        model = Maker
        fields = [
            "id",
            "name",
            "slug",
            "city",
            "country",
            "latitude",
            "longitude",
            "email",
            "about",
            "capacity",
            "hours_to_respond",
            "is_active",
            "price_factor",
            "reliability",
            "offers_received",
            "offers_accepted",
            "jobs_shipped",
            "jobs_shipped_on_time",
            "jobs_failed",
            "printers",
        ]
        read_only_fields = [
            "id",
            "slug",
            "price_factor",
            "reliability",
            "offers_received",
            "offers_accepted",
            "jobs_shipped",
            "jobs_shipped_on_time",
            "jobs_failed",
            "printers",
        ]
        extra_kwargs = {
            "latitude": {"min_value": -90, "max_value": 90},
            "longitude": {"min_value": -180, "max_value": 180},
            "capacity": {"min_value": 1, "max_value": 1000},
            "hours_to_respond": {"min_value": 1, "max_value": 168},
        }


def _own_maker(user):
    maker = user.makers.order_by("pk").first()
    if maker is None:
        raise Http404("This account does not belong to a maker.")
    return maker


class MakerProfileView(APIView):
    """Makers: their own profile (location, capacity, response time) and printers; PATCH to edit."""

    permission_classes = [IsMaker]

    @extend_schema(responses=MakerProfileSerializer)
    def get(self, request):
        return Response(MakerProfileSerializer(_own_maker(request.user)).data)

    @extend_schema(request=MakerProfileSerializer, responses=MakerProfileSerializer)
    def patch(self, request):
        maker = _own_maker(request.user)
        serializer = MakerProfileSerializer(maker, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        maker = maker_services.maker_update_profile(maker=maker, **serializer.validated_data)
        return Response(MakerProfileSerializer(maker).data)


class MakerPrinterListCreateView(APIView):
    """Makers: list and add their own printers."""

    permission_classes = [IsMaker]

    @extend_schema(responses=PrinterSerializer(many=True))
    def get(self, request):
        printers = _own_maker(request.user).printers.prefetch_related("materials")
        return Response(PrinterSerializer(printers, many=True).data)

    @extend_schema(request=PrinterSerializer, responses={201: PrinterSerializer})
    def post(self, request):
        maker = _own_maker(request.user)
        serializer = PrinterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        printer = maker_services.printer_upsert(
            maker=maker,
            name=data["name"],
            process=data["process"],
            build_volume_mm=(data["build_x_mm"], data["build_y_mm"], data["build_z_mm"]),
            material_codes=[m.code for m in data["materials"]],
            colours=data.get("colours") or [],
            is_online=data.get("is_online", True),
        )
        return Response(PrinterSerializer(printer).data, status=201)


class MakerPrinterDetailView(APIView):
    """Makers: change or remove one of their own printers (e.g. mark it offline)."""

    permission_classes = [IsMaker]

    def printer(self, request, pk) -> Printer:
        return get_object_or_404(Printer.objects.filter(maker__members=request.user), pk=pk)

    @extend_schema(request=PrinterSerializer, responses=PrinterSerializer)
    def patch(self, request, pk):
        printer = self.printer(request, pk)
        serializer = PrinterSerializer(printer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        printer = maker_services.printer_update(printer=printer, **data)
        return Response(PrinterSerializer(printer).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        maker_services.printer_remove(printer=self.printer(request, pk))
        return Response(status=204)
