"""Reads of the designs app: who may see which design."""

from collections.abc import Callable

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from catalogue.models import Material
from core.api import RawJSON, api_datetime
from core.links import url_pattern
from core.prepared import MAX_ID, PreparedRead
from designs.geometry import MaterialSpec
from designs.geometry.materials import refused_only_as_open
from designs.models import Design, DesignVersion

# Which designs a maker may see follows from its jobs, which the orders app (above this one) keeps: orders
# registers that rule here when it loads (OrdersConfig.ready), so designs never imports orders. The rule takes
# the user and returns a filter on Design (an Exists over OuterRef("pk")).
_maker_design_rule: Callable | None = None


def register_maker_design_rule(rule: Callable) -> None:
    global _maker_design_rule
    _maker_design_rule = rule


def designs_visible_to(user) -> QuerySet[Design]:
    """Staff see every design; a customer their own; a maker those it holds or is offered a job for."""
    designs = Design.objects.select_related("latest_version__created_by", "owner")
    if not user.is_authenticated:
        return designs.none()
    if user.is_staff:
        return designs
    if user.is_maker:
        return designs.filter(_maker_design_rule(user)) if _maker_design_rule else designs.none()
    return designs.filter(owner=user)


def design_for_owner(*, user, design_id) -> Design:
    """The customer's own design; someone else's is Http404 (never 403, which would confirm it exists)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(designs_visible_to(user).filter(owner=user), pk=design_id)


def version_visible_to(*, user, design_id, number) -> DesignVersion:
    from django.shortcuts import get_object_or_404

    design = get_object_or_404(designs_visible_to(user), pk=design_id)
    return get_object_or_404(DesignVersion.objects.select_related("design"), design=design, number=number)


VERSION_FILE_FIELDS = {"file": "file", "repaired": "repaired_file", "preview": "preview", "thumbnail": "thumbnail"}


def version_file_url(version: DesignVersion, kind: str, *, request=None) -> str | None:
    """The permission-checked URL of one of a version's files (file, repaired, preview, thumbnail), or None
    while that file does not exist. Absolute when a request is given."""
    if not getattr(version, VERSION_FILE_FIELDS[kind]):
        return None
    path = url_pattern(f"design-version-{kind}", "pk", "number").format(pk=version.design_id, number=version.number)
    return request.build_absolute_uri(path) if request is not None else path


# A design's API body (the contract is DesignSerializer in designs.api) read as plain values: one row per design,
# with its latest version, that version's author and the owner joined in. Building the models and running the
# serializer's fields over them was most of what these reads cost.
_DESIGN_COLUMNS = ("id", "name", "owner__username", "source", "template_slug", "created_at", "updated_at")
_VERSION_COLUMNS = (
    "id",
    "design_id",
    "number",
    "status",
    "error",
    "error_code",
    "file",
    "repaired_file",
    "preview",
    "thumbnail",
    "original_filename",
    "file_format",
    "file_size",
    "sha256",
    "units",
    "template_slug",
    "parameters",
    "message",
    "created_by__username",
    "created_at",
    "analysed_at",
    "reused_from_id",
)
_LATEST = "latest_version__"


def design_rows(designs: QuerySet[Design]) -> QuerySet:
    """The designs (from ``designs_visible_to``, filtered further at will) as the plain rows ``design_bodies``
    turns into API bodies: one query, whatever the number of designs."""
    return designs.values(
        *_DESIGN_COLUMNS,
        *(_LATEST + column for column in _VERSION_COLUMNS),
        analysis_json=Cast(_LATEST + "analysis", TextField()),  # as stored: written as it is (core.api.RawJSON)
    )


# A design's row for staff, or for its owner, read compiled once (core.prepared): a design's page is mostly read by
# pages and scripts that visit many designs once each, so it is nearly always a first render.
_DESIGN_FOR_STAFF = PreparedRead(lambda design: design_rows(Design.objects.filter(pk=design)))
_DESIGN_OF_OWNER = PreparedRead(lambda design, owner: design_rows(Design.objects.filter(pk=design, owner_id=owner)))


def design_row_for(user, pk: int) -> dict | None:
    """The design ``pk`` as a ``design_rows`` row if ``user`` may see it (``designs_visible_to``), else None."""
    if not user.is_authenticated:
        return None
    if user.is_staff:
        rows = _DESIGN_FOR_STAFF(design=pk)
    elif user.is_maker:
        rows = list(design_rows(designs_visible_to(user).filter(pk=pk))) if 0 < pk <= MAX_ID else []
    else:
        rows = _DESIGN_OF_OWNER(design=pk, owner=user.pk)
    return rows[0] if rows else None


class DesignPages:
    """``design_rows`` for Django's paginator: counted on the designs alone (no joins, as a page of models was
    counted), and a page is one query of rows."""

    def __init__(self, designs: QuerySet[Design]):
        self.designs = designs
        self.ordered = designs.ordered  # the paginator warns when pages of an unordered list may overlap

    def count(self) -> int:
        return self.designs.count()

    def __getitem__(self, index):
        return design_rows(self.designs)[index]


def design_bodies(rows, *, request) -> list[dict]:
    """What DesignSerializer writes for each row of ``design_rows``, equal once rendered (its tests compare the
    two for every shape of design): file URLs absolute for ``request``, times as DRF writes them."""
    # Every URL starts the same; build_absolute_uri leaves our all-ASCII paths as they are.
    site = request.build_absolute_uri("/")[:-1]
    return [_design_body(row, site) for row in rows]


def _design_body(row: dict, site: str) -> dict:
    version = _version_body(row, site) if row["latest_version__id"] is not None else None
    return {
        "id": row["id"],
        "name": row["name"],
        "owner": row["owner__username"],
        "source": row["source"],
        "template_slug": row["template_slug"],
        "status": version["status"] if version else None,
        "latest_version": version,
        "created_at": api_datetime(row["created_at"]),
        "updated_at": api_datetime(row["updated_at"]),
    }


def _version_body(row: dict, site: str) -> dict:
    """The latest version's part of a row, as DesignVersionSerializer writes it."""
    design_id, number = row["latest_version__design_id"], row["latest_version__number"]
    return {
        "id": row["latest_version__id"],
        "number": number,
        "status": row["latest_version__status"],
        "error": row["latest_version__error"],
        "error_code": row["latest_version__error_code"],
        "analysis": None if row["analysis_json"] is None else RawJSON(row["analysis_json"]),
        "preview_url": row_file_url(row["latest_version__preview"], "preview", design_id, number, site=site),
        "thumbnail_url": row_file_url(row["latest_version__thumbnail"], "thumbnail", design_id, number, site=site),
        "file_url": row_file_url(row["latest_version__file"], "file", design_id, number, site=site),
        "repaired_url": row_file_url(row["latest_version__repaired_file"], "repaired", design_id, number, site=site),
        "original_filename": row["latest_version__original_filename"],
        "file_format": row["latest_version__file_format"],
        "file_size": row["latest_version__file_size"],
        "sha256": row["latest_version__sha256"],
        "units": row["latest_version__units"],
        "template_slug": row["latest_version__template_slug"],
        "parameters": row["latest_version__parameters"],
        "message": row["latest_version__message"],
        "created_by": row["latest_version__created_by__username"],
        "created_at": api_datetime(row["latest_version__created_at"]),
        "analysed_at": api_datetime(row["latest_version__analysed_at"]),
        "reused_from": row["latest_version__reused_from_id"],
    }


def row_file_url(stored: str, kind: str, design_id: int, number: int, *, site: str = "") -> str | None:
    """``version_file_url`` for a plain row: the path (after ``site``, absolute when given) of a version's file of
    that kind, or None while the file does not exist."""
    if not stored:
        return None
    return site + url_pattern(f"design-version-{kind}", "pk", "number").format(pk=design_id, number=number)


def material_specs():
    """Active materials as the geometry package's MaterialSpec (for per-material verdicts)."""
    return [
        MaterialSpec(
            code=m.code,
            name=m.name,
            process=m.process,
            min_wall_mm=float(m.min_wall_mm),
            min_detail_mm=float(m.min_detail_mm),
            build_volume_mm=(float(m.max_x_mm), float(m.max_y_mm), float(m.max_z_mm)),
            needs_support=m.needs_support,
        )
        for m in Material.objects.filter(is_active=True).order_by("code")
    ]


def open_materials(report: dict) -> list[str]:
    """The codes of the materials a report refuses only because repair could not close the surface (sorted):
    the ones a slicer check may turn printable."""
    materials = report.get("materials") or {}
    return sorted(
        code for code, verdict in materials.items() if isinstance(verdict, dict) and refused_only_as_open(verdict)
    )
