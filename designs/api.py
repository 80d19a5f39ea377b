"""Designs API: uploads, versions, reports and the files that go with them. Views only call services."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from catalogue.models import Material
from core.api import RawJSONRenderer
from core.errors import DomainError, PayloadTooLarge
from core.permissions import Anyone, IsAuthenticatedUser, IsCustomer, IsStaff
from core.readcache import CachedReadMixin
from designs import selectors, services
from designs.models import Design, DesignVersion, Units
from designs.parametric import TEMPLATES
from designs.uploads import MeshUploadHandler


class DesignVersionSerializer(serializers.ModelSerializer):
    preview_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    repaired_url = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    units = serializers.ChoiceField(choices=Units.choices, allow_blank=True, read_only=True)

    class Meta:
        model = DesignVersion
        fields = [
            "id",
            "number",
            "status",
            "error",
            "error_code",
            "analysis",
            "preview_url",
            "thumbnail_url",
            "file_url",
            "repaired_url",
            "original_filename",
            "file_format",
            "file_size",
            "sha256",
            "units",
            "template_slug",
            "parameters",
            "message",
            "created_by",
            "created_at",
            "analysed_at",
            "reused_from",
        ]
        read_only_fields = fields

    def _url(self, version, kind):
        return selectors.version_file_url(version, kind, request=self.context.get("request"))

    def get_preview_url(self, version) -> str | None:
        return self._url(version, "preview")

    def get_thumbnail_url(self, version) -> str | None:
        return self._url(version, "thumbnail")

    def get_file_url(self, version) -> str | None:
        return self._url(version, "file")

    def get_repaired_url(self, version) -> str | None:
        return self._url(version, "repaired")


class DesignSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    latest_version = DesignVersionSerializer(read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Design
        fields = [
            "id",
            "name",
            "owner",
            "source",
            "template_slug",
            "status",
            "latest_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_status(self, design) -> str | None:
        return design.latest_version.status if design.latest_version else None


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="STL, OBJ, PLY, OFF, 3MF or GLB")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    units = serializers.ChoiceField(
        choices=Units.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="what one unit in the file means; empty: what the file says, else millimetres",
    )


class VersionUploadSerializer(UploadSerializer):
    name = None
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StreamedUploadMixin:
    """Uploads stream to a temporary file under the size limit; a larger one is 413 with nothing kept."""

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            from django.conf import settings

            request.upload_handlers = [MeshUploadHandler(request, max_bytes=settings.DESIGN_UPLOAD_MAX_BYTES)]
        return super().initialize_request(request, *args, **kwargs)

    def uploaded_file(self, request, serializer_class):
        serializer = serializer_class(data=request.data)
        if getattr(request._request, "upload_too_large", False):
            raise PayloadTooLarge(services.upload_too_large_message())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class DesignListCreateView(CachedReadMixin, StreamedUploadMixin, generics.ListAPIView):
    """Customers: list their own designs (staff: all); upload a mesh as a new design."""

    serializer_class = DesignSerializer
    parser_classes = [MultiPartParser, FormParser]
    renderer_classes = [RawJSONRenderer, BrowsableAPIRenderer]  # the analysis is written as stored
    throttle_scope = "upload"

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsCustomer()]
        return [IsAuthenticatedUser()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Design.objects.none()
        user = self.request.user
        designs = selectors.designs_visible_to(user)
        return designs if user.is_staff else designs.filter(owner=user)

    def list(self, request, *args, **kwargs):
        # DesignSerializer's JSON built from plain rows, without models or serializer fields (selectors.design_bodies);
        # serializer_class stays what the schema shows.
        page = self.paginate_queryset(selectors.DesignPages(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(selectors.design_bodies(page, request=request))

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: DesignSerializer,
            200: DesignSerializer,
            413: OpenApiResponse(description="too large"),
        },
    )
    def post(self, request):
        data = self.uploaded_file(request, UploadSerializer)
        result = services.design_upload(
            owner=request.user, uploaded_file=data["file"], name=data["name"], units=data["units"]
        )
        body = DesignSerializer(result.design, context={"request": request}).data
        body["reused"] = not result.created
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class DesignDetailView(CachedReadMixin, generics.RetrieveAPIView):
    """The owner (staff: any; a maker: one it has a job for): a design with its latest version's report."""

    serializer_class = DesignSerializer
    permission_classes = [IsAuthenticatedUser]
    renderer_classes = [RawJSONRenderer, BrowsableAPIRenderer]  # the analysis is written as stored

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Design.objects.none()
        return selectors.designs_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        # DesignSerializer's JSON built from a plain row, as the list does.
        row = selectors.design_row_for(request.user, kwargs["pk"])
        if row is None:
            raise Http404("No Design matches the given query.")
        return Response(selectors.design_bodies([row], request=request)[0])


