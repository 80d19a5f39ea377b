from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from designs.selectors import register_maker_design_rule
        from orders.selectors import maker_design_rule

        register_maker_design_rule(maker_design_rule)
