"""The order pages: quotes, orders, and the makers' job board and job pages."""
