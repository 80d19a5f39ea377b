from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        # Function-level imports: models and receivers can be imported only once the app registry is ready.
        from designs.selectors import register_maker_design_rule
        from orders.selectors import maker_design_rule

        register_maker_design_rule(maker_design_rule)
