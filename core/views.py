from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.health import health_report, optional_parts
from core.permissions import Anyone


class HealthView(APIView):
    """Anyone: is the platform able to work? 503 names the part that is down. Optional parts (``slicer``:
    ``ok`` or ``unavailable: <reason>``) are reported but never make it 503."""

    permission_classes = [Anyone]
    authentication_classes = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {
                    "database": serializers.CharField(),
                    "broker": serializers.CharField(),
                    "worker": serializers.CharField(),
                    "slicer": serializers.CharField(),
                },
            ),
            503: inline_serializer(
                "HealthDown",
                {
                    "database": serializers.CharField(),
                    "broker": serializers.CharField(),
                    "worker": serializers.CharField(),
                    "slicer": serializers.CharField(),
                    "detail": serializers.CharField(),
                },
            ),
        }
    )
    def get(self, request):
        report = health_report()
        optional = optional_parts()
        down = [part for part, state in report.items() if state != "ok" and part not in optional]
        if down:
            return Response({**report, "detail": f"Down: {', '.join(down)}."}, status=503)
        return Response(report)


class SchemaView(SpectacularAPIView):
    """Anyone: the OpenAPI 3 description of this API."""

    permission_classes = [Anyone]


class DocsView(SpectacularSwaggerView):
    """Anyone: Swagger UI for the API (served from the sidecar package, no CDN)."""

    permission_classes = [Anyone]
