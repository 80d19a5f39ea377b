from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        # Function-level imports: models and receivers can be imported only once the app registry is ready.
        from billing.services import payment_failed, payment_succeeded, refund_settled
        from designs.selectors import register_maker_design_rule
        from orders.selectors import maker_design_rule
        from orders.services import checkout

        register_maker_design_rule(maker_design_rule)
        # Billing stands below orders: it says when money moved, and the order follows (confirmed when paid).
        payment_succeeded.connect(checkout.on_payment_succeeded, dispatch_uid="orders-payment-succeeded")
        payment_failed.connect(checkout.on_payment_failed, dispatch_uid="orders-payment-failed")
        refund_settled.connect(checkout.on_refund_settled, dispatch_uid="orders-refund-settled")
