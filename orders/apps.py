from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        # Function-level imports: models and receivers can be imported only once the app registry is ready.
        from billing.services import payment_failed, payment_succeeded, refund_settled
        from core.state import status_changed
        from designs.selectors import register_maker_design_rule
        from orders.models import Job
        from orders.selectors import maker_design_rule
        from orders.services import checkout, counteroffers

        register_maker_design_rule(maker_design_rule)
        # Billing stands below orders: it says when money moved, and the order follows (confirmed when paid).
        payment_succeeded.connect(checkout.on_payment_succeeded, dispatch_uid="orders-payment-succeeded")
        payment_failed.connect(checkout.on_payment_failed, dispatch_uid="orders-payment-failed")
        refund_settled.connect(checkout.on_refund_settled, dispatch_uid="orders-refund-settled")
        # A paid top-up makes its counter-offer take effect; a job leaving "offered" ends its open counter-offer.
        payment_succeeded.connect(counteroffers.on_top_up_succeeded, dispatch_uid="orders-top-up-succeeded")
        status_changed.connect(counteroffers.on_job_status_changed, sender=Job, dispatch_uid="orders-counter-offers")