class DesignVersionDetailView(APIView):
    """Whoever may see the design: one version with its report."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses=DesignVersionSerializer)
    def get(self, request, pk, number):
        version = selectors.version_visible_to(user=request.user, design_id=pk, number=number)
        return Response(DesignVersionSerializer(version, context={"request": request}).data)


class DesignVersionReanalyseView(APIView):
    """Staff: analyse a version again (after a fix in the analysis, or a worker failure)."""

    permission_classes = [IsStaff]

    @extend_schema(request=None, responses={202: DesignVersionSerializer})
    def post(self, request, pk, number):
        version = selectors.version_visible_to(user=request.user, design_id=pk, number=number)
        version = services.design_version_requeue(
            version_id=version.pk, actor=request.user, reason="staff asked for a new analysis"
        )
        return Response(DesignVersionSerializer(version, context={"request": request}).data, status=202)


class _VersionFileView(APIView):
    """Whoever may see the design: one of a version's files."""

    permission_classes = [IsAuthenticatedUser]
    field = ""
    content_type = "application/octet-stream"
    as_attachment = True

    def download_name(self, version: DesignVersion) -> str:
        return f"design-{version.design_id}-v{version.number}"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="the file")})
    def get(self, request, pk, number):
        version = selectors.version_visible_to(user=request.user, design_id=pk, number=number)
        stored = getattr(version, self.field)
        if not stored:
            raise Http404("This file does not exist (yet).")
        response = FileResponse(
            default_storage.open(stored.name, "rb"),
            content_type=self.content_type,
            as_attachment=self.as_attachment,
            filename=self.download_name(version),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=300"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class DesignVersionFileView(_VersionFileView):
    field = "file"

    def download_name(self, version):
        return version.original_filename or f"{super().download_name(version)}.{version.file_format}"


class DesignVersionRepairedView(_VersionFileView):
    field = "repaired_file"

    def download_name(self, version):
        return f"{super().download_name(version)}-repaired.stl"


class DesignVersionPreviewView(_VersionFileView):
    field = "preview"
    content_type = "model/gltf-binary"

    def download_name(self, version):
        return f"{super().download_name(version)}-preview.glb"


class DesignVersionThumbnailView(_VersionFileView):
    field = "thumbnail"
    content_type = "image/png"
    as_attachment = False

    def download_name(self, version):
        return f"{super().download_name(version)}.png"


class TemplateDesignSerializer(serializers.Serializer):
    parameters = serializers.DictField(required=False, default=dict)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    material = serializers.SlugField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="the material you plan to order in: wall parameters must respect its minimum wall",
    )


def _material_or_400(code: str):
    if not code:
        return None

    material = Material.objects.filter(code=code, is_active=True).first()
    if material is None:
        raise DomainError(f"Unknown material {code!r}; see /api/materials/.", code="unknown_material")
    return material


class TemplateListView(APIView):
    """Anyone: the parametric templates and their parameter schemas."""

    permission_classes = [Anyone]

    @extend_schema(
        operation_id="templates_list",
        responses={200: OpenApiResponse(description="list of templates with parameters[]")},
    )
    def get(self, request):

        return Response([template.to_dict() for template in TEMPLATES.values()])


class TemplateDetailView(APIView):
    """Anyone: one template's parameter schema."""

    permission_classes = [Anyone]

    @extend_schema(responses={200: OpenApiResponse(description="a template with parameters[]")})
    def get(self, request, slug):
        return Response(services.template_or_404(slug).to_dict())


class TemplateDesignCreateView(APIView):
    """Customers: make a design from a template; it is generated and analysed on the meshes queue."""

    permission_classes = [IsCustomer]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "upload"

    @extend_schema(request=TemplateDesignSerializer, responses={201: DesignSerializer})
    def post(self, request, slug):
        serializer = TemplateDesignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        values = services.template_parameters(
            slug=slug, raw=data["parameters"], material=_material_or_400(data["material"])
        )
        result = services.design_create_from_template(
            owner=request.user, template_slug=slug, parameters=values, name=data["name"]
        )
        return Response(DesignSerializer(result.design, context={"request": request}).data, status=201)


class TemplatePreviewView(APIView):
    """Signed-in users: a GLB of the template with these parameters, for the live preview of the form."""

    permission_classes = [IsAuthenticatedUser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "preview"

    @extend_schema(
        request=TemplateDesignSerializer,
        responses={(200, "model/gltf-binary"): OpenApiResponse(description="the preview")},
    )
    def post(self, request, slug):
        from django.http import HttpResponse

        serializer = TemplateDesignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.template_parameters(slug=slug, raw=data["parameters"], material=_material_or_400(data["material"]))
        glb = services.template_preview_glb(slug=slug, raw=data["parameters"])
        return HttpResponse(glb, content_type="model/gltf-binary")
