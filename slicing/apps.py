from django.apps import AppConfig


class SlicingConfig(AppConfig):
    name = "slicing"
    verbose_name = "Slicing"

    def ready(self):
        # Function-level imports: models can be imported only once the app registry is ready. The foundation
        # cannot import this app, so the app tells it how to report the slicer in /api/health/.
        from core.health import register_optional_check
        from slicing.selectors import slicer_health

        register_optional_check("slicer", slicer_health)
