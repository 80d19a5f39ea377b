from django.apps import AppConfig


class SlicingConfig(AppConfig):
    name = "slicing"
    verbose_name = "Slicing"

    def ready(self):
        # Function-level imports: models and receivers can be imported only once the app registry is ready. The
        # foundation cannot import this app, so the app tells it how to report the slicer in /api/health/; and
        # the designs app (below) does not know the slicer, so this app listens to the status door for versions
        # whose analysis is ready and for slices that end (the slicer check of parts repair could not close).
        from core.health import register_optional_check
        from core.state import status_changed
        from designs.models import DesignVersion
        from slicing import services
        from slicing.models import Slice
        from slicing.selectors import slicer_health

        register_optional_check("slicer", slicer_health)
        status_changed.connect(
            services.slicer_check_on_version_ready, sender=DesignVersion, dispatch_uid="slicing.slicer_check_request"
        )
        status_changed.connect(
            services.slicer_check_on_slice_finished, sender=Slice, dispatch_uid="slicing.slicer_check_settle"
        )
