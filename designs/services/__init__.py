"""Writes of the designs app. Views, tasks, admin actions and commands call these, nothing else."""

from designs.services.analysis import (
    design_version_analyse,
    design_version_requeue,
    design_versions_sweep_stuck,
)
from designs.services.intake import (
    UploadResult,
    design_create_from_template,
    design_upload,
    design_version_from_parameters,
    design_version_upload,
    upload_too_large_message,
)
from designs.services.slicer_checks import design_version_record_slicer_check
from designs.services.status import design_version_set_status
from designs.services.templates import template_or_404, template_parameters, template_preview_glb

__all__ = [
    "UploadResult",
    "design_create_from_template",
    "design_upload",
    "design_version_analyse",
    "design_version_from_parameters",
    "design_version_record_slicer_check",
    "design_version_requeue",
    "design_version_set_status",
    "design_version_upload",
    "design_versions_sweep_stuck",
    "template_or_404",
    "template_parameters",
    "template_preview_glb",
    "upload_too_large_message",
]
