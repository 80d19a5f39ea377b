"""Catalogue API: the materials customers can order."""

from rest_framework import generics, serializers

from catalogue.models import Material
from catalogue.selectors import active_materials
from core.permissions import Anyone


class MaterialSerializer(serializers.ModelSerializer):
    max_build_mm = serializers.SerializerMethodField()
    needs_support = serializers.BooleanField(read_only=True)

    class Meta:
        model = Material
        fields = [
            "code",
            "name",
            "process",
            "description",
            "density_g_cm3",
            "price_per_cm3",
            "machine_rate_per_hour",
            "setup_fee",
            "handling_per_part",
            "currency",
            "min_wall_mm",
            "min_detail_mm",
            "max_build_mm",
            "colours",
            "is_recycled",
            "is_bio_based",
            "needs_support",
        ]

    def get_max_build_mm(self, material) -> list[int]:
        return list(material.build_volume_mm)


class MaterialListView(generics.ListAPIView):
    """Anyone: the materials catalogue with prices, limits and colours."""

    permission_classes = [Anyone]
    serializer_class = MaterialSerializer
    pagination_class = None
    queryset = active_materials()
