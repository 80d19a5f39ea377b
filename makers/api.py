"""Makers API: a maker's own profile and printers. Views only call services."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.models import Material, Process
from core.errors import DomainError
from core.permissions import Anyone, IsAuthenticatedUser, IsMaker
from makers import bank_details
from makers import services as maker_services
from makers.models import Maker, MakerApplication, Printer


class PrinterSerializer(serializers.ModelSerializer):
    materials = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Material.objects.all())
    profile = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=_("a printer model id from /api/printer-models/")
    )
    process = serializers.ChoiceField(choices=Process.choices, required=False, help_text=_("from the model if given"))
    build_x_mm = serializers.IntegerField(required=False, help_text=_("the model's unless given (an override)"))
    build_y_mm = serializers.IntegerField(required=False)
    build_z_mm = serializers.IntegerField(required=False)
    live_state = serializers.CharField(
        read_only=True, help_text=_("as the print agent reports it (offline when silent lately); empty: no agent")
    )
    loaded_material = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Printer
        fields = [
            "id",
            "name",
            "profile",
            "process",
            "nozzle_mm",
            "build_x_mm",
            "build_y_mm",
            "build_z_mm",
            "build_volume_overridden",
            "materials",
            "colours",
            "is_online",
            "live_state",
            "agent_percent",
            "agent_message",
            "agent_seen_at",
            "loaded_material",
            "correction_factor",
            "correction_samples",
            "estimate_error_raw",
            "estimate_error_corrected",
        ]
        read_only_fields = [
            "nozzle_mm",
            "build_volume_overridden",
            "agent_percent",
            "agent_message",
            "agent_seen_at",
            "correction_factor",
            "correction_samples",
            "estimate_error_raw",
            "estimate_error_corrected",
        ]


class PrinterModelSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_("vendor/model/nozzle, as PrusaSlicer's bundles name them"))
    vendor = serializers.CharField()
    model = serializers.CharField(source="model_name")
    nozzle_mm = serializers.FloatField(allow_null=True)
    technology = serializers.CharField(help_text=_("FFF or SLA"))
    process = serializers.SerializerMethodField()
    build_volume_mm = serializers.ListField(child=serializers.FloatField())

    def get_process(self, profile) -> str:
        return maker_services.PROCESS_OF_TECHNOLOGY[profile.technology]


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
            "legal_name",
            "vat_number",
            "address_line1",
            "address_line2",
            "postcode",
            "email",
            "about",
            "capacity",
            "hours_to_respond",
            "is_active",
            "is_paused",
            "on_probation",
            "payout_account_holder",
            "payout_iban",
            "payout_bic",
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
            "on_probation",
        ]
        extra_kwargs = {
            "latitude": {"min_value": -90, "max_value": 90},
            "longitude": {"min_value": -180, "max_value": 180},
            "capacity": {"min_value": 1, "max_value": 1000},
            "hours_to_respond": {"min_value": 1, "max_value": 168},
        }

    # The maker's own account details, whole: this serializer only ever answers the maker itself.
    def validate_payout_iban(self, value: str) -> str:
        if not value.strip():
            return ""
        valid, normalised, reason = bank_details.iban_check(value)
        if not valid:
            raise serializers.ValidationError(gettext(reason))
        return normalised

    def validate_payout_bic(self, value: str) -> str:
        if not value.strip():
            return ""
        valid, normalised, reason = bank_details.bic_check(value)
        if not valid:
            raise serializers.ValidationError(gettext(reason))
        return normalised

    def validate_payout_account_holder(self, value: str) -> str:
        return " ".join(value.split())

    def validate_vat_number(self, value: str) -> str:
        if not value.strip():
            return ""
        valid, normalised, reason = bank_details.vat_check(value)
        if not valid:
            raise serializers.ValidationError(gettext(reason))
        return normalised


def _own_maker(user):
    maker = user.makers.order_by("pk").first()
    if maker is None:
        raise Http404(_("This account does not belong to a maker."))
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
        data = dict(serializer.validated_data)
        paused = data.pop("is_paused", None)
        maker = maker_services.maker_update_profile(maker=maker, **data)
        if paused is not None:
            maker = maker_services.maker_set_paused(maker=maker, paused=paused)
        return Response(MakerProfileSerializer(maker).data)


class MakerPrinterListCreateView(APIView):
    """Makers: list and add their own printers."""

    permission_classes = [IsMaker]

    @extend_schema(responses=PrinterSerializer(many=True))
    def get(self, request):
        printers = _own_maker(request.user).printers.select_related("loaded_material").prefetch_related("materials")
        return Response(PrinterSerializer(printers, many=True).data)

    @extend_schema(request=PrinterSerializer, responses={201: PrinterSerializer})
    def post(self, request):
        maker = _own_maker(request.user)
        serializer = PrinterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        given = [data.get(axis) for axis in maker_services.AXES]
        if any(size is not None for size in given) and None in given:
            raise DomainError(_("Give all three build sizes, or none (the model's)."), code="bad_build_size")
        printer = maker_services.printer_upsert(
            maker=maker,
            name=data["name"],
            profile=data.get("profile", ""),
            process=data.get("process"),
            build_volume_mm=tuple(given) if None not in given else None,
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


class PrinterModelListView(APIView):
    """Anyone: the printer models the platform knows (PrusaSlicer's vendor bundles), with nozzle, technology
    and build volume; ?vendor= and ?process= narrow the list. Empty where PrusaSlicer is not installed."""

    permission_classes = [Anyone]

    @extend_schema(responses=PrinterModelSerializer(many=True))
    def get(self, request):
        models = maker_services.printer_models(
            vendor=request.query_params.get("vendor", ""), process=request.query_params.get("process", "")
        )
        return Response(PrinterModelSerializer(models, many=True).data)


class ApplicationPrinterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    profile = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    process = serializers.ChoiceField(choices=Process.choices, required=False, allow_null=True, default=None)
    build_volume_mm = serializers.ListField(
        child=serializers.IntegerField(), min_length=3, max_length=3, required=False, allow_null=True, default=None
    )
    materials = serializers.ListField(child=serializers.CharField(max_length=40), max_length=50)
    colours = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list)


class ApplicationAddressSerializer(serializers.Serializer):
    address_line1 = serializers.CharField(max_length=120, allow_blank=True)
    address_line2 = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=80, allow_blank=True)
    country = serializers.CharField(max_length=2, allow_blank=True)


class MakerApplicationSerializer(serializers.ModelSerializer):
    """An application as its applicant sends and reads it (the place on the map is derived, read-only)."""

    address = ApplicationAddressSerializer(write_only=True)
    printers = ApplicationPrinterSerializer(many=True)

    class Meta:
        model = MakerApplication
        fields = [
            "id",
            "status",
            "decision_reason",
            "kind",
            "legal_name",
            "vat_number",
            "display_name",
            "address",
            "address_line1",
            "address_line2",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "about",
            "capacity",
            "hours_to_respond",
            "printers",
            "payout_account_holder",
            "payout_iban",
            "payout_bic",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "decision_reason",
            "address_line1",
            "address_line2",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "created_at",
        ]
        extra_kwargs = {
            "capacity": {"min_value": None, "max_value": None},
            "hours_to_respond": {"min_value": None, "max_value": None},
            "payout_iban": {"max_length": 42},
            "payout_bic": {"max_length": 14},
            "vat_number": {"max_length": 24},
        }


class MakerApplicationCreateView(APIView):
    """Signed-in customers: apply to become a maker (the same checks as /makers/apply/; 400 names each field)."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(request=MakerApplicationSerializer, responses={201: MakerApplicationSerializer})
    def post(self, request):
        serializer = MakerApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = maker_services.maker_application_submit(
            applicant=request.user,
            kind=data["kind"],
            legal_name=data.get("legal_name", ""),
            vat_number=data.get("vat_number", ""),
            display_name=data["display_name"],
            address=dict(data["address"]),
            about=data.get("about", ""),
            capacity=data["capacity"],
            hours_to_respond=data["hours_to_respond"],
            printers=[dict(printer) for printer in data["printers"]],
            payout_account_holder=data["payout_account_holder"],
            payout_iban=data["payout_iban"],
            payout_bic=data.get("payout_bic", ""),
        )
        return Response(MakerApplicationSerializer(application).data, status=201)


class MakerApplicationMineView(APIView):
    """Signed-in people: their latest maker application and its status (404 when they never applied)."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses=MakerApplicationSerializer)
    def get(self, request):
        application = request.user.maker_applications.order_by("-created_at", "-id").first()
        if application is None:
            raise Http404("You have not applied to become a maker.")
        return Response(MakerApplicationSerializer(application).data)
