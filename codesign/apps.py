from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodesignConfig(AppConfig):
    name = "codesign"
    verbose_name = _("Co-design (conversations and revision proposals)")

    def ready(self):
        # Function-level imports: models and receivers can be imported only once the app registry is ready.
        # Co-design takes part in the job state machine of the orders app (below it) through the door's
        # signals, so that orders never imports co-design.
        from codesign import services
        from core.state import status_changed, status_changing
        from orders.models import Job

        status_changing.connect(
            services.refuse_printing_while_a_proposal_waits, sender=Job, dispatch_uid="codesign.printing_guard"
        )
        status_changed.connect(
            services.withdraw_proposals_of_ended_job, sender=Job, dispatch_uid="codesign.withdraw_proposals"
        )
